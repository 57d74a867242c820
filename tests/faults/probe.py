"""Run inside a subprocess pointed (by DATABASE_URL / CELERY_BROKER_URL) at a fault test's own
PostgreSQL cluster and Redis server: the fault tests never touch the machine's services.

    python tests/faults/probe.py seed N        one association and N entries in 2026-10
    python tests/faults/probe.py post N        N entries one by one: "ok ID" or "error CLASS"
    python tests/faults/probe.py state         JSON: entry ids, dirty months, rollups exact?
    python tests/faults/probe.py sweep         bring every dirty month up to date, here
    python tests/faults/probe.py send TASK     publish a workload task by name
"""

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import DatabaseError, close_old_connections, transaction  # noqa: E402

from cases.models import AssistanceRequest  # noqa: E402
from cases.services import assistance_request_create  # noqa: E402
from freshness.models import DirtyMonth  # noqa: E402
from organisations.models import Association  # noqa: E402
from organisations.services import association_create_or_update  # noqa: E402
from workload.models import COUNT_METRICS, Rollup  # noqa: E402
from workload.services import rollups_recompute  # noqa: E402

SLUG = "asbl-faults"
BARRIERS = (["itsme"], [], ["no_device", "once_only"], ["no_internet"])


def entry_fields(n: int) -> dict:
    return {
        "occurred_on": dt.date(2026, 10, 1 + n % 28),
        "duration_minutes": 5 + n % 40,
        "channel": "on_site",
        "procedure_domain": "tax.pit_return",
        "referrer_kind": "cpas",
        "responsible_kind": "pub_fed",
        "barriers": BARRIERS[n % len(BARRIERS)],
        "mode": "do_for" if n % 2 else "do_with",
        "outcome": "resolved",
        "consent": "oral",
        "sensitive_flags": [],
    }


def association() -> Association:
    return association_create_or_update(slug=SLUG, name="ASBL Faults")[0]


def seed(n: int) -> None:
    target = association()
    for i in range(n):
        assistance_request_create(association=target, **entry_fields(i))
    print(json.dumps({"association": target.pk, "entries": n}), flush=True)


def post(n: int, pause: float = 0.0) -> None:
    """Log entries one at a time like a web request each: a fresh connection check before."""
    target_id = None
    for i in range(n):
        close_old_connections()
        try:
            if target_id is None:
                target_id = association().pk
            target = Association.objects.get(pk=target_id)
            entry = assistance_request_create(association=target, **entry_fields(i))
        except DatabaseError as exc:
            # The only acceptable failure: a clear database error, nothing acknowledged.
            print(f"error {type(exc).__name__}", flush=True)
            from django.db import connection

            connection.close_if_unusable_or_obsolete()
        else:
            print(f"ok {entry.pk}", flush=True)
        time.sleep(pause)


def rollup_rows() -> list[tuple]:
    columns = ("association_id", "month", "dimension", "group_key", *COUNT_METRICS)
    return sorted(Rollup.objects.values_list(*columns))


class _Rollback(Exception):
    pass


def state() -> None:
    current = rollup_rows()
    fresh = None
    try:
        with transaction.atomic():
            rollups_recompute(association_id=None)
            fresh = rollup_rows()
            raise _Rollback
    except _Rollback:
        pass
    print(
        json.dumps(
            {
                "ids": sorted(AssistanceRequest.objects.values_list("pk", flat=True)),
                "dirty": DirtyMonth.objects.count(),
                "rollups": len(current),
                "exact": current == fresh,
                "total_minutes": sum(row[5] for row in current if row[2] == "total"),
            }
        ),
        flush=True,
    )


def send(task_name: str, *args: str) -> None:
    from config.celery import app

    app.send_task(task_name, args=[int(a) if a.isdigit() else a for a in args])
    print("sent", flush=True)


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "seed":
        seed(int(rest[0]))
    elif command == "post":
        post(int(rest[0]), float(rest[1]) if len(rest) > 1 else 0.0)
    elif command == "state":
        state()
    elif command == "sweep":
        from workload.services import rollups_sweep_dirty

        print(rollups_sweep_dirty(), flush=True)
    elif command == "send":
        send(*rest)
    else:
        raise SystemExit(f"unknown command {command}")
