"""The poison-message guard of the Celery tasks.

`delivery_begin` counts one more start of (task, key) in its own committed transaction and
says whether the work may run; `delivery_end` forgets the key once the work succeeded. A key
started more than `TASK_MAX_DELIVERIES` times within a day without success is abandoned:
logged as an error and acknowledged, so that it stops killing workers. Rollups stay correct
anyway: the dirty mark stays and the nightly recomputation rebuilds everything.
"""

import datetime as dt
import functools
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import TaskDelivery

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(days=1)


def delivery_key(args, kwargs) -> str:
    return json.dumps([list(args), kwargs], sort_keys=True, default=str)[:200]


def delivery_begin(*, task: str, key: str, limit: int | None = None) -> bool:
    limit = settings.TASK_MAX_DELIVERIES if limit is None else limit
    with transaction.atomic():
        now = timezone.now()
        row, created = TaskDelivery.objects.select_for_update().get_or_create(task=task, key=key)
        if created or row.last_started_at < now - WINDOW:
            # Old failures (a database outage last week) say nothing about this message.
            TaskDelivery.objects.filter(pk=row.pk).update(
                attempts=1, first_started_at=now, last_started_at=now, abandoned_at=None
            )
        else:
            TaskDelivery.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1, last_started_at=now
            )
        row.refresh_from_db()
        if row.attempts <= limit:
            return True
        if row.abandoned_at is None:
            TaskDelivery.objects.filter(pk=row.pk).update(abandoned_at=timezone.now())
    logger.error(
        "task %s[%s] started %d times without finishing; abandoned (poison message?)",
        task,
        key,
        row.attempts,
    )
    return False


def delivery_end(*, task: str, key: str) -> None:
    TaskDelivery.objects.filter(task=task, key=key).delete()


def guard_redeliveries(func):
    """Wrap a task's body: count its starts per arguments and give up after too many.

    In-process (eager) runs are never redelivered, so they are not counted.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from celery import current_task

        request = getattr(current_task, "request", None)
        if current_task is None or request is None or request.is_eager or not request.id:
            return func(*args, **kwargs)
        task, key = current_task.name, delivery_key(args, kwargs)
        if not delivery_begin(task=task, key=key):
            return None
        result = func(*args, **kwargs)
        delivery_end(task=task, key=key)
        return result

    return wrapper
