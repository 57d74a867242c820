"""Thin Celery tasks: they take ids, recompute from the log, and do nothing on a re-run.

Names are explicit so that queued messages survive code moves.
"""

from celery import shared_task
from django.db import DatabaseError

from attempts import imports as attempt_imports
from cases.imports import import_job_work, imports_expire
from freshness.enqueue import month_queued_release
from reliability.services import guard_redeliveries

from . import exports, services

RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "acks_late": True,
    # Below the Redis visibility timeout (1 h), so a message is never redelivered while its
    # first delivery still runs.
    "soft_time_limit": 1200,
    "time_limit": 1500,
}


@shared_task(name="workload.recompute_month", **RETRY)
@guard_redeliveries
def recompute_month_task(association_id: int, month: str) -> bool:
    month_queued_release(recompute_month_task.app, association_id, month)
    return services.rollups_recompute_dirty_month(association_id=association_id, month=month)


@shared_task(name="workload.sweep_dirty_months", **RETRY)
@guard_redeliveries
def sweep_dirty_months_task() -> int:
    return services.rollups_sweep_dirty()


@shared_task(name="workload.recompute_everything", **RETRY)
@guard_redeliveries
def recompute_everything_task() -> int:
    return services.rollups_recompute(association_id=None)


@shared_task(name="workload.run_recompute_job", **RETRY)
@guard_redeliveries
def run_recompute_job_task(job_id: int) -> None:
    services.job_run(job_id, services.recompute_job_work)


@shared_task(name="workload.run_export_job", **RETRY)
@guard_redeliveries
def run_export_job_task(job_id: int) -> None:
    services.job_run(job_id, exports.export_job_work)


@shared_task(name="workload.expire_exports", **RETRY)
@guard_redeliveries
def expire_exports_task() -> int:
    return exports.exports_expire()


@shared_task(name="workload.run_import_job", **RETRY)
@guard_redeliveries
def run_import_job_task(job_id: int) -> None:
    services.job_run(job_id, _import_work)


def _import_work(job, on_progress) -> dict:
    """A file of the log's entries, or of the contact-attempt diary, as the director chose."""
    if job.params.get("file_kind") == attempt_imports.FILE_KIND:
        return attempt_imports.attempts_import_job_work(job, on_progress)
    return import_job_work(job, on_progress)


@shared_task(name="workload.expire_imports", **RETRY)
@guard_redeliveries
def expire_imports_task() -> int:
    return imports_expire()
