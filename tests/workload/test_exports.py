"""Exports: every file carries the figures of the rollups, opens in the tool it is made for,
and leaks nothing: no formula, no person, no other association."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from organisations.services import federation_create_or_update
from rendering.tables import Sheet, csv_bytes, neutralise
from tests.factories import InstitutionFactory, log_entry
from workload import exports, selectors
from workload.log_export import log_export
from workload.metrics import PUBLISHED_METRICS
from workload.models import Job
from workload.services import rollups_sweep_dirty
from workload.tasks import run_export_job_task

from .conftest import celery_conf
from .reports_data import HOSTILE_NAME, reports_fixture, web_client  # noqa: F401

needs_pdf = pytest.mark.skipif(
    not exports.pdf_available(), reason="WeasyPrint's system packages are not installed"
)
PERIOD = "from=2026-09&to=2026-10"


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def codes_by_label(book) -> dict:
    """The workbook's last sheet, its definitions: each column's label and its code."""
    definitions = book.worksheets[-1]
    return {row[0].value: row[1].value for row in definitions.iter_rows(min_row=2)}


def xlsx_records(book, index=0) -> list[dict]:
    """The rows of a sheet keyed by the columns' codes, read through the definitions sheet."""
    codes = codes_by_label(book)
    sheet = book.worksheets[index]
    header = [codes[cell.value] for cell in sheet[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def rollup_rows(association, group_by=None):
    return selectors.monthly_table_for_association(
        association=association,
        period=selectors.period_parse("2026-09", "2026-10"),
        group_by=group_by,
    )


def test_the_monthly_csv_carries_exactly_the_figures_of_the_rollups(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.get(f"/workload/monthly/download/?{PERIOD}&format=csv")

    assert response.status_code == 200
    assert "tableau-mensuel-2026-09-2026-10.csv" in response["Content-Disposition"]
    expected = rollup_rows(reports["mine"])
    got = csv_rows(response)
    assert [row["month"] for row in got] == ["2026-09", "2026-10"]
    for line, row in zip(got, expected, strict=True):
        for name in PUBLISHED_METRICS:
            value = row[name]
            if value is None:
                assert line[name] == ""
            elif isinstance(value, float):
                assert float(line[name]) == pytest.approx(value)
            else:
                assert Decimal(line[name]) == Decimal(value), name
    assert got[1]["transferred_minutes"] == "90" and got[1]["transferred_value_eur"] == "60.00"


def test_the_monthly_xlsx_has_a_header_typed_cells_and_the_definitions(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.get(f"/workload/monthly/download/?{PERIOD}&format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = workbook(response)
    table, definitions = book.worksheets
    header = [cell.value for cell in table[1]]
    assert header[:4] == ["Mois", "Groupe (code)", "Saisies", "Minutes"]
    assert table.cell(1, 1).font.b
    codes = codes_by_label(book)
    header = [codes[label] for label in header]
    assert header[:4] == ["month", "group", "requests", "minutes"]
    october = {name: table.cell(3, header.index(name) + 1).value for name in header}
    assert october["month"] == "2026-10"
    assert october["requests"] == 2 and isinstance(october["requests"], int)
    assert october["transferred_minutes"] == 90
    assert october["transferred_value_eur"] == pytest.approx(60.0)
    assert october["transferred_share"] == pytest.approx(1.0)
    assert table.cell(3, header.index("transferred_share") + 1).number_format == "0.0%"
    defined = {row[1].value: row[2].value for row in definitions.iter_rows(min_row=2)}
    assert set(PUBLISHED_METRICS) <= set(defined)
    assert defined["transferred_minutes"] == "Minutes des entrées transférées."


def test_a_grouped_monthly_table_labels_its_groups_in_the_users_language(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.get(
        f"/workload/monthly/download/?{PERIOD}&format=csv&group_by=barrier",
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    rows = csv_rows(response)
    itsme = [r for r in rows if r["group"] == "itsme"]
    assert itsme and itsme[0]["group_label"] != "itsme"
    assert sum(int(r["minutes"]) for r in itsme) == 75


def test_the_statements_add_up_to_the_transferred_work_of_the_rollups(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.get(f"/workload/statements/?{PERIOD}&format=xlsx")

    rows = xlsx_records(workbook(response))
    total_minutes = sum(r["transferred_minutes"] for r in rollup_rows(reports["mine"]))
    assert sum(r["transferred_minutes"] for r in rows) == total_minutes == 135
    cpas = next(r for r in rows if r["institution_id"] == reports["hostile"].pk)
    assert cpas["transferred_minutes"] == 105
    assert cpas["transferred_value_eur"] == pytest.approx(70.0)
    assert cpas["referred_transferred_minutes"] == 60
    assert cpas["hourly_cost_eur"] == pytest.approx(40.0)


def test_a_single_statement_csv_holds_totals_and_splits(reports):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['bank'].pk}"

    response = director.get(f"/workload/statements/{key}/?{PERIOD}&format=csv")

    assert response.status_code == 200
    assert "releve-banque-exemple-2026-09-2026-10.csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert {r["institution"] for r in rows} == {"Banque Exemple"}
    total = next(r for r in rows if (r["section"], r["code"]) == ("total", "transferred"))
    assert (total["requests"], total["minutes"], total["value_eur"]) == ("1", "30", "20.00")
    non_take_up = next(r for r in rows if r["code"] == "non_take_up")
    assert non_take_up["requests"] == "1"
    assert [r["code"] for r in rows if r["section"] == "month"] == ["2026-10"]


def test_a_hostile_institution_name_stays_text_in_csv_and_xlsx(reports):
    director = web_client("mine", "dir@mine.be", "director")

    as_csv = director.get(f"/workload/statements/?{PERIOD}&format=csv")
    as_xlsx = director.get(f"/workload/statements/?{PERIOD}&format=xlsx")
    grouped = director.get(
        f"/workload/monthly/download/?{PERIOD}&format=xlsx&group_by=responsible_institution"
    )

    names = {row["institution"] for row in csv_rows(as_csv)}
    assert "'" + HOSTILE_NAME in names and HOSTILE_NAME not in names
    for response in (as_xlsx, grouped):
        cells = [
            cell
            for sheet in workbook(response).worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value == HOSTILE_NAME
        ]
        assert cells, "the name is kept as typed"
        assert all(cell.data_type == "s" for cell in cells)


def test_neutralising_leaves_numbers_and_plain_text_alone():
    assert neutralise("-5 + 3") == "'-5 + 3"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("+32 2 123") == "'+32 2 123"
    assert neutralise("CPAS d'Ixelles") == "CPAS d'Ixelles"
    assert neutralise(-5) == -5


@needs_pdf
def test_the_statement_pdf_opens_and_holds_the_figures(reports):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['hostile'].pk}"

    response = director.get(f"/workload/statements/{key}/?{PERIOD}&format=pdf&lang=en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Subcontracting statement" in text
    assert "Maison de quartier" in text and "2026-09" in text
    assert "1:45" in text and "€70.00" in text  # 105 minutes, at 40 € an hour
    assert "€40.00" in text  # the referred-transferred value and the hourly cost
    assert "105 minutes ÷ 60 × €40.00 per hour = €70.00" in text


@needs_pdf
def test_the_statement_pdf_speaks_french_and_dutch(reports):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['hostile'].pk}"

    french = pdf_text(
        director.get(f"/workload/statements/{key}/?{PERIOD}&format=pdf&lang=fr").content
    )
    dutch = pdf_text(
        director.get(f"/workload/statements/{key}/?{PERIOD}&format=pdf&lang=nl").content
    )

    assert "Relevé de sous-traitance" in french
    assert "Overzicht van onderaanneming" in dutch


@needs_pdf
def test_the_api_answers_every_format_with_the_same_figures(reports):
    from tests.api.test_workload_api import client_for

    director = client_for("mine", "api-dir@mine.be", "director")

    pdf = director.get(f"/api/v1/workload/statements/?{PERIOD}&format=pdf")
    xlsx = director.get(f"/api/v1/workload/monthly/?{PERIOD}&format=xlsx")

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "releves-2026-09-2026-10.pdf" in pdf["Content-Disposition"]
    assert "Banque Exemple" in pdf_text(pdf.content)
    assert "tableau-mensuel-2026-09-2026-10.xlsx" in xlsx["Content-Disposition"]
    assert workbook(xlsx).worksheets[0].cell(3, 4).value == 90  # October's minutes


def test_without_weasyprint_the_pdf_is_a_clear_message_not_a_failure(reports, monkeypatch):
    from tests.api.test_workload_api import client_for

    monkeypatch.setattr(exports, "pdf_available", lambda: False)
    director = web_client("mine", "dir@mine.be", "director")
    api = client_for("mine", "api-dir@mine.be", "director")
    key = f"institution-{reports['hostile'].pk}"

    page = director.get(f"/workload/statements/{key}/?{PERIOD}&lang=en")
    download = director.get(f"/workload/statements/{key}/?{PERIOD}&format=pdf&lang=en")
    over_api = api.get(f"/api/v1/workload/statements/?{PERIOD}&format=pdf")

    assert page.status_code == 200
    assert "make pdf-deps" in page.content.decode()
    assert download.status_code == 503 and "make pdf-deps" in download.content.decode()
    assert over_api.status_code == 503 and "format" in over_api.json()


def test_the_log_export_leaves_out_persons_workers_and_notes(reports, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    director = web_client("mine", "dir@mine.be", "director")
    period = selectors.period_parse("2026-09", "2026-10")

    file = log_export(association=reports["mine"], period=period, fmt="csv")

    text = file.content.decode()
    header = text.splitlines()[0].split(",")
    assert "person" not in " ".join(header) and "notes" not in header
    assert "created_by" not in header
    assert "0470" not in text and "999" not in text  # a note; the other association
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    assert sum(int(r["duration_minutes"]) for r in rows if r["transferred"] == "True") == 135
    assert director.get("/workload/").status_code == 200


def test_a_director_follows_a_log_export_job_to_its_download(
    reports, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    director = web_client("mine", "dir@mine.be", "director")

    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            "/workload/exports/",
            {"export": "log", "format": "xlsx", "from": "2026-09", "to": "2026-10"},
        )

    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/workload/jobs/{job.pk}/"
    assert (job.kind, job.state, job.progress) == ("export", "succeeded", 100)
    page = director.get(response["Location"]).content.decode()
    assert "<progress" in page and f"/workload/jobs/{job.pk}/download/" in page
    download = director.get(f"/workload/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert "journal-2026-09-2026-10.xlsx" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == 5  # the header and four entries
    polled = director.get(f"/api/v1/jobs/{job.pk}/").json()
    assert polled["progress"] == 100 and polled["download"] == f"/workload/jobs/{job.pk}/download/"


def test_export_files_are_deleted_a_week_after_they_were_made(reports, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    params = {"export": "log", "format": "csv", "from": "2026-09", "to": "2026-10"}
    old, recent = (
        Job.objects.create(kind="export", association=reports["mine"], params=params)
        for _ in range(2)
    )
    for job in (old, recent):
        run_export_job_task.run(job.pk)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    director = web_client("mine", "dir@mine.be", "director")

    assert exports.exports_expire() == 1
    assert exports.exports_expire() == 0  # the nightly task may run twice

    assert director.get(f"/workload/jobs/{old.pk}/download/").status_code == 404
    page = director.get(f"/workload/jobs/{old.pk}/").content.decode()
    assert "/download/" not in page and "7" in page
    assert director.get(f"/workload/jobs/{recent.pk}/download/").status_code == 200
    assert len(list(tmp_path.glob("exports/*/*"))) == 1


def test_a_queued_job_shows_its_progress_and_reloads_itself(reports):
    director = web_client("mine", "dir@mine.be", "director")
    job = Job.objects.create(
        kind="export",
        association=reports["mine"],
        progress=40,
        params={"export": "log", "format": "csv", "from": "2026-09", "to": "2026-10"},
    )

    page = director.get(f"/workload/jobs/{job.pk}/").content.decode()

    assert 'value="40"' in page and 'http-equiv="refresh"' in page
    assert "/download/" not in page


def test_a_bad_export_request_names_the_field_and_queues_nothing(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.post(
        "/workload/exports/", {"export": "log", "format": "pdf", "from": "2026-13", "to": "x"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "format" in body and "from" in body
    assert not Job.objects.exists()


def test_an_export_of_a_statement_that_cannot_exist_is_refused_before_it_is_queued(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.post(
        "/workload/exports/",
        {
            "export": "statements",
            "format": "csv",
            "from": "2026-09",
            "to": "2026-10",
            "statement": "institution-<script>",
        },
    )

    assert response.status_code == 400
    assert "statement" in response.content.decode()
    assert not Job.objects.exists()


def test_a_member_cannot_download_another_associations_export(reports, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    params = {"export": "log", "format": "csv", "from": "2026-09", "to": "2026-10"}
    theirs = Job.objects.create(kind="export", association=reports["other"], params=params)
    run_export_job_task.run(theirs.pk)  # the task's body, in this process
    theirs.refresh_from_db()
    assert theirs.state == "succeeded"
    worker = web_client("mine", "w@mine.be", "worker")
    director = web_client("mine", "dir@mine.be", "director")

    assert director.get(f"/workload/jobs/{theirs.pk}/").status_code == 404
    assert director.get(f"/workload/jobs/{theirs.pk}/download/").status_code == 404
    # A worker is refused every job by role, before any lookup: the same answer for any id.
    for pk in (theirs.pk, 999_999):
        assert worker.get(f"/workload/jobs/{pk}/").status_code == 403
        assert worker.get(f"/workload/jobs/{pk}/download/").status_code == 403
    # Their own director gets it.
    assert (
        web_client("other", "dir@other.be", "director")
        .get(f"/workload/jobs/{theirs.pk}/download/")
        .status_code
        == 200
    )


def test_a_worker_reads_figures_but_cannot_export_the_log(reports):
    worker = web_client("mine", "w@mine.be", "worker")

    assert worker.get(f"/workload/monthly/download/?{PERIOD}&format=csv").status_code == 200
    response = worker.post(
        "/workload/exports/", {"export": "log", "format": "csv", "from": "2026-09", "to": "2026-10"}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_an_analyst_gets_403_on_every_report(reports):
    federation_create_or_update(slug="fed", name="Fed")
    analyst = web_client("fed", "an@fed.be", "analyst")

    for path in (
        "/workload/",
        f"/workload/monthly/download/?{PERIOD}&format=csv",
        f"/workload/statements/?{PERIOD}",
        f"/workload/statements/institution-{reports['hostile'].pk}/?{PERIOD}&format=csv",
    ):
        assert analyst.get(path).status_code == 403, path
    assert analyst.post("/workload/exports/", {"export": "log"}).status_code == 403


@needs_pdf
def test_the_pdf_of_all_statements_is_built_by_a_job_one_statement_a_page(
    reports, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    director = web_client("mine", "dir@mine.be", "director")

    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        director.post(
            "/workload/exports/",
            {
                "export": "statements",
                "format": "pdf",
                "from": "2026-09",
                "to": "2026-10",
                "language": "en",
            },
        )

    job = Job.objects.get()
    assert job.state == "succeeded"
    download = director.get(f"/workload/jobs/{job.pk}/download/")
    assert "statements-2026-09-2026-10.pdf" in download["Content-Disposition"]
    text = pdf_text(b"".join(download.streaming_content))
    assert text.count("Subcontracting statement") == 2  # the CPAS's and the bank's
    assert "Banque Exemple" in text
    # Each statement is a letter of its own: its pages are numbered from 1.
    assert len(re.findall(r"(?m)^1 / \d+$", text)) == 2


def test_a_worker_cannot_open_or_download_the_directors_export_job(reports, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    params = {"export": "log", "format": "csv", "from": "2026-09", "to": "2026-10"}
    job = Job.objects.create(kind="export", association=reports["mine"], params=params)
    run_export_job_task.run(job.pk)
    worker = web_client("mine", "worker@mine.be", "worker")

    # The attack: a worker of the same association guesses the job's number.
    download = worker.get(f"/workload/jobs/{job.pk}/download/")
    page = worker.get(f"/workload/jobs/{job.pk}/")

    assert download.status_code == 403
    assert page.status_code == 403
    assert "duration_minutes" not in download.content.decode()
    director = web_client("mine", "dir@mine.be", "director")
    assert director.get(f"/workload/jobs/{job.pk}/download/").status_code == 200


SEMICOLON_ATTACK = "x;=cmd|' /C calc'!A0"


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_name_hiding_a_formula_behind_a_separator_is_text_whichever_separator_reads_it(
    reports, delimiter
):
    # The attack: a body whose name splits into a formula cell when Excel in Belgium reads
    # the comma file with semicolons.
    body = InstitutionFactory(name=SEMICOLON_ATTACK, kind="bank", postcode="1000")
    log_entry(
        reports["mine"],
        occurred_on=dt.date(2026, 10, 20),
        responsible_institution=body,
        barriers=["upload"],
    )
    rollups_sweep_dirty()
    director = web_client("mine", "dir@mine.be", "director")

    content = director.get(f"/workload/statements/?{PERIOD}&format=csv").content.decode()

    cells = [cell for row in csv.reader(io.StringIO(content), delimiter=delimiter) for cell in row]
    dangerous = [c for c in cells if c.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert dangerous == []
    if delimiter == ",":
        assert "x;'=cmd|' /C calc'!A0" in cells  # quoted whole, guarded inside


def test_every_cell_with_a_separator_a_quote_or_a_line_break_is_quoted_in_both_files():
    sheet = Sheet("t", ["a", "b"], [["un;deux", 'dit "oui"'], ["ligne\nsuivante", "tab\tx"]])
    for separator in (",", ";"):
        text = csv_bytes(sheet, separator=separator).decode()
        rows = list(csv.reader(io.StringIO(text), delimiter=separator))
        assert rows[1:] == [["un;deux", 'dit "oui"'], ["ligne\nsuivante", "tab\tx"]]


def test_tab_and_carriage_return_starts_are_neutralised_and_the_excel_file_has_a_bom():
    assert neutralise("\tcmd") == "'\tcmd"
    assert neutralise("ok,\r=1") == "ok,'\r=1"
    excel = csv_bytes(Sheet("t", ["a"], [["1,5"]]), separator=";", bom=True)
    assert excel.startswith("\ufeff".encode()) and excel.decode("utf-8-sig") == 'a\r\n"1,5"\r\n'
