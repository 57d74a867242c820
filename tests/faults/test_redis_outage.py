"""Redis stops while entries are logged: no entry is lost, the months stay dirty, and the
figures catch up once Redis is back."""

import subprocess

import pytest

from .conftest import (
    PROBE,
    PYTHON,
    ROOT,
    dirty_months,
    django_env,
    probe,
    start_worker,
    state,
    stop_process,
    wait_until,
)

pytestmark = pytest.mark.faults


def test_entries_logged_while_redis_is_down_are_kept_and_counted_once_it_is_back(
    fault_cluster, fault_database, redis_server
):
    env = django_env(fault_database, redis_server.url)
    probe(env, "seed", "0")
    poster = subprocess.Popen(
        [PYTHON, str(PROBE), "post", "8"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in poster.stdout:
        lines.append(line.split())
        if len(lines) == 3:
            redis_server.stop()
    poster.wait(timeout=120)
    assert poster.returncode == 0, poster.stderr.read()[-3000:]

    # Every write succeeded although the broker was gone for most of them: the broker never
    # decides whether an entry is saved.
    assert [status for status, _ in lines] == ["ok"] * 8
    acknowledged = sorted(int(pk) for _, pk in lines)
    during_outage = state(env)
    assert during_outage["ids"] == acknowledged
    assert during_outage["dirty"] == 1

    redis_server.start()
    worker = start_worker(env, "--pool=solo")
    try:
        probe(env, "send", "workload.sweep_dirty_months")
        wait_until(
            lambda: dirty_months(fault_cluster, fault_database) == 0,
            message="the sweep to bring the month up to date",
        )
    finally:
        stop_process(worker)
    after = state(env)
    assert after["exact"]
    assert after["ids"] == acknowledged
    assert after["rollups"] > 0
