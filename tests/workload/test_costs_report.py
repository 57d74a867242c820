"""What the institutions' channels cost and what it cost the people: the dashboard's owed hours
by institution and rights lost by barrier, and the statement's two sections in every format.

The figures are those a director would work out by hand from the small log below, at the
default hourly cost of 40 € an hour."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import InstitutionFactory, log_attempt, log_entry
from workload import exports, selectors
from workload.services import rollups_sweep_dirty

from .reports_data import web_client

needs_pdf = pytest.mark.skipif(
    not exports.pdf_available(), reason="WeasyPrint's system packages are not installed"
)
PERIOD = "from=2026-09&to=2026-10"
NBSP = "\xa0"
OCTOBER = dt.date(2026, 10, 7)


@pytest.fixture
def log(db):
    from organisations.services import association_create_or_update

    mine, _ = association_create_or_update(slug="mine", name="Maison de quartier")
    other, _ = association_create_or_update(slug="other", name="Other")
    cpas = InstitutionFactory(name="CPAS de Forest", kind="cpas", postcode="1190")
    bank = InstitutionFactory(name="Banque Exemple", kind="bank", postcode="1000")
    transferred = {
        "occurred_on": OCTOBER,
        "responsible_institution": cpas,
        "procedure_domain": "ris.application",
    }
    # 60 minutes: three months of a 500 € benefit delayed.
    log_entry(
        mine,
        **transferred,
        duration_minutes=60,
        barriers=["itsme"],
        rights_impact="delay",
        right_months=3,
        right_monthly_eur=Decimal("500.00"),
    )
    # 30 minutes: two months of 250,50 € lost for good, and a 40 € fine.
    log_entry(
        mine,
        **transferred,
        duration_minutes=30,
        barriers=["itsme", "upload"],
        rights_impact="total_loss",
        right_months=2,
        right_monthly_eur=Decimal("250.50"),
        extra_cost_eur=Decimal("40.00"),
    )
    # The CPAS's channels: three failures (35 + 25 + 20 minutes owed) and one answer.
    for channel, result, minutes in (
        ("phone", "line_saturated", 35),
        ("phone", "line_saturated", 25),
        ("counter", "counter_closed", 20),
        ("phone", "answered", 10),
    ):
        log_attempt(
            mine,
            occurred_on=OCTOBER,
            institution=cpas,
            institution_kind="cpas",
            channel=channel,
            result=result,
            waited_minutes=minutes,
        )
    # The bank: no transferred entry, one failed online form (15 minutes owed).
    log_attempt(
        mine,
        occurred_on=OCTOBER,
        institution=bank,
        institution_kind="bank",
        channel="online_form",
        result="no_answer",
        waited_minutes=15,
    )
    # The association's own line: a failure, but nobody else's: owed by no one.
    log_attempt(
        mine,
        occurred_on=OCTOBER,
        institution_kind="association",
        result="no_answer",
        waited_minutes=12,
    )
    # Another association's attempt to the same CPAS never shows in ours.
    log_attempt(
        other,
        occurred_on=OCTOBER,
        institution=cpas,
        institution_kind="cpas",
        channel="email",
        result="no_answer",
        waited_minutes=500,
    )
    log_entry(
        other,
        **transferred,
        duration_minutes=400,
        barriers=["itsme"],
        rights_impact="total_loss",
        right_months=10,
        right_monthly_eur=Decimal("999.00"),
    )
    rollups_sweep_dirty()
    return {"mine": mine, "other": other, "cpas": cpas, "bank": bank}


def statements(association):
    return selectors.statements_for_association(
        association=association, period=selectors.period_parse("2026-09", "2026-10")
    )


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).strip()


def table(page: str, name: str) -> str:
    match = re.search(rf'<table[^>]*data-table="{name}".*?</table>', page, re.S)
    assert match, name
    return match.group(0)


def cells(row_html: str) -> list[str]:
    return [c.strip() for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row_html)]


def rows_of(table_html: str) -> list[list[str]]:
    body = table_html.split("<tbody>", 1)[1]
    return [cells(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


# --- The statement's figures ------------------------------------------------------------------


def test_the_statement_counts_the_attempts_to_the_body_by_channel_and_result(log):
    cpas = next(
        s
        for s in statements(log["mine"])
        if s["institution"] == {"id": log["cpas"].pk, "name": "CPAS de Forest", "kind": "cpas"}
    )

    assert (cpas["attempts"], cpas["failed_attempts"], cpas["owed_attempts"]) == (4, 3, 3)
    assert cpas["owed_attempt_minutes"] == 80
    assert cpas["owed_attempt_value_eur"] == Decimal("53.33")  # 80 / 60 × 40
    assert cpas["transferred_minutes"] == 90
    assert cpas["owed_minutes"] == 170
    assert cpas["owed_value_eur"] == Decimal("113.33")  # 170 / 60 × 40
    assert [
        (r["channel"], r["result"], r["attempts"], r["failed_attempts"], r["minutes"])
        for r in cpas["attempts_by_channel"]
    ] == [
        ("counter", "counter_closed", 1, 1, 20),
        ("phone", "answered", 1, 0, 10),
        ("phone", "line_saturated", 2, 2, 60),
    ]


def test_the_statement_says_what_it_cost_the_people(log):
    cpas = next(s for s in statements(log["mine"]) if s["institution"]["id"] == log["cpas"].pk)

    assert (cpas["rights_at_risk"], cpas["rights_lost"]) == (2, 1)
    assert cpas["rights_delayed_value_eur"] == Decimal("1500.00")  # 3 × 500
    assert cpas["rights_lost_value_eur"] == Decimal("541.00")  # 2 × 250,50 + 40
    assert cpas["extra_cost_eur"] == Decimal("40.00")
    itsme, upload = (
        next(b for b in cpas["by_barrier"] if b["code"] == code) for code in ("itsme", "upload")
    )
    assert (itsme["rights_at_risk"], itsme["rights_lost"]) == (2, 1)
    assert itsme["rights_delayed_value_eur"] == Decimal("1500.00")
    assert upload["rights_lost_value_eur"] == Decimal("541.00")
    (ris,) = cpas["by_procedure_domain"]
    assert ris["code"] == "ris" and ris["rights_lost_value_eur"] == Decimal("541.00")


def test_a_body_with_owed_attempts_and_no_transferred_work_has_a_statement(log):
    found = statements(log["mine"])

    bank = next(s for s in found if (s["institution"] or {}).get("id") == log["bank"].pk)
    assert bank["transferred_minutes"] == 0
    assert (bank["attempts"], bank["owed_attempt_minutes"], bank["owed_minutes"]) == (1, 15, 15)
    assert bank["owed_value_eur"] == Decimal("10.00")
    # Failing on the association's own line is owed by nobody: no statement for it.
    assert {s["responsible_kind"] for s in found} == {"cpas", "bank"}


def test_another_associations_attempts_never_reach_our_statement(log):
    cpas = next(s for s in statements(log["mine"]) if s["institution"]["id"] == log["cpas"].pk)
    theirs = next(s for s in statements(log["other"]) if s["institution"]["id"] == log["cpas"].pk)

    assert "email" not in {r["channel"] for r in cpas["attempts_by_channel"]}
    assert cpas["owed_attempt_minutes"] == 80 and cpas["transferred_minutes"] == 90
    assert theirs["owed_attempt_minutes"] == 500 and theirs["attempts"] == 1


def test_the_statement_figures_agree_with_the_rollups_by_institution(log):
    rows = selectors.monthly_table_for_association(
        association=log["mine"],
        period=selectors.period_parse("2026-10", "2026-10"),
        group_by="responsible_institution",
    )
    (rollup,) = [r for r in rows if r["group"] == log["cpas"].pk]
    cpas = next(s for s in statements(log["mine"]) if s["institution"]["id"] == log["cpas"].pk)

    for name in ("attempts", "failed_attempts", "owed_attempt_minutes", "owed_minutes"):
        assert cpas[name] == rollup[name], name
    assert cpas["owed_value_eur"] == rollup["owed_value_eur"]


# --- The statement's page and files -----------------------------------------------------------


def test_the_statement_page_shows_both_sections_in_belgian_figures(log):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{log['cpas'].pk}"

    page = director.get(f"/workload/statements/{key}/?{PERIOD}&lang=fr").content.decode()

    assert "Ce que vos canaux nous ont coûté" in page
    assert "Ce que cela a coûté aux personnes" in page
    assert figure(page, "attempts") == "4"
    assert figure(page, "failed_attempts") == "3"
    assert figure(page, "owed_attempt_hours") == "1:20"
    assert figure(page, "owed_attempt_value_eur") == f"53,33{NBSP}€"
    assert figure(page, "owed_hours") == "2:50"
    assert figure(page, "owed_value_eur") == f"113,33{NBSP}€"
    assert figure(page, "rights_at_risk") == "2"
    assert figure(page, "rights_lost") == "1"
    assert figure(page, "rights_delayed_value_eur") == f"1{NBSP}500,00{NBSP}€"
    assert figure(page, "rights_lost_value_eur") == f"541,00{NBSP}€"
    attempts = rows_of(table(page, "attempts-by-channel"))
    assert [
        "Téléphone (ligne générale ou helpdesk)",
        "Ligne saturée, file d'attente abandonnée",
        "2",
        "2",
        "1:00",
        f"40,00{NBSP}€",
    ] in [[c.replace("&#x27;", "'") for c in row] for row in attempts]
    assert "Other" not in page and "8:20" not in page


def test_the_statement_page_in_dutch_and_english(log):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{log['cpas'].pk}"

    dutch = director.get(f"/workload/statements/{key}/?{PERIOD}&lang=nl").content.decode()
    english = director.get(f"/workload/statements/{key}/?{PERIOD}&lang=en").content.decode()

    assert "Wat uw kanalen ons hebben gekost" in dutch
    assert "Wat het de mensen die u bedient heeft gekost" in dutch
    assert figure(dutch, "owed_value_eur") == f"€{NBSP}113,33"
    assert "What your channels cost us" in english
    assert "What it cost the people you serve" in english
    assert figure(english, "rights_delayed_value_eur") == "€1,500.00"


def test_the_statement_of_a_body_with_only_attempts_opens(log):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(
        f"/workload/statements/institution-{log['bank'].pk}/?{PERIOD}&lang=en"
    ).content.decode()

    assert figure(page, "owed_attempt_hours") == "0:15"
    assert figure(page, "owed_value_eur") == "€10.00"


def test_the_statement_csv_holds_the_attempts_and_the_rights(log):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{log['cpas'].pk}"

    response = director.get(f"/workload/statements/{key}/?{PERIOD}&format=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    sections = {(r["section"], r["code"]): r for r in rows}
    owed_attempts = sections["total", "owed_attempts"]
    assert (owed_attempts["attempts"], owed_attempts["failed_attempts"]) == ("4", "3")
    assert (owed_attempts["minutes"], owed_attempts["value_eur"]) == ("80", "53.33")
    owed = sections["total", "owed"]
    assert (owed["minutes"], owed["value_eur"]) == ("170", "113.33")
    rights = sections["total", "rights"]
    assert (rights["rights_at_risk"], rights["rights_lost"]) == ("2", "1")
    assert rights["rights_delayed_value_eur"] == "1500.00"
    assert rights["rights_lost_value_eur"] == "541.00"
    assert sections["total", "extra_cost"]["value_eur"] == "40.00"
    saturated = sections["attempt", "phone.line_saturated"]
    assert (saturated["attempts"], saturated["failed_attempts"], saturated["minutes"]) == (
        "2",
        "2",
        "60",
    )
    assert sections["attempt", "phone.answered"]["owed_attempt_minutes"] == "0"
    assert sections["barrier", "itsme"]["rights_delayed_value_eur"] == "1500.00"
    assert ("attempt", "email.no_answer") not in sections


def test_the_belgian_csv_has_a_bom_semicolons_and_decimal_commas(log):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{log['cpas'].pk}"

    response = director.get(
        f"/workload/statements/{key}/?{PERIOD}&format=csv-be&lang=fr", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert "Tentatives de contact" in header and "Tentatives échouées" in header
    owed = next(r for r in rows[1:] if r[3] == "total" and r[4] == "owed")
    assert "113,33" in owed and "170" in owed


def test_the_statement_workbook_has_the_new_figures_in_its_summary(log):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.get(f"/workload/statements/?{PERIOD}&format=xlsx")

    book = load_workbook(io.BytesIO(response.content))
    codes = {row[0].value: row[1].value for row in book.worksheets[-1].iter_rows(min_row=2)}
    summary = book.worksheets[0]
    header = [codes[c.value] for c in summary[1]]
    records = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in summary.iter_rows(2)
    ]
    cpas = next(r for r in records if r["institution_id"] == log["cpas"].pk)
    assert cpas["owed_attempt_minutes"] == 80
    assert cpas["owed_minutes"] == 170
    assert cpas["owed_value_eur"] == pytest.approx(113.33)
    assert cpas["rights_lost_value_eur"] == pytest.approx(541.0)
    assert cpas["extra_cost_eur"] == pytest.approx(40.0)
    bank = next(r for r in records if r["institution_id"] == log["bank"].pk)
    assert (bank["transferred_minutes"], bank["owed_minutes"]) == (0, 15)
    splits = book.worksheets[1]
    split_header = [codes[c.value] for c in splits[1]]
    attempt_rows = [
        dict(zip(split_header, (c.value for c in row), strict=True))
        for row in splits.iter_rows(2)
        if row[split_header.index("section")].value == "attempt"
    ]
    assert {(r["institution_id"], r["code"]) for r in attempt_rows} == {
        (log["cpas"].pk, "counter.counter_closed"),
        (log["cpas"].pk, "phone.answered"),
        (log["cpas"].pk, "phone.line_saturated"),
        (log["bank"].pk, "online_form.no_answer"),
    }


@needs_pdf
def test_the_statement_pdf_carries_both_sections(log):
    from pypdf import PdfReader

    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{log['cpas'].pk}"

    response = director.get(f"/workload/statements/{key}/?{PERIOD}&format=pdf&lang=en")

    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "What your channels cost us" in flat
    assert "What it cost the people you serve" in flat
    assert "CPAS de Forest" in flat
    assert "Phone (main line or helpdesk)" in flat and "Line saturated, queue given up" in flat
    assert "1:20" in flat and "€53.33" in flat  # 80 minutes owed on its channels
    assert "2:50" in flat and "€113.33" in flat  # owed in all
    assert "€1,500.00" in flat and "€541.00" in flat
    assert "8:20" not in flat  # the other association's 500 minutes


# --- The dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_owed_hours_by_institution(log):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert 'aria-labelledby="owed"' in page
    rows = rows_of(table(page, "owed-by-institution"))
    # Institution, transferred, attempts, failed, time lost, owed hours, owed value.
    assert rows[0][:7] == ["CPAS de Forest", "1:30", "4", "3", "1:20", "2:50", f"113,33{NBSP}€"]
    assert rows[1][:7] == ["Banque Exemple", "0:00", "1", "1", "0:15", "0:15", f"10,00{NBSP}€"]
    assert len(rows) == 2
    assert figure(page, "owed_hours") == "3:05"
    assert figure(page, "owed_value_eur") == f"123,33{NBSP}€"


def test_the_dashboard_shows_rights_lost_by_barrier(log):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert 'aria-labelledby="rights"' in page
    rows = {row[0]: row[1:] for row in rows_of(table(page, "rights-by-barrier"))}
    from taxonomy import get_taxonomy

    itsme = get_taxonomy().label("digital_barriers", "itsme", "nl")
    upload = get_taxonomy().label("digital_barriers", "upload", "nl")
    # At risk, lost, lost value, delayed value.
    assert rows[itsme] == ["2", "1", f"€{NBSP}541,00", f"€{NBSP}1.500,00"]
    assert rows[upload] == ["1", "1", f"€{NBSP}541,00", f"€{NBSP}0,00"]
    # Neither the other association's 9 990 € nor its minutes.
    assert "9.990" not in page


def test_the_dashboard_charts_sit_beside_their_tables(log):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<title>Owed hours by responsible institution</title>" in page
    assert "<title>Rights lost by digital barrier (value in euros)</title>" in page
    assert page.count("<svg") == 7


# --- The API ---------------------------------------------------------------------------------


def test_the_api_statement_carries_the_attempts_and_the_rights(log):
    from tests.api.test_workload_api import client_for

    director = client_for("mine", "api-dir@mine.be", "director")

    body = director.get("/api/v1/workload/statements/?from=2026-09&to=2026-10").json()

    cpas = next(
        s for s in body["statements"] if (s["institution"] or {}).get("id") == log["cpas"].pk
    )
    assert (cpas["attempts"], cpas["failed_attempts"], cpas["owed_attempt_minutes"]) == (4, 3, 80)
    assert (cpas["owed_minutes"], Decimal(str(cpas["owed_value_eur"]))) == (170, Decimal("113.33"))
    assert Decimal(str(cpas["rights_lost_value_eur"])) == Decimal("541.00")
    assert {(r["channel"], r["result"]) for r in cpas["attempts_by_channel"]} == {
        ("counter", "counter_closed"),
        ("phone", "answered"),
        ("phone", "line_saturated"),
    }
    assert [s["transferred_minutes"] for s in body["statements"]] == [90, 0]


def test_the_list_of_statements_shows_what_each_body_owes(log):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(
        f"/workload/statements/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1], re.S)
    bank = next(r for r in rows if "Banque Exemple" in r)
    # Entries, transferred, referred-transferred, value, time lost, owed hours, owed value.
    assert cells(bank)[-3:] == ["0:15", "0:15", "€10.00"]
    assert "€113.33" in page
