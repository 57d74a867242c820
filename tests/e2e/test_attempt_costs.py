"""What the institutions cost, end to end in a real browser: a worker logs a failed call with the
keyboard on the Today page, and the director then finds those minutes in the dashboard's owed
hours and in the institution's statement PDF. The keystrokes after the body is chosen are
counted (the goal: six at most)."""

import io

import pytest
from django.utils import timezone

from attempts.models import ContactAttempt
from organisations.models import Role
from referrals.models import Institution
from referrals.registry import seed_registry
from tests.e2e.test_worker_day import Keyboard
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory
from workload.services import rollups_sweep_dirty

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team():
    if not Institution.objects.exists():
        seed_registry(Institution)
    association = AssociationFactory(slug="asbl-couts", name="ASBL des Marolles")
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    return {"worker": worker, "director": director}


def _log_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state("networkidle")
    return context, page


def test_a_failed_call_logged_by_keyboard_reaches_the_dashboard_and_the_statement_pdf(
    live_server, browser, team
):
    from pypdf import PdfReader

    # Given a worker on the Today page who types a few letters of the body
    context, page = _log_in(browser, live_server, team["worker"])
    page.goto(f"{live_server.url}/")
    page.focus("#attempt-institution_search")
    page.keyboard.type("pensions")
    page.wait_for_selector("#attempt-institution_search-list li", timeout=10_000)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'attempt-result'")

    # When the result, the minutes and Enter are typed
    keys = Keyboard(page)
    keys.type("l")  # "Ligne saturée…"
    keys.press("Tab")
    keys.type("35")
    keys.press("Enter")

    # Then the day lists the attempt
    page.wait_for_selector("li.attempt", timeout=10_000)
    assert keys.count <= 6
    assert "Ligne saturée" in page.inner_text("li.attempt")
    attempt = ContactAttempt.objects.get()
    institution = attempt.institution
    context.close()

    # And, once the figures are refreshed, the director's dashboard counts its 35 minutes
    rollups_sweep_dirty()
    month = timezone.localdate().strftime("%Y-%m")
    period = f"from={month}&to={month}"
    context, page = _log_in(browser, live_server, team["director"])
    page.goto(f"{live_server.url}/workload/?{period}")
    row = page.locator(
        f'table[data-table="owed-by-institution"] tr[data-institution="{institution.pk}"]'
    )
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    assert cells[0] == institution.name
    assert "0:35" in cells[1:]

    # and the institution's statement PDF, in French, names it under its channels' cost
    response = context.request.get(
        f"{live_server.url}/workload/statements/institution-{institution.pk}/"
        f"?{period}&lang=fr&format=pdf"
    )
    assert response.status == 200
    pages = PdfReader(io.BytesIO(response.body())).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Ce que vos canaux nous ont coûté" in text
    assert institution.name in text
    assert "Ligne saturée" in text and "0:35" in text
    context.close()
