"""Every table export comes in three files: the workbook, the CSV Excel opens directly in
Belgium and the CSV for other software. A person reads the first two in their own language and
finds the figures of the page; software reads the codes of the third."""

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from workload import selectors
from workload.log_export import log_export
from workload.models import Job
from workload.tasks import run_export_job_task

from .conftest import celery_conf
from .reports_data import reports_fixture, web_client  # noqa: F401

PERIOD = "from=2026-09&to=2026-10"
BOM = "\ufeff"


def excel_csv(response) -> list[dict]:
    """The file as Excel in Belgium reads it: UTF-8 announced by a BOM, semicolons."""
    content = response.content if hasattr(response, "content") else response
    text = content.decode("utf-8")
    assert text.startswith(BOM), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def comma_decimal(text: str) -> Decimal:
    """A number written with a decimal comma, as the Excel CSV holds it."""
    assert "." not in text, f"{text!r} has a decimal point"
    return Decimal(text.replace(",", "."))


def page_number(text: str) -> Decimal:
    """A figure as the page shows it, whichever decimal mark and grouping the page uses."""
    text = re.sub(r"[^\d,.\-]", "", text)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text)


def page_figure(page: str, name: str) -> Decimal:
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert match, f"no figure {name} on the page"
    return page_number(match.group(1))


def page_rows(page: str, table_id: str) -> dict[str, list[str]]:
    """The rows of a table of the page: first cell -> the other cells' text."""
    table = re.search(rf'<table aria-labelledby="{table_id}">(.*?)</table>', page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</t[hd]>", row)]
        rows[cells[0]] = [c for c in cells[1:] if c]
    return rows


def download(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:300]
    return response


def filename(response) -> str:
    return re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)


def test_the_excel_csv_of_the_monthly_table_holds_the_dashboards_figures_in_french(reports):
    director = web_client("mine", "dir@mine.be", "director")
    page = download(director, f"/workload/?{PERIOD}", "fr").content.decode()

    response = download(director, f"/workload/monthly/download/?{PERIOD}&format=csv-be", "fr")

    assert filename(response) == "tableau-mensuel-2026-09-2026-10-excel-be.csv"
    rows = excel_csv(response)
    assert list(rows[0])[:4] == ["Mois", "Groupe (code)", "Saisies", "Minutes"]
    minutes = sum(int(r["Minutes"]) for r in rows)
    assert (Decimal(minutes) / 60).quantize(Decimal("0.01")) == page_figure(page, "hours")
    value = sum(comma_decimal(r["Valeur du travail transféré (€)"]) for r in rows)
    assert value == page_figure(page, "transferred_value_eur") == Decimal("90.00")
    october = next(r for r in rows if r["Mois"] == "2026-10")
    assert comma_decimal(october["Part des minutes transférées"]) == 1
    shown = page_rows(page, "months")
    assert int(october["Saisies"]) == page_number(shown["2026-10"][0]) == 2


