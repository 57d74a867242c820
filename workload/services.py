"""Writes of the workload app: rollup recomputation (clearing the freshness app's dirty marks
it made good), jobs.

The log is the truth; rollups are a cache. `rollups_recompute` replaces an association's
rollups for some months (or all) with figures aggregated from the log in one transaction, so
it can run twice, late or concurrently and still leave the same rows.
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.utils import timezone

from attempts.models import ContactAttempt
from cases.models import AssistanceRequest, RequestBarrier
from freshness.models import DirtyMonth
from organisations.models import Association

from . import cell_sql
from .metrics import aggregates, attempt_aggregates
from .models import (
    ATTEMPT_GROUP_COLUMNS,
    ATTEMPT_METRICS,
    COUNT_METRICS,
    DIMENSIONS,
    ENTRY_METRICS,
    GROUP_COLUMNS,
    TOTAL,
    Job,
    Rollup,
)

logger = logging.getLogger(__name__)


def _lock_associations(association_ids: list[int] | None) -> dict[int, Association]:
    # FOR NO KEY UPDATE serialises recomputations of one association (two workers on the same
    # month wait for each other) without blocking entries being logged meanwhile, whose
    # foreign-key checks take only a KEY SHARE lock. SQLite serialises writers anyway.
    rows = Association.objects.select_for_update(no_key=True).order_by("pk")
    if association_ids is not None:
        rows = rows.filter(pk__in=association_ids)
    return {a.pk: a for a in rows}


FULL_RECOMPUTE_WORK_MEM = "256MB"


def _cell_query(dimension: str):
    """One aggregate query for one dimension over the whole log, grouped by association,
    month and group. Callers narrow it with conditions on the grouping columns, which both
    databases push down into the scan."""
    if dimension == "barrier":
        rows = RequestBarrier.objects.values(
            cell_association=F("assistance_request__association_id"),
            cell_month=F("assistance_request__month"),
            cell_group=F("code"),
        )
        return rows.annotate(**aggregates("assistance_request__")).order_by()
    group = Value("") if dimension == TOTAL else F(GROUP_COLUMNS[dimension])
    rows = AssistanceRequest.objects.values(
        cell_association=F("association_id"), cell_month=F("month"), cell_group=group
    )
    return rows.annotate(**aggregates()).order_by()


def _attempt_cell_query(dimension: str):
    """The attempt cells of one of the dimensions where attempts count."""
    column = ATTEMPT_GROUP_COLUMNS[dimension]
    group = Value("") if column is None else F(column)
    rows = ContactAttempt.objects.values(
        cell_association=F("association_id"), cell_month=F("month"), cell_group=group
    )
    return rows.annotate(**attempt_aggregates()).order_by()


@functools.cache
def _cell_sql(vendor: str, dimension: str) -> tuple[str, tuple]:
    """Every counted metric of one dimension's cells, as SQL: the entries' and, where
    attempts count, the attempts', added up per cell."""
    # Building the filtered aggregates through the ORM costs more than running them on one
    # month; the SQL only depends on the database and the dimension, so build it once.
    entry_sql, entry_params = _cell_query(dimension).query.sql_with_params()
    keys = "cell_association, cell_month, COALESCE(CAST(cell_group AS TEXT), '') AS cell_group"
    zeros = ", ".join(f"0 AS {name}" for name in ATTEMPT_METRICS)
    entry_cells = f"SELECT {keys}, {', '.join(ENTRY_METRICS)}, {zeros} FROM ({entry_sql}) e"
    if dimension not in ATTEMPT_GROUP_COLUMNS:
        return entry_cells, entry_params
    attempt_sql, attempt_params = _attempt_cell_query(dimension).query.sql_with_params()
    zeros = ", ".join(f"0 AS {name}" for name in ENTRY_METRICS)
    attempt_cells = f"SELECT {keys}, {zeros}, {', '.join(ATTEMPT_METRICS)} FROM ({attempt_sql}) t"
    sums = ", ".join(f"SUM({name}) AS {name}" for name in COUNT_METRICS)
    sql = (
        f"SELECT cell_association, cell_month, cell_group, {sums} "
        f"FROM ({entry_cells} UNION ALL {attempt_cells}) both_kinds "
        f"GROUP BY cell_association, cell_month, cell_group"
    )
    return sql, (*entry_params, *attempt_params)


ROLLUP_COLUMNS = (
    "association_id",
    "month",
    "dimension",
    "group_key",
    "hourly_cost_eur",
    *COUNT_METRICS,
    "computed_at",
)


def _filtered_cells_sql(
    association_ids: list[int] | None, months: list[str] | None, dimension: str
) -> tuple[str, list]:
    """The cells of one dimension, narrowed to some associations and months."""
    select_sql, select_params = _cell_sql(connection.vendor, dimension)
    where, params = [], [dimension, *select_params]
    if association_ids is not None:
        where.append(f"cell.cell_association IN ({', '.join(['%s'] * len(association_ids))})")
        params += association_ids
    if months is not None:
        where.append(f"cell.cell_month IN ({', '.join(['%s'] * len(months))})")
        params += months
    metrics = ", ".join(f"cell.{name}" for name in COUNT_METRICS)
    sql = (
        f"SELECT CAST(%s AS TEXT) AS cell_dimension, cell.cell_association, cell.cell_month, "
        f"cell.cell_group, {metrics} "
        f"FROM ({select_sql}) cell"
    ) + (f" WHERE {' AND '.join(where)}" if where else "")
    return sql, params


