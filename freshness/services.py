"""Writes of the dirty-month outbox, and the one door by which the log says it changed.

`log_changed` is called by every write to the log (`cases.services`, and through them the
pages, the API, imports and the demo) inside the write's transaction. It marks the months
there and, once the transaction commits, queues their recomputation. The task belongs to the
workload app, which sits above the log: it is found by its registered name in the Celery app,
at call time, so that the log never imports the app that reads it.
"""

import secrets
from collections.abc import Iterable

from celery import current_app

from . import enqueue
from .models import DirtyMonth

# The registered name of workload.tasks.recompute_month_task: stable, so queued messages and
# this look-up survive code moves.
RECOMPUTE_MONTH_TASK = "workload.recompute_month"


def _new_version() -> int:
    return secrets.randbits(62)


def dirty_months_mark(*, association_id: int, months: Iterable[str]) -> None:
    """Mark months dirty (inside the caller's transaction): the outbox of recomputation.

    Each mark carries a fresh random version, so a recomputation that read an older version
    leaves the mark in place.
    """
    DirtyMonth.objects.bulk_create(
        [
            DirtyMonth(association_id=association_id, month=m, version=_new_version())
            for m in sorted(set(months))
        ],
        update_conflicts=True,
        unique_fields=["association", "month"],
        update_fields=["version", "marked_at"],
    )


def log_changed(*, association_id: int, months: Iterable[str]) -> None:
    """The log of an association changed in these months ("YYYY-MM").

    Call it inside the write's transaction: the marks commit or roll back with the write, and
    each month's recomputation is queued only once it has committed. A broker that is down
    costs a delay, never the write: the periodic sweep finds the marks.
    """
    months = sorted(set(months))
    dirty_months_mark(association_id=association_id, months=months)
    recompute_month_task = current_app.tasks[RECOMPUTE_MONTH_TASK]
    for month in months:
        enqueue.publish_month_recompute_on_commit(recompute_month_task, association_id, month)