def test_the_excel_csv_speaks_dutch_to_a_dutch_speaking_director(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = download(director, f"/workload/monthly/download/?{PERIOD}&format=csv-be", "nl")

    assert filename(response) == "maandtabel-2026-09-2026-10-excel-be.csv"
    header = list(excel_csv(response)[0])
    assert header[:3] == ["Maand", "Groep (code)", "Registraties"]
    assert "Overgedragen minuten" in header and "transferred_minutes" not in header


def test_the_plain_csv_keeps_the_codes_a_comma_and_a_decimal_point(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = download(director, f"/workload/monthly/download/?{PERIOD}&format=csv", "nl")

    text = response.content.decode("utf-8")
    assert not text.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:4] == ["month", "group", "requests", "minutes"]
    assert rows[1]["transferred_value_eur"] == "60.00"


def test_the_workbook_is_headed_in_words_with_its_codes_on_the_definitions_sheet(reports):
    director = web_client("mine", "dir@mine.be", "director")
    page = download(director, f"/workload/?{PERIOD}", "nl").content.decode()

    response = download(director, f"/workload/monthly/download/?{PERIOD}&format=xlsx", "nl")

    assert filename(response) == "maandtabel-2026-09-2026-10.xlsx"
    table, definitions = load_workbook(io.BytesIO(response.content)).worksheets
    assert definitions.title == "Definities"
    assert [c.value for c in definitions[1]] == ["Kolom", "Code", "Definitie"]
    defined = {row[0].value: (row[1].value, row[2].value) for row in definitions.iter_rows(2)}
    header = [c.value for c in table[1]]
    assert header[:3] == ["Maand", "Groep (code)", "Registraties"]
    codes = [defined[label][0] for label in header]
    assert codes[:4] == ["month", "group", "requests", "minutes"]
    assert defined["Overgedragen minuten"] == (
        "transferred_minutes",
        "Minuten van overgedragen items.",
    )
    rows = [dict(zip(codes, (c.value for c in r), strict=True)) for r in table.iter_rows(2)]
    value = sum(Decimal(str(r["transferred_value_eur"])) for r in rows)
    assert value == page_figure(page, "transferred_value_eur")
    assert sum(r["requests"] for r in rows) == 4


def test_the_excel_csv_of_the_statements_holds_the_figures_of_the_statements_page(reports):
    director = web_client("mine", "dir@mine.be", "director")
    page = download(director, f"/workload/statements/?{PERIOD}", "fr").content.decode()

    response = download(director, f"/workload/statements/?{PERIOD}&format=csv-be", "fr")

    assert filename(response) == "releves-2026-09-2026-10-excel-be.csv"
    rows = excel_csv(response)
    bank = next(
        r
        for r in rows
        if r["Institution"] == "Banque Exemple"
        and (r["Répartition"], r["Code"]) == ("total", "transferred")
    )
    shown = re.search(r"Banque Exemple.*?</tr>", page, re.S).group(0)
    cells = [page_number(c) for c in re.findall(r'<td class="n">([^<]*)</td>', shown)]
    # On the page: entries, transferred hours, referred-transferred hours, value.
    assert comma_decimal(bank["Heures"]) == cells[1] == Decimal("0.50")
    assert comma_decimal(bank["Valeur (€)"]) == cells[3] == Decimal("20.00")
    assert int(bank["Saisies"]) == cells[0] == 1


def test_a_single_statement_is_named_after_its_body_in_each_language(reports):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['bank'].pk}"
    url = f"/workload/statements/{key}/?from=2026-10&to=2026-10&format=%s&lang=%s"

    names = {
        (fmt, lang): filename(download(director, url % (fmt, lang), lang))
        for fmt in ("xlsx", "csv-be")
        for lang in ("fr", "nl", "en")
    }

    assert names == {
        ("xlsx", "fr"): "releve-banque-exemple-2026-10.xlsx",
        ("xlsx", "nl"): "overzicht-banque-exemple-2026-10.xlsx",
        ("xlsx", "en"): "statement-banque-exemple-2026-10.xlsx",
        ("csv-be", "fr"): "releve-banque-exemple-2026-10-excel-be.csv",
        ("csv-be", "nl"): "overzicht-banque-exemple-2026-10-excel-be.csv",
        ("csv-be", "en"): "statement-banque-exemple-2026-10-excel-be.csv",
    }


def test_the_log_in_excel_shows_dates_as_belgians_read_them_and_the_pages_total(reports):
    director = web_client("mine", "dir@mine.be", "director")
    page = download(director, f"/workload/?{PERIOD}", "fr").content.decode()
    period = selectors.period_parse("2026-09", "2026-10")

    excel = log_export(association=reports["mine"], period=period, fmt="csv-be", language="fr")
    book = log_export(association=reports["mine"], period=period, fmt="xlsx", language="nl")

    assert excel.filename == "journal-2026-09-2026-10-excel-be.csv"
    rows = excel_csv(excel.content)
    assert [r["Date"] for r in rows] == ["09/09/2026", "20/09/2026", "05/10/2026", "09/10/2026"]
    minutes = sum(int(r["Durée (minutes)"]) for r in rows)
    assert (Decimal(minutes) / 60).quantize(Decimal("0.01")) == page_figure(page, "hours")
    assert book.filename == "logboek-2026-09-2026-10.xlsx"
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
    assert sheet.cell(1, 2).value == "Datum"
    first_date = sheet.cell(2, 2)
    assert first_date.value.date() == dt.date(2026, 9, 9) and first_date.is_date
    assert first_date.number_format == "DD/MM/YYYY"


