"""A worker killed in the middle of a recomputation: the message comes back, the rollups
end exactly as a fresh recomputation from the log."""

import os
import signal
from pathlib import Path

import pytest
import redis

from .conftest import dirty_months, django_env, probe, start_worker, state, stop_process, wait_until

pytestmark = pytest.mark.faults

BLOCKED_AT_THE_END = """
    SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock'
      AND query LIKE 'DELETE FROM "workload_dirtymonth"%%'
"""


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _only_one_queued_recomputation(env, redis_url):
    """30 entries in one month, then a broker holding a single recomputation message: the
    month can only become clean if that very message is delivered again after the kill."""
    out = probe(env, "seed", "30")
    association_id = int(out.split('"association": ')[1].split(",")[0])
    redis.Redis.from_url(redis_url).flushdb()
    probe(env, "send", "workload.recompute_month", str(association_id), "2026-10")


class _LastStatementHeld:
    """Holds the month's dirty mark locked, so a recomputation stops at its last statement
    (removing the mark) after rewriting every rollup of the month in its transaction."""

    def __init__(self, cluster, database_url):
        database = database_url.rsplit("/", 1)[1]
        self.conn = cluster.connect(database)
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT * FROM workload_dirtymonth FOR UPDATE")
        # Statistics are a snapshot per transaction: watch from another connection.
        self.watch = cluster.connect(database)

    def blocked_backends(self) -> set[int]:
        return {row[0] for row in self.watch.execute(BLOCKED_AT_THE_END).fetchall()}

    def release(self):
        self.conn.execute("COMMIT")
        self.conn.close()
        self.watch.close()


def test_a_pool_process_killed_mid_recomputation_is_retried_and_rollups_are_exact(
    fault_cluster, fault_database, redis_server
):
    env = django_env(fault_database, redis_server.url)
    _only_one_queued_recomputation(env, redis_server.url)
    assert state(env)["dirty"] == 1
    held = _LastStatementHeld(fault_cluster, fault_database)
    worker = start_worker(env, "--pool=prefork", "--concurrency=1")
    try:
        first = wait_until(held.blocked_backends, message="the recomputation to start")
        pool_processes = _children(worker.pid)
        assert len(pool_processes) == 1
        os.kill(pool_processes[0], signal.SIGKILL)

        # acks_late + reject_on_worker_lost: the same message goes to the new pool process,
        # which recomputes the month again from the start.
        wait_until(
            lambda: held.blocked_backends() - first,
            message="the message to be delivered again",
        )
        held.release()
        wait_until(
            lambda: dirty_months(fault_cluster, fault_database) == 0,
            message="the month to be clean",
        )
    finally:
        log = stop_process(worker)
    assert "WorkerLostError" in log or "SIGKILL" in log, log[-3000:]
    final = state(env)
    assert final["exact"]
    assert final["rollups"] > 0
    assert len(final["ids"]) == 30


def test_a_whole_worker_killed_mid_recomputation_leaves_the_message_for_a_new_worker(
    fault_cluster, fault_database, redis_server
):
    # A message taken by a worker that vanished comes back after the visibility timeout,
    # shortened here from an hour to two seconds.
    env = django_env(fault_database, redis_server.url, CELERY_VISIBILITY_TIMEOUT="2")
    _only_one_queued_recomputation(env, redis_server.url)
    held = _LastStatementHeld(fault_cluster, fault_database)
    first_worker = start_worker(env, "--pool=solo")
    new_worker = None
    try:
        first = wait_until(held.blocked_backends, message="the recomputation to start")
        os.killpg(first_worker.pid, signal.SIGKILL)
        first_worker.wait(timeout=10)

        new_worker = start_worker(env, "--pool=solo")
        try:
            wait_until(
                lambda: held.blocked_backends() - first,
                timeout=120,
                message="a new worker to take the message again",
            )
        except AssertionError as exc:
            log = stop_process(new_worker)
            raise AssertionError(f"{exc}; the new worker printed:\n{log[-4000:]}") from None
        held.release()
        wait_until(
            lambda: dirty_months(fault_cluster, fault_database) == 0,
            message="the month to be clean",
        )
    finally:
        stop_process(first_worker)
        if new_worker is not None:
            stop_process(new_worker)
    final = state(env)
    assert final["exact"]
    assert final["rollups"] > 0
