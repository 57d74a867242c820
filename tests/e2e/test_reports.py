"""A director's reports in a real browser: the dashboard, a subcontracting statement in
Dutch, the PDF behind its button, and the dashboard at phone width. Screenshots go to
var/screenshots/ for a person to look at. Skipped, with the reason, without chromium."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from cases.services import assistance_request_create
from organisations.models import Role
from tests.factories import AssociationFactory, InstitutionFactory, MembershipFactory
from workload.services import rollups_sweep_dirty

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (make e2e-deps installs it)"
    ),
    # The live server reads what the test wrote, so the data must be committed. The test
    # makes its own institutions and needs nothing seeded by a migration.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def director_session():
    """A director of an association with ten months of log, logged in: the session cookie."""
    association = AssociationFactory(slug="asbl-rapports", name="Maison de quartier Nord")
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    cpas = InstitutionFactory(name="CPAS de Schaerbeek", kind="cpas", postcode="1030")
    bank = InstitutionFactory(name="Banque Exemple", kind="bank", postcode="1000")
    common = {"channel": "on_site", "consent": "oral"}
    for month in range(1, 11):
        for index in range(month % 4 + 2):
            assistance_request_create(
                association=association,
                occurred_on=dt.date(2026, month, 3 + index),
                duration_minutes=20 + 5 * index,
                procedure_domain=("ris.application", "bank", "tax.pit_return")[index % 3],
                referred_by=cpas if index % 2 == 0 else None,
                referrer_kind="self",
                responsible_institution=(cpas, bank, None)[index % 3],
                responsible_kind="pub_fed",
                barriers=[("itsme", "once_only", "upload")[index % 3]] if index != 4 else [],
                mode="do_for" if index % 2 else "do_with",
                outcome="abandoned" if index == 3 else "resolved",
                **common,
            )
    rollups_sweep_dirty()
    client = Client()
    client.force_login(director)
    return {"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value, "cpas": cpas}


@pytest.fixture
def page_for(live_server, director_session):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM next to Playwright's loop
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(width=1280, height=900, locale="fr-BE"):
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale=locale
            )
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": director_session["cookie"],
                        "url": live_server.url,
                    }
                ]
            )
            return context.new_page()

        try:
            yield open_page
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_a_director_reads_the_dashboard_and_a_statement(
    live_server, page_for, director_session, docs_screenshot
):
    page = page_for(locale="en-GB")

    # Given ten months of log, when the director opens the dashboard for that period
    page.goto(f"{live_server.url}/workload/?from=2026-01&to=2026-10")
    # then the headline figures and six charts, each with its table, are there (owed hours by
    # institution among them; no right was lost, so that section has no chart)
    assert page.locator("h1").inner_text().startswith("Workload of Maison de quartier Nord")
    assert page.locator("[data-figure=hours]").inner_text() != "0:00"
    assert page.locator("svg.chart").count() == 6
    assert page.locator("table").count() >= 5
    page.screenshot(path=str(SCREENSHOTS / "reports-01-dashboard.png"), full_page=True)
    docs_screenshot(page, "dashboard")

    # When they follow the CPAS's statement and read it in Dutch
    page.get_by_role("link", name="statement", exact=True).first.click()
    page.wait_for_url("**/workload/statements/institution-**")
    page.select_option("select[name=lang]", "nl")
    page.get_by_role("button", name="Show").last.click()
    page.wait_for_url("**lang=nl**")
    # then the statement speaks Dutch and explains its value
    assert "Overzicht van onderaanneming" in page.content()
    assert "Berekening van de waarde" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "reports-02-statement-nl.png"), full_page=True)

    # and its PDF button gives a PDF named, in the reader's language, after the body and the
    # period
    pdf = page.locator("a", has_text="PDF")
    if pdf.count():
        with page.expect_download() as download_info:
            pdf.first.click()
        download = download_info.value
        assert download.suggested_filename.startswith("overzicht-")
        assert download.suggested_filename.endswith("-2026-01-2026-10.pdf")
        download.save_as(str(SCREENSHOTS / "reports-statement.pdf"))


def test_the_dashboard_reads_at_phone_width(live_server, page_for):
    page = page_for(width=390, height=844)

    page.goto(f"{live_server.url}/workload/?from=2026-01&to=2026-10")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Heures transférées" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "reports-03-dashboard-phone.png"), full_page=True)
