"""Load test: simulated social workers log entries through the API while directors read the
monthly table, against gunicorn + PostgreSQL + a Celery worker, on loopback only.

    .venv/bin/python bench/load.py                      # 50 workers, 5 directors, 60 s
    .venv/bin/python bench/load.py --pace 0.1           # as fast as it goes: capacity
    .venv/bin/python bench/load.py --workers 10 --duration 15

Each simulated worker saves an entry, pauses (exponentially distributed, --pace seconds on
average), and saves the next; each director reads the monthly table every 5 × --pace
seconds on average. The default pace, one entry a second per worker, is thirty times what a
person typing at the keyboard does: it asks the server for about fifty saves a second.

It creates (and at the end drops) a scratch database on the PostgreSQL at --pg (default
postgres://postgres@127.0.0.1:5432, database aide_load), uses Redis database 12 on the local
Redis as the broker, starts gunicorn and one Celery worker, drives the load with threads
(one HTTP client each), then checks that every acknowledged entry is in the database and
that, once the dirty months are swept, the rollups equal a fresh recomputation from the log.
Prints throughput, latency percentiles and errors, the floor (one client alone saving for 5 s
before the load, in the same run) and the p95 under load over that floor's median, and exits
non-zero if a check fails.
"""

import argparse
import datetime as dt
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

SETUP = """
import json
from knox.models import AuthToken
from organisations.models import Role
from organisations.services import association_create_or_update, member_create_or_update
association, _ = association_create_or_update(slug="asbl-load", name="ASBL Load")
tokens = {"workers": [], "directors": []}
for kind, role, n in (("workers", "worker", N_WORKERS), ("directors", "director", N_DIRECTORS)):
    for i in range(n):
        membership, _ = member_create_or_update(
            org_slug="asbl-load", email=f"{role}{i}@load.example", role=role,
            password="Load-test-password-2026",
        )
        tokens[kind].append(AuthToken.objects.create(membership.user)[1])
print("TOKENS" + json.dumps(tokens))
"""

VERIFY = """
import json
from django.db import transaction
from cases.models import AssistanceRequest
from freshness.models import DirtyMonth
from workload.models import COUNT_METRICS, Rollup
from workload.services import rollups_recompute, rollups_sweep_dirty
acknowledged = set(json.load(open(ACK_FILE)))
saved = set(AssistanceRequest.objects.values_list("pk", flat=True))
dirty_before = DirtyMonth.objects.count()
while rollups_sweep_dirty():
    pass
cols = ("association_id", "month", "dimension", "group_key", *COUNT_METRICS)
current = sorted(Rollup.objects.values_list(*cols))
class Rollback(Exception):
    pass
try:
    with transaction.atomic():
        rollups_recompute(association_id=None)
        fresh = sorted(Rollup.objects.values_list(*cols))
        raise Rollback
except Rollback:
    pass
print("VERIFY" + json.dumps({
    "acknowledged": len(acknowledged), "saved": len(saved),
    "missing": len(acknowledged - saved), "unacknowledged_saved": len(saved - acknowledged),
    "dirty_months_left_by_workers": dirty_before, "rollup_cells": len(current),
    "rollups_exact": current == fresh,
}))
"""

