"""The subcontracting statement as a director sends it, in a real browser: a letter from the
association (its letterhead) to the institution (its address in the registry), dated, with
its reference, the period in words and room for a signature. The picture is the one the
documentation shows (docs/screenshots/statement-letter.png)."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from cases.services import assistance_request_create
from organisations.models import Role
from organisations.services import association_update_letterhead
from tests.factories import AssociationFactory, InstitutionFactory, MembershipFactory
from workload.services import rollups_sweep_dirty

# The live server reads what the test wrote, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def director_cookie():
    association = AssociationFactory(slug="asbl-courrier", name="Maison de quartier Nord")
    association_update_letterhead(
        association=association,
        values={
            "street": "Rue Royale Sainte-Marie 12",
            "postcode": "1030",
            "city": "Schaerbeek",
            "phone": "02 215 00 00",
            "email": "direction@mqn.example",
            "contact_person": "Awa Diallo",
            "enterprise_number": "0403.019.261",
            "signatory_name": "Marie Dupont",
        },
    )
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    cpas = InstitutionFactory(
        name="CPAS de Schaerbeek", kind="cpas", postcode="1030", street="Rue de la Ruche 30"
    )
    for month, minutes in ((1, 45), (2, 60), (3, 30)):
        assistance_request_create(
            association=association,
            occurred_on=dt.date(2026, month, 10),
            duration_minutes=minutes,
            channel="on_site",
            procedure_domain="ris.application",
            referred_by=cpas,
            responsible_institution=cpas,
            barriers=["upload"],
            mode="do_for",
            outcome="resolved",
            consent="oral",
        )
    rollups_sweep_dirty()
    client = Client()
    client.force_login(director)
    return {"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value, "cpas": cpas}


def test_a_director_reads_the_statement_as_a_letter(
    live_server, browser, director_cookie, docs_screenshot
):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="fr-BE")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": director_cookie["cookie"],
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    key = f"institution-{director_cookie['cpas'].pk}"

    # When the director opens the CPAS's statement for the first quarter, in French
    page.goto(f"{live_server.url}/workload/statements/{key}/?from=2026-01&to=2026-03&lang=fr")

    # then it reads as a letter from the association to the CPAS
    sender = page.locator("[data-letter=sender]").inner_text()
    assert "Maison de quartier Nord" in sender and "Rue Royale Sainte-Marie 12" in sender
    assert "1030 Schaerbeek" in sender and "02 215 00 00" in sender
    addressee = page.locator("[data-letter=addressee]").inner_text()
    assert "CPAS de Schaerbeek" in addressee and "Rue de la Ruche 30" in addressee
    assert page.locator("[data-letter=issued]").inner_text().startswith("Schaerbeek, le ")
    subject = page.locator("h1.subject").inner_text()
    assert subject.startswith("Objet :")
    assert "du 1er janvier au 31 mars 2026" in subject
    reference = page.locator("[data-letter=reference]").inner_text()
    assert f"ASBL-COURRIER/INSTITUTION-{director_cookie['cpas'].pk}/202601-202603" in reference
    signature = page.locator("[data-letter=signature]")
    assert "Marie Dupont" in signature.inner_text()
    assert signature.locator(".signature-space").bounding_box()["height"] > 40
    # with the figures of the work below
    assert page.locator("[data-figure=transferred_requests]").inner_text() == "3"
    docs_screenshot(page, "statement-letter")
    context.close()