def _insert_cells_from(cells_sql: str, params: list) -> int:
    """INSERT ... SELECT: the figures never leave the database, whatever the log's size."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Rollup._meta.db_table)} ({', '.join(ROLLUP_COLUMNS)}) "
        f"SELECT cell.cell_association, cell.cell_month, cell.cell_dimension, "
        f"cell.cell_group, a.hourly_cost_eur, "
        f"{', '.join(f'cell.{name}' for name in COUNT_METRICS)}, %s "
        f"FROM ({cells_sql}) cell "
        f"JOIN {quote(Association._meta.db_table)} a "
        f"ON a.{quote(Association._meta.pk.column)} = cell.cell_association"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), *params])
        return cursor.rowcount


def _replace_cells(
    association_ids: list[int] | None,
    months: list[str] | None,
    on_progress: Callable[[int], None] | None,
) -> int:
    """The portable path: delete the cells in scope, insert them again dimension by
    dimension."""
    stale = Rollup.objects.all()
    if association_ids is not None:
        stale = stale.filter(association_id__in=association_ids)
    if months is not None:
        stale = stale.filter(month__in=months)
    stale.delete()
    written = 0
    dimensions = (TOTAL, *DIMENSIONS)
    for done, dimension in enumerate(dimensions, start=1):
        written += _insert_cells_from(*_filtered_cells_sql(association_ids, months, dimension))
        if on_progress is not None:
            on_progress(round(100 * done / len(dimensions)))
    return written


def rollups_recompute(
    *,
    association_id: int | None,
    months: Iterable[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Replace rollups with figures aggregated from the log, in one transaction.

    `association_id` None means every association, `months` None every month. Removes the
    dirty marks it has made good and returns the number of cells written. `on_progress`
    hears of the work done as it goes (in percent).
    """
    months = None if months is None else sorted(set(months))
    everything = association_id is None
    with transaction.atomic():
        associations = _lock_associations(None if everything else [association_id])
        if not associations:
            return 0
        if connection.vendor == "postgresql" and months is None:
            # Whole-log aggregates hash far more groups than the default 4 MB holds; without
            # this they spill to disk and run about twice as long.
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{FULL_RECOMPUTE_WORK_MEM}'")
        dirty = DirtyMonth.objects.filter(association_id__in=list(associations))
        if months is not None:
            dirty = dirty.filter(month__in=months)
        seen = list(dirty.values_list("association_id", "month", "version"))

        ids = None if everything else list(associations)
        if connection.vendor == "postgresql":
            written = cell_sql.write_changed_cells(ids, months, timezone.now(), on_progress)
        else:
            written = _replace_cells(ids, months, on_progress)

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


def job_mark_file_expired(job: Job) -> None:
    """The job's file was deleted: its page says so instead of offering the download."""
    Job.objects.filter(pk=job.pk).update(result={**job.result, "expired": True})


# A recomputation queued or started longer ago than this is taken for lost (its message
# purged, its worker killed): a new request then queues a fresh one rather than wait on it.
RECOMPUTE_COALESCE_WINDOW = dt.timedelta(hours=1)


@transaction.atomic
def recompute_job_queue(*, association: Association, actor=None) -> tuple[Job, bool]:
    """The association's full recomputation: the one already queued or running, else a new
    job; (job, created). A second one would redo the same work from the same log, so a
    director who asks again, or a client in a loop, follows the pending job instead of
    filling the queue. The caller publishes a created job."""
    # Two requests at once must not both find nothing pending.
    _lock_associations([association.pk])
    pending = (
        Job.objects.filter(
            association=association,
            kind=Job.Kind.RECOMPUTE,
            state__in=(Job.State.QUEUED, Job.State.RUNNING),
            created_at__gte=timezone.now() - RECOMPUTE_COALESCE_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending, False
    return job_create(kind=Job.Kind.RECOMPUTE, association=association, actor=actor), True


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
    except ValidationError as exc:
        # Bad input (a file with a wrong row): the job ends, its page lists what to fix;
        # running it again would refuse it again, so the task does not retry.
        Job.objects.filter(pk=job_id).update(
            state=Job.State.FAILED,
            finished_at=timezone.now(),
            error="invalid input",
            result={"errors": _error_lines(exc)},
        )
        job.refresh_from_db()
        return job
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


def _error_lines(exc: ValidationError, limit: int = 200) -> list[dict]:
    """The refusal as the job's page lists it: a file's errors are keyed `<line>.<column>`."""
    if not hasattr(exc, "error_dict"):
        return [{"line": None, "field": "", "message": m} for m in exc.messages][:limit]
    lines = []
    for key, messages in exc.message_dict.items():
        line, _dot, column = key.partition(".")
        where = (int(line), column) if line.isdigit() and column else (None, key)
        lines.extend({"line": where[0], "field": where[1], "message": m} for m in messages)
    return lines[:limit]


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