CHANNELS = ["on_site", "phone", "home_visit"]
PROCEDURES = ["tax.pit_return", "tax.simplified", "tax.docs", "tax.payment"]
BARRIERS = [[], ["itsme"], ["no_device"], ["no_internet", "once_only"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django(env, code: str, marker: str) -> dict:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    line = next(x for x in done.stdout.splitlines() if x.startswith(marker))
    return json.loads(line[len(marker) :])


def entry_body(rng: random.Random) -> dict:
    return {
        "occurred_on": (dt.date(2026, 10, 1) + dt.timedelta(days=rng.randrange(45))).isoformat(),
        "duration_minutes": rng.randrange(5, 90),
        "channel": rng.choice(CHANNELS),
        "procedure_domain": rng.choice(PROCEDURES),
        "referrer_kind": "cpas",
        "responsible_kind": "pub_fed",
        "barriers": rng.choice(BARRIERS),
        "mode": rng.choice(["do_for", "do_with"]),
        "outcome": "resolved",
        "consent": "oral",
    }


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {"post": [], "read": []}
        self.errors: dict[str, int] = {}
        self.acknowledged: list[int] = []

    def record(self, kind, seconds, response, error=None):
        with self.lock:
            if error is not None:
                self.errors[f"{kind}:{error}"] = self.errors.get(f"{kind}:{error}", 0) + 1
                return
            self.latencies[kind].append(seconds)
            expected = 201 if kind == "post" else 200
            if response.status_code != expected:
                key = f"{kind}:{response.status_code}"
                self.errors[key] = self.errors.get(key, 0) + 1
            elif kind == "post":
                self.acknowledged.append(response.json()["id"])


def drive(base, token, kind, deadline, recorder, seed, pace):
    rng = random.Random(seed)
    headers = {"Authorization": f"Token {token}"}
    # Idle connections are dropped after 1 s, before gunicorn's 2 s keep-alive closes them:
    # otherwise a request sent just as the server closes its end fails (as with any client).
    limits = httpx.Limits(keepalive_expiry=1.0)
    with httpx.Client(base_url=base, headers=headers, timeout=30, limits=limits) as client:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                if kind == "post":
                    response = client.post("/api/v1/assistance-requests/", json=entry_body(rng))
                else:
                    response = client.get(
                        "/api/v1/workload/monthly/", params={"from": "2026-10", "to": "2026-11"}
                    )
            except httpx.HTTPError as exc:
                recorder.record(kind, 0, None, type(exc).__name__)
            else:
                recorder.record(kind, time.perf_counter() - start, response)
            time.sleep(min(rng.expovariate(1 / pace), max(0, deadline - time.monotonic())))


def percentiles(values):
    if len(values) < 2:
        return {"count": len(values)}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--directors", type=int, default=5)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument(
        "--pace", type=float, default=1.0, help="mean pause between a worker's saves (s)"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--gunicorn-threads", type=int, default=4)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="aide_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    admin_url = args.pg.replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{args.pg}/{args.database}",
        CELERY_BROKER_URL=args.redis,
        API_THROTTLE_USER="1000000/hour",
    )
    processes = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        setup = SETUP.replace("N_WORKERS", str(args.workers)).replace(
            "N_DIRECTORS", str(args.directors)
        )
        tokens = django(env, setup, "TOKENS")
        subprocess.run(
            [str(VENV_BIN / "celery"), "-A", "config", "purge", "-f"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=60,
        )
        processes.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "config.wsgi:application",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    str(args.gunicorn_workers),
                    "--threads",
                    str(args.gunicorn_threads),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=WARNING",
                    "--concurrency=2",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/login/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        # The floor, in the same run: one client alone, saving entries back to back.
        floor = Recorder()
        drive(base, tokens["workers"][0], "post", time.monotonic() + 5, floor, -1, 0.001)

        recorder = Recorder()
        recorder.acknowledged.extend(floor.acknowledged)
        deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=drive, args=(base, t, "post", deadline, recorder, i, args.pace))
            for i, t in enumerate(tokens["workers"])
        ] + [
            threading.Thread(
                target=drive, args=(base, t, "read", deadline, recorder, 1000 + i, args.pace * 5)
            )
            for i, t in enumerate(tokens["directors"])
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        for process in processes:
            if process.poll() is None:
                # The main process only: it stops its own children after their current task.
                os.kill(process.pid, signal.SIGTERM)
                process.wait(timeout=30)

    ack_file = ROOT / "var" / "load-acknowledged.json"
    ack_file.parent.mkdir(parents=True, exist_ok=True)
    ack_file.write_text(json.dumps(recorder.acknowledged))
    check = django(env, VERIFY.replace("ACK_FILE", repr(str(ack_file))), "VERIFY")
    report = {
        "workers": args.workers,
        "directors": args.directors,
        "pace_s": args.pace,
        "duration_s": round(elapsed, 1),
        "posts": len(recorder.latencies["post"]),
        "reads": len(recorder.latencies["read"]),
        "posts_per_s": round(len(recorder.latencies["post"]) / elapsed, 1),
        "reads_per_s": round(len(recorder.latencies["read"]) / elapsed, 1),
        "floor_post_latency": percentiles(floor.latencies["post"]),
        "post_latency": percentiles(recorder.latencies["post"]),
        "read_latency": percentiles(recorder.latencies["read"]),
        "errors": {**floor.errors, **recorder.errors},
        "check": check,
    }
    if "p50_ms" in report["floor_post_latency"] and "p95_ms" in report["post_latency"]:
        report["p95_over_floor_p50"] = round(
            report["post_latency"]["p95_ms"] / report["floor_post_latency"]["p50_ms"], 1
        )
    print(json.dumps(report, indent=2))
    if not args.keep:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    ok = check["missing"] == 0 and check["rollups_exact"] and not report["errors"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
