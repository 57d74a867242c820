"""Figures follow the log: a write marks its month dirty in its own transaction, a task
recomputes the month after commit, and nothing is lost when the broker or a worker fails."""

import datetime as dt
import os
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from cases.services import assistance_request_update
from freshness.models import DirtyMonth
from freshness.services import dirty_months_mark
from organisations.services import association_update_settings
from workload.models import Job, Rollup
from workload.selectors import monthly_table_for_association, period_parse
from workload.services import (
    rollups_recompute,
    rollups_recompute_dirty_month,
    rollups_sweep_dirty,
)

from .conftest import celery_conf, log

OCTOBER = period_parse("2026-10", "2026-10")
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def october_total(association):
    return monthly_table_for_association(association=association, period=OCTOBER)[0]


def test_an_entry_marks_its_month_dirty_in_the_same_transaction(association):
    log(association, duration_minutes=45)

    assert DirtyMonth.objects.filter(association=association, month="2026-10").exists()


def test_in_process_tasks_bring_the_month_up_to_date_after_commit(
    association, django_capture_on_commit_callbacks
):
    with celery_conf(task_always_eager=True):
        with django_capture_on_commit_callbacks(execute=True):
            log(association, duration_minutes=45)
            log(association, duration_minutes=15, barriers=[])

    total = october_total(association)
    assert total["requests"] == 2
    assert total["minutes"] == 60
    assert total["transferred_minutes"] == 45
    assert total["transferred_value_eur"] == Decimal("30.00")
    assert not DirtyMonth.objects.exists()


def test_editing_an_entry_into_another_month_refreshes_both_months(
    association, django_capture_on_commit_callbacks
):
    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        entry = log(association)

    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        assistance_request_update(entry=entry, occurred_on=dt.date(2026, 9, 30))

    assert october_total(association)["requests"] == 0
    september = monthly_table_for_association(
        association=association, period=period_parse("2026-09", "2026-09")
    )[0]
    assert september["requests"] == 1


def test_many_writes_to_one_month_coalesce_into_one_recomputation(association):
    for _ in range(5):
        log(association)

    assert rollups_recompute_dirty_month(association_id=association.pk, month="2026-10")
    # The four other queued tasks for the month find nothing left to do.
    assert not rollups_recompute_dirty_month(association_id=association.pk, month="2026-10")
    assert october_total(association)["requests"] == 5


def test_a_mark_made_during_a_recomputation_survives_it(association):
    log(association)
    original = DirtyMonth.objects.get(association=association)

    # A write lands while the recomputation runs: the mark gets a new version...
    marked = []

    def concurrent_write(progress):
        if progress >= 50 and not marked:
            marked.append(progress)
            dirty_months_mark(association_id=association.pk, months={"2026-10"})

    rollups_recompute(
        association_id=association.pk, months=["2026-10"], on_progress=concurrent_write
    )

    # ...so the month stays dirty for the next run instead of being forgotten.
    remaining = DirtyMonth.objects.get(association=association)
    assert remaining.version != original.version


@pytest.mark.timeout(30)
def test_with_the_broker_unreachable_the_entry_is_saved_and_the_sweep_catches_up(
    association, django_capture_on_commit_callbacks
):
    with celery_conf(broker_url=CLOSED_PORT_BROKER, task_always_eager=False):
        with django_capture_on_commit_callbacks(execute=True):
            entry = log(association, duration_minutes=50)

    # The worker's entry is saved, and the month waits in the outbox.
    assert entry.pk is not None
    assert DirtyMonth.objects.filter(association=association, month="2026-10").exists()
    assert october_total(association)["requests"] == 0

    # When the beat's sweep runs, the figures catch up.
    assert rollups_sweep_dirty() == 1
    assert october_total(association)["minutes"] == 50
    assert not DirtyMonth.objects.exists()


def test_changing_the_hourly_cost_revalues_the_figures(
    association, django_capture_on_commit_callbacks
):
    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        log(association, duration_minutes=90)
    assert october_total(association)["transferred_value_eur"] == Decimal("60.00")

    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        association_update_settings(association=association, hourly_cost_eur=Decimal("52.50"))

    assert october_total(association)["transferred_value_eur"] == Decimal("78.75")
    job = Job.objects.get(association=association)
    assert (job.kind, job.state, job.progress) == ("recompute", "succeeded", 100)


requires_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="row locks are PostgreSQL's; SQLite serialises writers by itself",
)


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_recomputing_the_same_month_at_once_leave_exact_figures(association):
    for minutes in (10, 20, 30):
        log(association, duration_minutes=minutes)
    errors = []

    def recompute():
        try:
            rollups_recompute(association_id=association.pk, months=["2026-10"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert october_total(association)["minutes"] == 60
    assert Rollup.objects.filter(association=association, dimension="total").count() == 1


requires_broker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"),
    reason="needs a real broker (CI runs this on Redis)",
)


@requires_broker
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_over_redis_keeps_the_figures_fresh(association):
    from celery.contrib.testing.worker import start_worker

    with celery_conf(task_always_eager=False) as app:
        app.control.purge()
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            log(association, duration_minutes=25)
            log(association, duration_minutes=35, barriers=[])
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if not DirtyMonth.objects.exists() and october_total(association)["requests"]:
                    break
                time.sleep(0.2)

    total = october_total(association)
    assert total["requests"] == 2
    assert total["minutes"] == 60
    assert total["transferred_minutes"] == 25


@requires_broker
@pytest.mark.timeout(60)
def test_a_burst_of_entries_in_one_month_queues_one_recomputation(
    association, django_capture_on_commit_callbacks
):
    import redis

    from workload.tasks import recompute_month_task

    with celery_conf(task_always_eager=False) as app:
        app.control.purge()
        queue = redis.Redis.from_url(app.conf.broker_url)
        for minutes in (10, 20, 30):
            with django_capture_on_commit_callbacks(execute=True):
                log(association, duration_minutes=minutes)
        assert queue.llen("celery") == 1

        # The recomputation clears the flag before reading the log, so the next entry,
        # which it may not have seen, queues another one.
        recompute_month_task(association.pk, "2026-10")
        with django_capture_on_commit_callbacks(execute=True):
            log(association, duration_minutes=40)
        assert queue.llen("celery") == 2
        app.control.purge()

    assert october_total(association)["minutes"] == 60