def test_the_plain_log_csv_keeps_codes_and_iso_dates_for_the_import(reports):
    period = selectors.period_parse("2026-09", "2026-10")

    plain = log_export(association=reports["mine"], period=period, fmt="csv", language="nl")

    assert plain.filename == "logboek-2026-09-2026-10.csv"
    assert plain.content.decode().splitlines()[0].startswith("entry_id,occurred_on,month,")
    rows = list(csv.DictReader(io.StringIO(plain.content.decode("utf-8"))))
    assert [r["occurred_on"] for r in rows][:2] == ["2026-09-09", "2026-09-20"]
    assert sum(int(r["duration_minutes"]) for r in rows) == 155


def test_a_hostile_name_stays_text_in_the_excel_csv(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = download(director, f"/workload/statements/?{PERIOD}&format=csv-be", "fr")

    names = {r["Institution"] for r in excel_csv(response)}
    assert all(not name.startswith("=") for name in names)
    assert any(name.startswith("'=HYPERLINK") for name in names)


@pytest.mark.parametrize(
    ("language", "title", "name"),
    [
        ("fr", "Journal des entrées — octobre 2026 (Excel)", "journal-2026-10.xlsx"),
        ("nl", "Logboek van de items — oktober 2026 (Excel)", "logboek-2026-10.xlsx"),
        ("en", "Log of entries — October 2026 (Excel)", "log-2026-10.xlsx"),
    ],
)
def test_a_log_export_job_says_in_words_what_it_makes(
    reports, tmp_path, settings, django_capture_on_commit_callbacks, language, title, name
):
    settings.MEDIA_ROOT = tmp_path
    director = web_client("mine", "dir@mine.be", "director")

    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            "/workload/exports/",
            {"export": "log", "format": "xlsx", "from": "2026-10", "to": "2026-10"},
            HTTP_ACCEPT_LANGUAGE=language,
        )

    page = director.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{title}</h1>" in page
    assert "log · XLSX" not in page
    assert name in page
    job = Job.objects.get()
    assert filename(director.get(f"/workload/jobs/{job.pk}/download/")) == name


def test_a_job_page_of_a_period_names_both_months_in_the_readers_language(reports):
    job = Job.objects.create(
        kind="export",
        association=reports["mine"],
        params={"export": "monthly", "format": "csv-be", "from": "2025-11", "to": "2026-03"},
    )
    director = web_client("mine", "dir@mine.be", "director")

    french = director.get(f"/workload/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    dutch = director.get(f"/workload/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Tableau mensuel — novembre 2025 – mars 2026 — CSV pour Excel (Belgique)" in french
    assert "Maandtabel — november 2025 – maart 2026 — CSV voor Excel (België)" in dutch


def test_a_csv_job_for_excel_writes_the_belgian_file(reports, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(
        kind="export",
        association=reports["mine"],
        params={
            "export": "log",
            "format": "csv-be",
            "from": "2026-09",
            "to": "2026-10",
            "language": "nl",
        },
    )

    run_export_job_task.run(job.pk)

    job.refresh_from_db()
    assert job.result["filename"] == "logboek-2026-09-2026-10-excel-be.csv"
    rows = excel_csv((tmp_path / "exports" / job.result["file"]).read_bytes())
    assert len(rows) == 4 and "Datum" in rows[0]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("fr", ["Excel", "CSV pour Excel (Belgique)", "CSV pour d'autres logiciels (codes)"]),
        ("nl", ["Excel", "CSV voor Excel (België)", "CSV voor andere software (codes)"]),
    ],
)
def test_every_page_offering_a_download_offers_the_three_files_in_words(reports, language, labels):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['bank'].pk}"

    for url in ("/workload/", "/workload/statements/", f"/workload/statements/{key}/"):
        page = director.get(f"{url}?{PERIOD}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        offered = re.findall(r'data-format="([^"]+)">([^<]+)</a>', html.unescape(page))
        assert offered == list(zip(["xlsx", "csv-be", "csv"], labels, strict=True)), url
    dashboard = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE=language).content
    for fmt in ("xlsx", "csv-be", "csv"):
        assert f'name="format" value="{fmt}"'.encode() in dashboard  # the log's job buttons
