"""One number style per language on the director's dashboard, a statement (page and PDF) and
the federation's page: thousands separators, a decimal comma in French and Dutch, hours as
h:mm on every page, shares as percentages and euros as each language writes them.

The known log: three associations sharing with one federation, each with the same March at
40 € an hour: 107 720 transferred minutes (75 entries done in the person's place, external
and digital) and 64 632 minutes of its own work (45 entries), so 172 352 minutes in all, a
transferred share of 62.5 % and a transferred value of 107 720 ÷ 60 × 40 = 71 813.33 €.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from cases.services import assistance_requests_bulk_create
from evidence.services import release_publish
from organisations.models import Federation, Role
from organisations.services import (
    association_create_or_update,
    federation_create_or_update,
    member_create_or_update,
)
from workload import exports
from workload.models import Job
from workload.selectors import period_parse
from workload.services import job_create, rollups_sweep_dirty

from .test_exports import pdf_text

MARCH = "from=2026-03&to=2026-03"
NBSP = "\xa0"
MAX_DURATION = 1440

ENTRY = {
    "occurred_on": dt.date(2026, 3, 10),
    "channel": "on_site",
    "procedure_domain": "tax.pit_return",
    "referrer_kind": "cpas",
    "outcome": "resolved",
    "consent": "oral",
}

# What a reader sees, per language, of the figures above (one association, then the
# federation's sum of three).
EXPECTED = {
    "fr": {
        "hours": f"2{NBSP}872:32",
        "transferred_hours": f"1{NBSP}795:20",
        "share": f"62,5{NBSP}%",
        "of_all_hours": f"62,5{NBSP}% de toutes les heures",
        "value": f"71{NBSP}813,33{NBSP}€",
        "cost": f"40,00{NBSP}€",
        "formula": f"107{NBSP}720 minutes ÷ 60 × 40,00{NBSP}€ par heure = 71{NBSP}813,33{NBSP}€",
        "federation_hours": f"8{NBSP}617:36",
        "federation_transferred_hours": f"5{NBSP}386:00",
        "federation_value": f"215{NBSP}440,00{NBSP}€",
    },
    "nl": {
        "hours": "2.872:32",
        "transferred_hours": "1.795:20",
        "share": "62,5%",
        "of_all_hours": "62,5% van alle uren",
        "value": f"€{NBSP}71.813,33",
        "cost": f"€{NBSP}40,00",
        "formula": f"107.720 minuten ÷ 60 × €{NBSP}40,00 per uur = €{NBSP}71.813,33",
        "federation_hours": "8.617:36",
        "federation_transferred_hours": "5.386:00",
        "federation_value": f"€{NBSP}215.440,00",
    },
    "en": {
        "hours": "2,872:32",
        "transferred_hours": "1,795:20",
        "share": "62.5%",
        "of_all_hours": "62.5% of all hours",
        "value": "€71,813.33",
        "cost": "€40.00",
        "formula": "107,720 minutes ÷ 60 × €40.00 per hour = €71,813.33",
        "federation_hours": "8,617:36",
        "federation_transferred_hours": "5,386:00",
        "federation_value": "€215,440.00",
    },
}


def durations(total: int) -> list[int]:
    whole, rest = divmod(total, MAX_DURATION)
    return [MAX_DURATION] * whole + ([rest] if rest else [])


def march_log() -> list[dict]:
    transferred = [
        {
            **ENTRY,
            "duration_minutes": minutes,
            "responsible_kind": "pub_fed",
            "barriers": ["itsme"],
            "mode": "do_for",
        }
        for minutes in durations(107_720)
    ]
    own = [
        {
            **ENTRY,
            "duration_minutes": minutes,
            "responsible_kind": "association",
            "barriers": [],
            "mode": "do_with",
        }
        for minutes in durations(64_632)
    ]
    assert (len(transferred), len(own)) == (75, 45)
    return transferred + own


def client_of(org_slug: str, role: str, language: str) -> Client:
    membership, _ = member_create_or_update(
        org_slug=org_slug, email=f"{role}@{org_slug}.be", role=role, password="a-long-pass-2026"
    )
    client = Client(headers={"accept-language": language})
    client.force_login(membership.user)
    return client


@pytest.fixture
def three_associations(db):
    federation_create_or_update(slug="fed", name="Fédération")
    associations = []
    for number in range(3):
        association, _ = association_create_or_update(
            slug=f"asbl-{number}",
            name=f"ASBL {number}",
            federation_slug="fed",
            hourly_cost_eur=Decimal("40.00"),
        )
        assistance_requests_bulk_create(association=association, rows=march_log())
        associations.append(association)
    rollups_sweep_dirty()
    return associations


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).strip()


def chart_labels(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, re.S)


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_dashboard_writes_every_figure_in_the_readers_style(three_associations, language):
    expected = EXPECTED[language]
    director = client_of("asbl-0", Role.DIRECTOR, language)

    page = director.get(f"/workload/?{MARCH}").content.decode()

    assert figure(page, "hours") == expected["hours"]
    assert figure(page, "transferred_hours") == expected["transferred_hours"]
    assert figure(page, "transferred_value_eur") == expected["value"]
    assert figure(page, "do_for_share") == expected["share"]  # 75 of 120 entries
    assert expected["of_all_hours"] in page
    month_row = re.search(r'<th scope="row">2026-03</th>(.*?)</tr>', page).group(1)
    assert re.findall(r'<td class="n">([^<]*)</td>', month_row) == [
        "120",
        expected["hours"],
        expected["transferred_hours"],
        expected["share"],
        expected["value"],
    ]
    # The month chart's scale is written like the table beside it.
    assert f">{expected['hours']}</text>" in chart_labels(page)[0]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_statement_page_writes_hours_euros_and_the_formula_in_the_readers_style(
    three_associations, language
):
    expected = EXPECTED[language]
    director = client_of("asbl-0", Role.DIRECTOR, language)

    page = director.get(
        f"/workload/statements/kind-pub_fed/?{MARCH}&lang={language}"
    ).content.decode()

    assert figure(page, "transferred_requests") == "75"
    assert figure(page, "transferred_hours") == expected["transferred_hours"]
    assert figure(page, "transferred_value_eur") == expected["value"]
    assert f"<td>{expected['cost']}</td>" in page
    assert expected["formula"] in page


@pytest.mark.skipif(
    not exports.pdf_available(), reason="WeasyPrint's system packages are not installed"
)
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_statement_pdf_writes_the_same_strings_as_the_page(three_associations, language):
    expected = EXPECTED[language]
    director = client_of("asbl-0", Role.DIRECTOR, language)

    response = director.get(
        f"/workload/statements/kind-pub_fed/?{MARCH}&lang={language}&format=pdf"
    )

    # A PDF's text may come back with an ordinary space where the page had a no-break one.
    text = " ".join(pdf_text(response.content).replace(NBSP, " ").split())
    for name in ("transferred_hours", "value", "cost", "formula"):
        assert expected[name].replace(NBSP, " ") in text, name


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_federation_shows_hours_and_a_percentage_as_the_director_sees_them(
    three_associations, language
):
    expected = EXPECTED[language]
    analyst = client_of("fed", Role.ANALYST, language)

    page = analyst.get(f"/federation/?{MARCH}").content.decode()

    month_row = re.search(r'<th scope="row">2026-03</th>(.*?)</tr>', page).group(1)
    cells = re.findall(r'<td class="n">([^<]*)</td>', month_row)
    assert cells[:5] == [
        "360",
        expected["federation_hours"],
        expected["federation_transferred_hours"],
        expected["share"],
        expected["federation_value"],
    ]
    assert "1,000" not in page and "0,625" not in page and "0.625" not in page
    assert f">{expected['federation_hours']}</text>" in chart_labels(page)[0]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", f"12{NBSP}345 saisies importées"),
        ("nl", "12.345 registraties geïmporteerd"),
        ("en", "12,345 entries imported"),
    ],
)
def test_a_large_import_counts_its_entries_with_a_thousands_separator(db, language, expected):
    association, _ = association_create_or_update(slug="asbl-import", name="ASBL")
    director = client_of("asbl-import", Role.DIRECTOR, language)
    job = job_create(kind=Job.Kind.IMPORT, association=association)
    Job.objects.filter(pk=job.pk).update(state=Job.State.SUCCEEDED, result={"imported": 12345})

    page = director.get(f"/workload/jobs/{job.pk}/").content.decode()

    assert expected in page


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_published_release_page_shows_the_figures_as_the_federation_page_does(
    three_associations, language
):
    expected = EXPECTED[language]
    federation = Federation.objects.get(slug="fed")
    release = release_publish(federation, period_parse("2026-03", "2026-03"))

    page = (
        Client(headers={"accept-language": language})
        .get(f"/open-data/fed/releases/{release.version}/")
        .content.decode()
    )

    month_row = re.search(r'<th scope="row">2026-03</th>(.*?)</tr>', page).group(1)
    assert re.findall(r'<td class="n">([^<]*)</td>', month_row)[:5] == [
        "360",
        expected["federation_hours"],
        expected["federation_transferred_hours"],
        expected["share"],
        expected["federation_value"],
    ]
