"""A long export runs in the background, and its page shows it: a director asks for a year
of statement PDFs, the job's page opens at once and its progress bar is seen part way,
then at 100 % with the file offered. A real Celery worker (a thread of this process, over
kombu's in-memory transport) runs the job, as the worker of `make run` does over files.

The job is held part way, not slowed down: the worker waits after its first statement
until the page has shown that progress, so the test never depends on how fast the machine
is."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.test import Client

from cases.services import assistance_request_create
from organisations.models import Role
from tests.factories import AssociationFactory, InstitutionFactory, MembershipFactory
from tests.workload.conftest import celery_conf
from workload import services
from workload.models import Job
from workload.services import rollups_sweep_dirty

# The live server and the worker read what the test wrote, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

PROGRESS = "document.getElementById('progress')"


@pytest.fixture
def director_page(live_server, browser):
    """A director of an association with a year of work transferred to three bodies."""
    association = AssociationFactory(slug="asbl-annee", name="Maison de quartier Nord")
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    bodies = [
        InstitutionFactory(name="CPAS de Schaerbeek", kind="cpas", postcode="1030"),
        InstitutionFactory(name="SPF Finances", kind="pub_fed", postcode="1000"),
        InstitutionFactory(name="Banque Exemple", kind="bank", postcode="1000"),
    ]
    for month in range(1, 13):
        for body in bodies:
            assistance_request_create(
                association=association,
                occurred_on=dt.date(2025, month, 5),
                duration_minutes=30,
                channel="on_site",
                consent="oral",
                procedure_domain="tax.pit_return",
                referrer_kind="self",
                responsible_institution=body,
                responsible_kind="pub_fed",
                barriers=["itsme"],
                mode="do_for",
                outcome="resolved",
            )
    rollups_sweep_dirty()
    client = Client()
    client.force_login(director)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


@pytest.fixture
def held_part_way(monkeypatch):
    """The worker stops after the first progress past its start (1 %) and before 100 %,
    until `go` is set: (seen, go), `seen` set once it got there."""
    seen, go = threading.Event(), threading.Event()
    record = services.job_set_progress

    def job_set_progress(job_id, progress):
        record(job_id, progress)
        if 1 < progress < 100 and not seen.is_set():
            seen.set()
            # Bounded, so that a broken test ends instead of holding the worker for ever.
            go.wait(timeout=120)

    monkeypatch.setattr(services, "job_set_progress", job_set_progress)
    yield seen, go
    go.set()


@pytest.mark.timeout(300)
def test_a_year_of_statement_pdfs_shows_its_progress_then_its_file(
    live_server, director_page, held_part_way, screenshot
):
    from celery.contrib.testing.worker import start_worker

    page = director_page
    seen, go = held_part_way
    with (
        celery_conf(task_always_eager=False, broker_url="memory://") as app,
        start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"),
    ):
        # Given a year of statements, when the director asks for their PDF
        page.goto(f"{live_server.url}/workload/statements/?from=2025-01&to=2025-12")
        page.get_by_role("button", name="Prepare the PDF of all statements").click()

        # then the job's page opens while the work is still to do
        page.wait_for_url("**/workload/jobs/*/")
        job = Job.objects.get()
        assert job.state in (Job.State.QUEUED, Job.State.RUNNING)
        assert page.locator("[data-download]").count() == 0

        # and, updating itself, it shows the bar part way
        assert seen.wait(timeout=120), "the worker never started the job"
        page.wait_for_function(
            f"{PROGRESS} && {PROGRESS}.value > 1 && {PROGRESS}.value < 100", timeout=60_000
        )
        part_way = int(page.locator("#progress").get_attribute("value"))
        assert 0 < part_way < 100
        assert page.locator("[data-download]").count() == 0
        screenshot(page, "job-progress-part-way")

        # When the worker goes on, then the bar reaches 100 % and the file is offered
        go.set()
        page.wait_for_selector("[data-download]", timeout=60_000)
        assert page.locator("#progress").get_attribute("value") == "100"
        screenshot(page, "job-progress-done")

        with page.expect_download() as download:
            page.locator("[data-download]").click()
        assert download.value.suggested_filename.endswith(".pdf")

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
