"""The workload app follows the log: each change marks its months dirty in the writer's
transaction and queues their recomputation once that transaction commits."""

from django.dispatch import receiver

from cases.signals import assistance_requests_changed
from organisations.signals import hourly_cost_changed

from . import services, tasks
from .enqueue import publish_month_recompute_on_commit, publish_on_commit
from .models import Job


@receiver(assistance_requests_changed)
def mark_months_dirty(sender, association_id, months, **kwargs):
    services.dirty_months_mark(association_id=association_id, months=months)
    for month in sorted(months):
        publish_month_recompute_on_commit(tasks.recompute_month_task, association_id, month)


@receiver(hourly_cost_changed)
def recompute_after_cost_change(sender, association, actor=None, **kwargs):
    job = services.job_create(kind=Job.Kind.RECOMPUTE, association=association, actor=actor)
    publish_on_commit(tasks.run_recompute_job_task, job.pk)
