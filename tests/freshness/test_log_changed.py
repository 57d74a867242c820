"""The log's one door to its figures: `log_changed` marks the months in the writer's
transaction and queues each month's recomputation, by task name, once it commits."""

import pytest
from celery import current_app
from django.db import transaction

from freshness.models import DirtyMonth
from freshness.services import RECOMPUTE_MONTH_TASK, log_changed
from tests.factories import AssociationFactory


def test_the_task_queued_by_name_is_the_workload_apps_recomputation():
    from workload.tasks import recompute_month_task

    # shared_task gives a proxy of the task registered in the app.
    assert current_app.tasks[RECOMPUTE_MONTH_TASK] is recompute_month_task._get_current_object()


def test_each_month_changed_is_marked_and_queued_once_the_write_commits(
    django_capture_on_commit_callbacks,
):
    association = AssociationFactory()
    with django_capture_on_commit_callbacks() as queued:
        log_changed(association_id=association.pk, months={"2026-09", "2026-10"})

    assert sorted(DirtyMonth.objects.values_list("association_id", "month")) == [
        (association.pk, "2026-09"),
        (association.pk, "2026-10"),
    ]
    assert len(queued) == 2


def test_a_write_rolled_back_leaves_no_mark_and_queues_nothing(
    django_capture_on_commit_callbacks,
):
    association = AssociationFactory()
    with django_capture_on_commit_callbacks() as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            log_changed(association_id=association.pk, months={"2026-10"})
            raise RuntimeError("the write failed")

    assert not DirtyMonth.objects.exists()
    assert queued == []
