"""A mandate in a real browser: the worker records it from the person's page, prints its form
(the PDF names the scopes and the term), logs on the Today page a do_for entry covered by it
and one it does not cover (the form warns), finds the mandate on the covered entry's receipt,
and revokes it in one click, which prints a receipt."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cases.models import AssistanceRequest
from cases.services import person_create
from mandates.models import Mandate
from organisations.models import Role
from rendering import pdf
from tests.e2e.test_today_page import choose, fill_the_usual, wait_for_a_fresh_form
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene():
    association = AssociationFactory(slug="asbl-mandates", name="ASBL de Molenbeek")
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    person = person_create(association=association, code="MB-17", language="fr")
    return association, worker, person


@pytest.mark.skipif(not pdf.pdf_available(), reason="WeasyPrint is not installed here")
def test_a_worker_records_prints_uses_and_revokes_a_mandate(live_server, browser, scene):
    association, worker, person = scene
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", worker.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    # Given the person's page, the worker records a mandate for their taxes
    page.goto(f"{live_server.url}/persons/{person.pk}/")
    page.click("text=Enregistrer un mandat")
    page.wait_for_url(f"{live_server.url}/persons/{person.pk}/mandates/new/")
    page.check("input[name=scopes][value=tax]")
    page.click("#mandate-form button[type=submit]")
    page.wait_for_selector("article.mandate-form")
    mandate = Mandate.objects.get()
    today = timezone.localdate()

    # The form prints: its PDF names the scope and the term
    pdf_url = page.get_attribute("#mandate-pdf", "href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    text = " ".join(text.split())
    assert mandate.reference in text
    assert "Fiscalité" in text or "Impôts" in text or "impôts" in text.lower()
    assert f"{mandate.ends_on.day} " in text and str(mandate.ends_on.year) in text
    assert "Mandat pour agir à ma place" in text

    # On the entry form, a do_for entry for the person's taxes is covered ...
    page.goto(f"{live_server.url}/")

    def fill(procedure):
        page.fill("#new-person_code", person.code)
        fill_the_usual(page)
        page.select_option("#new-procedure_domain", procedure)
        for name, value in (("channel", "on_site"), ("outcome", "resolved")):
            choose(page, name, value)
        choose(page, "mode", "do_for")

    fill("tax.pit_return")
    page.wait_for_selector("[data-mandate-check].mandate-ok", timeout=10_000)
    assert mandate.reference in page.inner_text("[data-mandate-check]")
    page.press("#new-duration_minutes", "Enter")
    wait_for_a_fresh_form(page)
    # ... and one for their social integration income is not: the worker is warned
    fill("ris.application")
    page.wait_for_selector("[data-mandate-check].mandate-missing", timeout=10_000)
    assert "Aucun mandat" in page.inner_text("[data-mandate-check]")
    page.press("#new-duration_minutes", "Enter")
    wait_for_a_fresh_form(page)

    # The receipt of the covered entry names the mandate it was done under
    covered = AssistanceRequest.objects.get(procedure_domain="tax.pit_return")
    not_covered = AssistanceRequest.objects.get(procedure_domain="ris.application")
    assert covered.mandate == mandate and not_covered.mandate is None
    page.goto(f"{live_server.url}/entries/{covered.pk}/receipt/")
    assert mandate.reference in page.inner_text("[data-receipt=mandate]")

    # When the worker revokes it in one click, a receipt is printed and the mandate is kept
    page.goto(f"{live_server.url}/persons/{person.pk}/")
    page.click(f"[data-revoke='{mandate.reference}']")
    page.wait_for_selector("#revocation-receipt")
    assert "révoqué" in page.inner_text("#revocation-receipt")
    mandate.refresh_from_db()
    assert mandate.revoked_on == today
    covered.refresh_from_db()
    assert covered.mandate is None  # revoked from today on: no longer in force today
