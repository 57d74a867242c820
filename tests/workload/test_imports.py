"""A director imports a log from the web: the file waits for a job with progress, every row
is checked, and the job's page says how many entries came in or which lines to fix."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attempts.models import ContactAttempt
from cases.imports import import_file_store, imports_expire
from cases.models import AssistanceRequest
from workload.models import Job
from workload.tasks import run_import_job_task

from .conftest import celery_conf
from .reports_data import reports_fixture, web_client  # noqa: F401

HEADER = (
    "occurred_on;duration_minutes;channel;procedure_domain;referrer_kind;responsible_kind;"
    "barriers;mode;outcome;consent"
)
GOOD = "2026-10-06;30;on_site;tax.pit_return;cpas;pub_fed;itsme;do_for;resolved;oral"


def csv_file(*rows) -> SimpleUploadedFile:
    content = "\n".join([HEADER, *rows]).encode()
    return SimpleUploadedFile("journal 2025.csv", content, content_type="text/csv")


@pytest.fixture
def director(reports, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return web_client("mine", "dir@mine.be", "director")


def import_file(client, upload, django_capture_on_commit_callbacks):
    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        return client.post("/workload/imports/", {"file": upload})


def test_a_director_imports_a_log_and_follows_the_job_to_its_count(
    director, reports, tmp_path, django_capture_on_commit_callbacks
):
    before = AssistanceRequest.objects.filter(association=reports["mine"]).count()

    response = import_file(director, csv_file(GOOD, GOOD), django_capture_on_commit_callbacks)

    job = Job.objects.get(kind="import")
    assert response.status_code == 302 and response["Location"] == f"/workload/jobs/{job.pk}/"
    assert (job.state, job.progress, job.result["imported"]) == ("succeeded", 100, 2)
    after = AssistanceRequest.objects.filter(association=reports["mine"]).count()
    assert after == before + 2
    page = director.get(response["Location"]).content.decode()
    assert "journal 2025.csv" in page and "2 saisies importées" in page
    assert not list(tmp_path.glob("imports/*/*"))  # the uploaded log is not kept


def test_a_file_with_a_bad_line_imports_nothing_and_the_page_lists_the_line(
    director, reports, tmp_path, django_capture_on_commit_callbacks
):
    before = AssistanceRequest.objects.count()
    bad = GOOD.replace(";30;", ";1500;")

    import_file(director, csv_file(GOOD, bad), django_capture_on_commit_callbacks)

    job = Job.objects.get(kind="import")
    assert job.state == "failed"
    assert AssistanceRequest.objects.count() == before
    page = director.get(f"/workload/jobs/{job.pk}/").content.decode()
    assert "Rien n&#x27;a été importé" in page or "Rien n'a été importé" in page
    assert "ligne 3, colonne <strong>duration_minutes</strong>" in page
    assert not list(tmp_path.glob("imports/*/*"))


def test_no_file_is_refused_by_name_and_queues_nothing(director):
    response = director.post("/workload/imports/", {})

    assert response.status_code == 400
    assert "file" in response.content.decode()
    assert not Job.objects.exists()


def test_only_a_director_imports_and_only_their_association_sees_the_job(
    director, reports, django_capture_on_commit_callbacks
):
    worker = web_client("mine", "w@mine.be", "worker")
    assert worker.get("/workload/imports/").status_code == 403
    assert worker.post("/workload/imports/", {"file": csv_file(GOOD)}).status_code == 403
    assert worker.get("/workload/imports/template/").status_code == 403
    assert worker.get("/workload/imports/codes/").status_code == 403

    import_file(director, csv_file(GOOD), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="import")
    stranger = web_client("other", "dir@other.be", "director")
    assert stranger.get(f"/workload/jobs/{job.pk}/").status_code == 404
    assert director.get(f"/workload/jobs/{job.pk}/download/").status_code == 404


def test_an_upload_no_job_will_read_is_deleted_the_next_night(director, reports, tmp_path):
    stored = import_file_store(association=reports["mine"], upload=csv_file(GOOD))
    fresh = import_file_store(association=reports["mine"], upload=csv_file(GOOD))
    old = tmp_path / "imports" / stored
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))

    assert imports_expire() == 1
    assert not old.exists() and (tmp_path / "imports" / fresh).exists()


def test_an_oversized_cell_is_refused_by_its_line_and_the_file_is_deleted(
    director, reports, tmp_path, django_capture_on_commit_callbacks
):
    before = AssistanceRequest.objects.count()
    huge = GOOD + ";" + "x" * 200_000  # one cell past the csv module's size limit

    import_file(director, csv_file(GOOD, huge), django_capture_on_commit_callbacks)

    job = Job.objects.get(kind="import")
    assert job.state == "failed"
    assert AssistanceRequest.objects.count() == before
    page = director.get(f"/workload/jobs/{job.pk}/").content.decode()
    assert "ligne 3" in page
    assert "administrat" not in page  # not the "warn your administrator" of a crash
    assert not list(tmp_path.glob("imports/*/*"))


def test_an_import_that_fails_on_the_database_deletes_the_file_at_once(
    director, reports, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    def database_down(**kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr("cases.imports.assistance_requests_bulk_create", database_down)

    import_file(director, csv_file(GOOD), django_capture_on_commit_callbacks)

    assert Job.objects.get(kind="import").state == "failed"
    assert not list(tmp_path.glob("imports/*/*"))


@pytest.mark.skipif(
    bool(os.environ.get("CELERY_BROKER_URL")),
    reason="the embedded default's broker; with a broker configured the Redis tests cover it",
)
def test_on_the_embedded_broker_an_import_waits_for_the_worker_not_in_the_request(
    director, reports, tmp_path, django_capture_on_commit_callbacks
):
    # The attack: a 200k-row import ran inside the upload request, and another association's
    # save waited on it. On make run's filesystem broker the request only queues the job.
    queue = tmp_path / "broker"
    queue.mkdir()
    before = AssistanceRequest.objects.count()
    options = {"data_folder_in": str(queue), "data_folder_out": str(queue)}
    with (
        celery_conf(
            task_always_eager=False,
            broker_url="filesystem://",
            broker_transport_options=options,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = director.post("/workload/imports/", {"file": csv_file(GOOD, GOOD)})

    job = Job.objects.get(kind="import")
    assert response.status_code == 302
    assert job.state == "queued" and AssistanceRequest.objects.count() == before
    assert len(list(queue.iterdir())) == 1  # the message waits for the worker
    # The worker's turn: the same task body, as `make run`'s worker runs it.
    run_import_job_task.run(job.pk)
    job.refresh_from_db()
    assert job.state == "succeeded" and AssistanceRequest.objects.count() == before + 2


def test_the_import_page_offers_a_template_and_the_code_list_in_the_users_language(director):
    page = director.get("/workload/imports/").content.decode()
    assert 'href="/workload/imports/template/"' in page
    assert 'href="/workload/imports/codes/"' in page

    template = director.get("/workload/imports/template/")
    codes = director.get("/workload/imports/codes/")

    assert template["Content-Type"].startswith("text/csv")
    header, example = template.content.decode("utf-8-sig").splitlines()
    assert header.startswith("Date;Durée (minutes);Canal;")
    assert "Faire avec" in example and "tax.pit_return" not in example
    listed = codes.content.decode("utf-8-sig").splitlines()
    assert listed[0] == "Colonne;Champ;Code;fr;nl;en"
    assert "Canal;channel;phone;Téléphone;Telefoon;Phone" in listed


def test_the_template_as_downloaded_imports_its_example_row(
    director, reports, django_capture_on_commit_callbacks
):
    before = AssistanceRequest.objects.filter(association=reports["mine"]).count()
    template = director.get("/workload/imports/template/").content
    upload = SimpleUploadedFile("modele.csv", template, content_type="text/csv")

    import_file(director, upload, django_capture_on_commit_callbacks)

    job = Job.objects.get(kind="import")
    assert (job.state, job.result["imported"]) == ("succeeded", 1)
    entry = AssistanceRequest.objects.filter(association=reports["mine"]).latest("pk")
    assert (entry.mode, entry.barrier_codes) == ("do_with", ["itsme"])
    assert AssistanceRequest.objects.filter(association=reports["mine"]).count() == before + 1


def test_the_same_file_twice_is_refused_with_the_day_it_came_and_rows_there_are_listed(
    director, reports, django_capture_on_commit_callbacks
):
    first = csv_file(GOOD, GOOD.replace(";30;", ";40;"))
    import_file(director, first, django_capture_on_commit_callbacks)
    count = AssistanceRequest.objects.count()

    import_file(
        director, csv_file(GOOD, GOOD.replace(";30;", ";40;")), django_capture_on_commit_callbacks
    )

    again = Job.objects.filter(kind="import").latest("pk")
    assert again.state == "failed" and AssistanceRequest.objects.count() == count
    page = director.get(f"/workload/jobs/{again.pk}/").content.decode()
    assert "Ce fichier a déjà été importé le " in page

    # Another file: the first two rows are the entries already there, the third is new.
    third = GOOD.replace(";30;", ";50;")
    import_file(
        director,
        csv_file(GOOD, GOOD.replace(";30;", ";40;"), third),
        django_capture_on_commit_callbacks,
    )

    latest = Job.objects.filter(kind="import").latest("pk")
    assert latest.state == "succeeded" and latest.result["already_there"] == [2, 3]
    assert AssistanceRequest.objects.count() == count + 1
    page = director.get(f"/workload/jobs/{latest.pk}/").content.decode()
    assert "1 saisie importée" in page
    assert "Déjà dans le journal, pas importées une seconde fois : lignes 2, 3." in page


ATTEMPTS_HEADER = "Date;Type d'institution;Canal essayé;Résultat;Temps perdu (minutes)"


def attempts_file(*rows) -> SimpleUploadedFile:
    content = "\n".join([ATTEMPTS_HEADER, *rows]).encode()
    return SimpleUploadedFile("tentatives 2026.csv", content, content_type="text/csv")


def import_attempts(client, upload, django_capture_on_commit_callbacks):
    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        return client.post("/workload/imports/", {"file": upload, "file_kind": "attempts"})


def test_the_import_page_lets_the_director_choose_a_file_of_contact_attempts(director):
    page = director.get("/workload/imports/").content.decode()

    assert '<input type="radio" name="file_kind" value="entries" checked>' in page
    assert '<input type="radio" name="file_kind" value="attempts">' in page
    assert "Tentatives de contact" in page
    assert 'href="/workload/imports/attempts/template/"' in page
    assert 'href="/workload/imports/attempts/codes/"' in page
    template = director.get("/workload/imports/attempts/template/")
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode("utf-8-sig").startswith("Date;Type d'institution;")
    codes = director.get("/workload/imports/attempts/codes/").content.decode("utf-8-sig")
    assert "Résultat;result;line_saturated;" in codes


def test_a_director_imports_contact_attempts_and_follows_the_job_to_its_count(
    director, reports, tmp_path, django_capture_on_commit_callbacks
):
    before = ContactAttempt.objects.count()

    response = import_attempts(
        director,
        attempts_file(
            "2026-10-06;CPAS;Téléphone (ligne générale ou helpdesk);no_answer;35",
            "2026-10-07;cpas;counter;Guichet fermé ou accès refusé sans rendez-vous;20",
        ),
        django_capture_on_commit_callbacks,
    )

    job = Job.objects.get(kind="import")
    assert response.status_code == 302 and response["Location"] == f"/workload/jobs/{job.pk}/"
    assert (job.state, job.progress, job.result["imported"]) == ("succeeded", 100, 2)
    assert ContactAttempt.objects.count() == before + 2
    assert not AssistanceRequest.objects.filter(created_at__gte=job.created_at).exists()
    page = director.get(response["Location"]).content.decode()
    assert "tentatives 2026.csv" in page and "2 tentatives de contact importées" in page
    assert not list(tmp_path.glob("imports/*/*"))


def test_a_file_of_attempts_with_a_bad_line_imports_nothing_and_the_page_lists_it(
    director, reports, tmp_path, django_capture_on_commit_callbacks
):
    before = ContactAttempt.objects.count()

    import_attempts(
        director,
        attempts_file("2026-10-06;cpas;phone;no_answer;35", "2026-10-06;cpas;phone;;700"),
        django_capture_on_commit_callbacks,
    )

    job = Job.objects.get(kind="import")
    assert job.state == "failed"
    assert ContactAttempt.objects.count() == before
    page = director.get(f"/workload/jobs/{job.pk}/").content.decode()
    assert "ligne 3, colonne <strong>Résultat</strong>" in page
    assert "ligne 3, colonne <strong>Temps perdu (minutes)</strong>" in page
    assert not list(tmp_path.glob("imports/*/*"))


def test_a_file_of_attempts_chosen_as_entries_is_refused_at_once_saying_what_to_choose(
    director, tmp_path
):
    response = director.post(
        "/workload/imports/",
        {"file": attempts_file("2026-10-06;cpas;phone;no_answer;35"), "file_kind": "entries"},
    )

    assert response.status_code == 400
    assert "choisissez « Tentatives de contact »" in response.content.decode()
    assert not Job.objects.filter(kind="import").exists()
    assert not list(tmp_path.glob("imports/*/*"))


def test_attempts_already_in_the_diary_are_listed_and_not_imported_twice(
    director, reports, django_capture_on_commit_callbacks
):
    row = "2026-10-06;cpas;phone;no_answer;35"
    import_attempts(director, attempts_file(row), django_capture_on_commit_callbacks)
    count = ContactAttempt.objects.count()

    import_attempts(
        director,
        attempts_file(row, "2026-10-06;cpas;phone;no_answer;40"),
        django_capture_on_commit_callbacks,
    )

    latest = Job.objects.filter(kind="import").latest("pk")
    assert latest.state == "succeeded" and latest.result["already_there"] == [2]
    assert ContactAttempt.objects.count() == count + 1
    page = director.get(f"/workload/jobs/{latest.pk}/").content.decode()
    assert "1 tentative de contact importée" in page
    assert "Déjà dans le journal des tentatives de contact" in page
    assert "ligne 2." in page
