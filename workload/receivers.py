"""The workload app follows the organisations app: a new hourly cost revalues every figure.

(The log tells the freshness app of its changes by a direct call, `freshness.services
.log_changed`, which queues this app's recomputation by task name.)"""

from django.dispatch import receiver

from freshness.enqueue import publish_on_commit
from organisations.signals import hourly_cost_changed

from . import services, tasks
from .models import Job


@receiver(hourly_cost_changed)
def recompute_after_cost_change(sender, association, actor=None, **kwargs):
    job = services.job_create(kind=Job.Kind.RECOMPUTE, association=association, actor=actor)
    publish_on_commit(tasks.run_recompute_job_task, job.pk)
