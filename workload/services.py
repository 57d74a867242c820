"""Writes of the workload app: dirty marks, rollup recomputation, jobs.

The log is the truth; rollups are a cache. `rollups_recompute` replaces an association's
rollups for some months (or all) with figures aggregated from the log in one transaction, so
it can run twice, late or concurrently and still leave the same rows.
"""

import logging
import secrets
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases.models import AssistanceRequest, RequestBarrier
from organisations.models import Association

from .metrics import aggregates
from .models import DIMENSIONS, TOTAL, DirtyMonth, Job, Rollup

logger = logging.getLogger(__name__)

# What each dimension groups on, from an entry (or, for barriers, from a barrier row).
GROUP_FIELDS = {
    "referrer_kind": "referrer_kind",
    "referred_by": "referred_by_id",
    "responsible_kind": "responsible_kind",
    "responsible_institution": "responsible_institution_id",
    "procedure_domain": "procedure_root",
    "procedure": "procedure_domain",
    "channel": "channel",
    "mode": "mode",
    "outcome": "outcome",
}
ROLLUP_BATCH_SIZE = 1000


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


def _lock_associations(association_ids: list[int] | None) -> dict[int, Association]:
    # FOR NO KEY UPDATE serialises recomputations of one association (two workers on the same
    # month wait for each other) without blocking entries being logged meanwhile, whose
    # foreign-key checks take only a KEY SHARE lock. SQLite serialises writers anyway.
    rows = Association.objects.select_for_update(no_key=True).order_by("pk")
    if association_ids is not None:
        rows = rows.filter(pk__in=association_ids)
    return {a.pk: a for a in rows}


def _cells(
    associations: dict[int, Association], months: list[str] | None, dimension: str, everything: bool
) -> list[Rollup]:
    """One aggregate query for one dimension, grouped by association, month and group."""
    if dimension == "barrier":
        rows = RequestBarrier.objects.all()
        if not everything:
            rows = rows.filter(assistance_request__association_id__in=list(associations))
        if months is not None:
            rows = rows.filter(assistance_request__month__in=months)
        rows = rows.values(
            cell_association=F("assistance_request__association_id"),
            cell_month=F("assistance_request__month"),
            cell_group=F("code"),
        )
        rows = rows.annotate(**aggregates("assistance_request__")).order_by()
    else:
        rows = AssistanceRequest.objects.all()
        if not everything:
            rows = rows.filter(association_id__in=list(associations))
        if months is not None:
            rows = rows.filter(month__in=months)
        groups = {} if dimension == TOTAL else {"cell_group": F(GROUP_FIELDS[dimension])}
        rows = rows.values(cell_association=F("association_id"), cell_month=F("month"), **groups)
        rows = rows.annotate(**aggregates()).order_by()
    cells = []
    for row in rows:
        association = associations[row.pop("cell_association")]
        month = row.pop("cell_month")
        group = row.pop("cell_group", "")
        cells.append(
            Rollup(
                association=association,
                month=month,
                dimension=dimension,
                group_key="" if group is None else str(group),
                hourly_cost_eur=association.hourly_cost_eur,
                **row,
            )
        )
    return cells


