"""A message that kills its worker every time is given up after a bounded number of starts
instead of looping for ever (acks_late + reject_on_worker_lost redeliver it each time)."""

import logging
from types import SimpleNamespace

import pytest

import reliability.services as guard
from reliability.models import TaskDelivery
from reliability.services import delivery_begin, delivery_end, guard_redeliveries


def test_a_message_started_too_often_without_finishing_is_abandoned_and_logged(caplog):
    for _ in range(3):
        assert delivery_begin(task="workload.recompute_month", key="[7, '2026-10']", limit=3)

    with caplog.at_level(logging.ERROR, logger="reliability.services"):
        assert not delivery_begin(task="workload.recompute_month", key="[7, '2026-10']", limit=3)

    row = TaskDelivery.objects.get()
    assert row.attempts == 4
    assert row.abandoned_at is not None
    assert "abandoned" in caplog.text


def test_a_finished_task_forgets_its_attempts():
    delivery_begin(task="workload.recompute_month", key="k", limit=3)
    delivery_end(task="workload.recompute_month", key="k")

    assert not TaskDelivery.objects.exists()


def test_each_key_is_counted_separately():
    for _ in range(3):
        delivery_begin(task="t", key="a", limit=3)

    assert delivery_begin(task="t", key="b", limit=3)


@pytest.fixture
def fake_current_task(monkeypatch):
    import celery

    task = SimpleNamespace(name="workload.fake", request=SimpleNamespace(is_eager=False, id="x"))
    monkeypatch.setattr(celery, "current_task", task)
    return task


def test_the_guard_stops_running_a_poisoned_task_body(fake_current_task, settings):
    settings.TASK_MAX_DELIVERIES = 2
    runs = []

    @guard_redeliveries
    def body(job_id):
        runs.append(job_id)
        raise SystemExit("the worker dies")

    for _ in range(4):
        try:
            body(5)
        except SystemExit:
            pass

    assert runs == [5, 5]
    assert TaskDelivery.objects.get().attempts == 4


def test_in_process_runs_are_not_counted(fake_current_task):
    fake_current_task.request.is_eager = True

    assert guard_redeliveries(lambda: "done")() == "done"
    assert not TaskDelivery.objects.exists()
    assert guard.WINDOW.days == 1
