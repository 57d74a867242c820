"""In a real browser: a federation analyst reads a shared sheet, masked (no identifier, no
association's name), builds a dossier for the CPAS it names over a period, downloads its PDF
and reads it, then records the CPAS's reply."""

import datetime as dt

import pytest

from cases.models import IncidentSheet
from cases.services import incident_sheet_create
from dossiers.models import Dossier
from organisations.models import Role
from referrals.models import Institution
from referrals.registry import seed_registry
from rendering.pdf import pdf_available
from tests.factories import (
    DEFAULT_PASSWORD,
    AssociationFactory,
    FederationFactory,
    MembershipFactory,
    log_entry,
)
from tests.workload.test_exports import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 768}
DAY = dt.date(2025, 3, 14)


@pytest.fixture
def scene():
    if not Institution.objects.exists():
        seed_registry(Institution)
    cpas = Institution.objects.get(name__startswith="CPAS d'Ixelles")
    federation = FederationFactory(slug="fed-e2e-dossier", name="Fédération e2e")
    sheets = []
    for index in range(3):
        association = AssociationFactory(slug=f"e2e-dossier-{index}", name=f"ASBL secrète {index}")
        association.federations.add(federation)
        for _ in range(2):
            log_entry(
                association,
                occurred_on=DAY,
                duration_minutes=45,
                responsible_kind="cpas",
                responsible_institution=cpas,
                barriers=["online_only"],
            )
        sheets.append(
            incident_sheet_create(
                association=association,
                occurred_on=DAY,
                title=f"Rendez-vous en ligne seulement {index}",
                narrative="Le CPAS ne reçoit plus sans rendez-vous pris en ligne.",
                responsible_institution=cpas,
                barriers=["online_only"],
                shared=True,
            )
        )
    # A number typed before the scan existed: the analyst must never read it.
    IncidentSheet.objects.filter(pk=sheets[0].pk).update(
        narrative="Le CPAS ne reçoit plus sans rendez-vous. Rappeler au 0470 12 34 56."
    )
    analyst = MembershipFactory(organisation=federation, role=Role.ANALYST).user
    return {"analyst": analyst, "cpas": cpas, "sheets": sheets}


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint's system libraries are missing")
def test_an_analyst_reads_a_masked_sheet_builds_a_dossier_exports_it_and_records_the_reply(
    live_server, browser, screenshot, scene
):
    page = browser.new_page(viewport=LAPTOP, locale="fr-BE", accept_downloads=True)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", scene["analyst"].email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/federation/")

    page.goto(f"{live_server.url}/federation/incidents/")
    page.click(f"#shared-{scene['sheets'][0].pk} a")
    sheet = page.locator(".dossier-sheet")
    sheet.wait_for()
    assert "Rappeler au" in sheet.inner_text()
    assert "0470" not in page.content()
    assert "ASBL secrète" not in page.content()
    assert "association non nommée" in sheet.inner_text()
    screenshot(page, "dossier-shared-sheet")

    page.goto(f"{live_server.url}/dossiers/new/")
    page.select_option("#dossier-institution", str(scene["cpas"].pk))
    page.fill("#dossier-from", "2025-01")
    page.fill("#dossier-to", "2025-06")
    page.click(".dossier-choose button[type=submit]")
    page.fill("#dossier-title", "Accueil sans rendez-vous au CPAS")
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/dossiers/*/")
    dossier = Dossier.objects.get()
    assert dossier.federation is not None
    assert dossier.sheets.count() == 3
    assert "Accueil sans rendez-vous au CPAS" in page.locator("h1").inner_text()
    screenshot(page, "dossier-built")

    with page.expect_download() as download_info:
        page.click(f"a[href='/dossiers/{dossier.pk}/dossier.pdf']")
    content = open(download_info.value.path(), "rb").read()
    assert content.startswith(b"%PDF")
    text = " ".join(pdf_text(content).split())
    assert "Accueil sans rendez-vous au CPAS" in text
    assert "Rendez-vous en ligne seulement 2" in text
    assert "0470" not in text and "ASBL secrète" not in text

    page.fill("#dossier-sent_on", "2025-07-01")
    page.fill("#dossier-replied_on", "2025-07-21")
    page.fill("#dossier-reply", "Une permanence sans rendez-vous rouvre le mardi matin.")
    page.select_option("#dossier-fixed", "partly")
    page.click(".dossier-reply button[type=submit]")
    page.wait_for_selector("p.notice")
    dossier.refresh_from_db()
    assert dossier.fixed == "partly"
    assert dossier.replied_on == dt.date(2025, 7, 21)
    assert "permanence sans rendez-vous" in dossier.reply
    screenshot(page, "dossier-reply")