def rollups_recompute(
    *,
    association_id: int | None,
    months: Iterable[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Replace rollups with figures aggregated from the log, in one transaction.

    `association_id` None means every association, `months` None every month. Removes the
    dirty marks it has made good and returns the number of cells written. Progress is
    reported per dimension (visible to others only on commit, on PostgreSQL).
    """
    months = None if months is None else sorted(set(months))
    everything = association_id is None
    with transaction.atomic():
        associations = _lock_associations(None if everything else [association_id])
        if not associations:
            return 0
        dirty = DirtyMonth.objects.filter(association_id__in=list(associations))
        if months is not None:
            dirty = dirty.filter(month__in=months)
        seen = list(dirty.values_list("association_id", "month", "version"))

        stale = Rollup.objects.all()
        if not everything:
            stale = stale.filter(association_id__in=list(associations))
        if months is not None:
            stale = stale.filter(month__in=months)
        stale.delete()

        dimensions = (TOTAL, *DIMENSIONS)
        written = 0
        for done, dimension in enumerate(dimensions, start=1):
            cells = _cells(associations, months, dimension, everything)
            Rollup.objects.bulk_create(cells, batch_size=ROLLUP_BATCH_SIZE)
            written += len(cells)
            if on_progress is not None:
                on_progress(round(100 * done / len(dimensions)))

        # A mark made after we read it carries another version and stays for the next run.
        for association_pk, month, version in seen:
            DirtyMonth.objects.filter(
                association_id=association_pk, month=month, version=version
            ).delete()
    return written


def rollups_recompute_dirty_month(*, association_id: int, month: str) -> bool:
    """Recompute one month if it is still dirty; a no-op otherwise (a coalesced duplicate)."""
    if not DirtyMonth.objects.filter(association_id=association_id, month=month).exists():
        return False
    rollups_recompute(association_id=association_id, months=[month])
    return True


def rollups_sweep_dirty(*, limit: int = 500) -> int:
    """Bring every dirty month up to date; the safety net when a task was never delivered."""
    pending = list(
        DirtyMonth.objects.order_by("marked_at").values_list("association_id", "month")[:limit]
    )
    by_association: dict[int, list[str]] = {}
    for association_id, month in pending:
        by_association.setdefault(association_id, []).append(month)
    for association_id, months in by_association.items():
        rollups_recompute(association_id=association_id, months=months)
    return len(pending)


# --- Jobs ------------------------------------------------------------------------------------


def job_create(
    *, kind: str, association: Association | None, actor=None, params: dict | None = None
) -> Job:
    return Job.objects.create(
        kind=kind, association=association, created_by=actor, params=params or {}
    )


def job_set_progress(job_id: int, progress: int) -> None:
    # Outside the work's transaction on PostgreSQL would need a second connection; progress is
    # written through a plain UPDATE so a reader polling the job sees it once committed.
    Job.objects.filter(pk=job_id).update(progress=max(0, min(100, progress)))


def job_run(job_id: int, work: Callable[[Job, Callable[[int], None]], dict | None]) -> Job:
    """Run `work` for a job, recording state, progress, result or error. Idempotent: a job
    that already succeeded is not run again."""
    job = Job.objects.get(pk=job_id)
    if job.state == Job.State.SUCCEEDED:
        return job
    Job.objects.filter(pk=job_id).update(
        state=Job.State.RUNNING, started_at=timezone.now(), progress=0, error=""
    )
    job.refresh_from_db()
    try:
        result = work(job, lambda p: job_set_progress(job_id, p)) or {}
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            state=Job.State.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    Job.objects.filter(pk=job_id).update(
        state=Job.State.SUCCEEDED, progress=100, finished_at=timezone.now(), result=result
    )
    job.refresh_from_db()
    return job


RECOMPUTE_MONTHS_PER_STEP = 6


def recompute_job_work(job: Job, on_progress: Callable[[int], None]) -> dict:
    """A director's full recomputation: every month of the log and of the old rollups, a few
    months per transaction so the progress bar moves and each month is replaced atomically."""
    association_id = job.association_id
    months = sorted(
        set(
            AssistanceRequest.objects.filter(association_id=association_id)
            .values_list("month", flat=True)
            .distinct()
        )
        | set(
            Rollup.objects.filter(association_id=association_id)
            .values_list("month", flat=True)
            .distinct()
        )
    )
    written = 0
    for start in range(0, len(months), RECOMPUTE_MONTHS_PER_STEP):
        step = months[start : start + RECOMPUTE_MONTHS_PER_STEP]
        written += rollups_recompute(association_id=association_id, months=step)
        on_progress(round(100 * (start + len(step)) / len(months)))
    return {"months": len(months), "cells": written}
