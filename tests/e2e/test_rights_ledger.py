"""The rights ledger in a real browser: an outcome that calls for it shows it, the reference
amount of the procedure is proposed with its source and date and taken with the keyboard, the
entry is saved with it, and the person's receipt says what is at stake."""

from decimal import Decimal

import pytest

from cases.models import AssistanceRequest
from organisations.models import Role
from referrals.models import Institution
from referrals.registry import seed_registry
from tests.e2e.test_worker_day import wait_for_entries
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_user():
    if not Institution.objects.exists():
        seed_registry(Institution)
    association = AssociationFactory(slug="asbl-ledger", name="ASBL de Forest")
    return MembershipFactory(organisation=association, role=Role.WORKER).user


def test_an_abandoned_request_shows_the_ledger_and_takes_the_proposed_amount(
    live_server, browser, screenshot, worker_user
):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fr-BE")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", worker_user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    ledger = page.locator("#panel-new-entry details[data-ledger]")
    # Given a request for the integration income, the ledger is out of the way
    page.fill("#new-duration_minutes", "20")
    page.select_option("#new-procedure_domain", "ris.application")
    page.select_option("#new-referrer_kind", "self")
    page.select_option("#new-responsible_kind", "cpas")
    page.click("#panel-new-entry label.chip:has(input[name=mode][value=do_with])")
    page.click("#panel-new-entry label.chip:has(input[name=channel][value=on_site])")
    page.click("#panel-new-entry label.chip:has(input[name=outcome][value=resolved])")
    assert ledger.is_hidden()

    # When the worker says the person abandoned it, the ledger appears, open
    page.click("#panel-new-entry label.chip:has(input[name=outcome][value=abandoned])")
    ledger.wait_for(state="visible")
    assert ledger.evaluate("el => el.open")
    page.click("#panel-new-entry label.chip:has(input[name=rights_impact][value=total_loss])")

    # the procedure's reference amounts are proposed, with their source and date
    proposal = page.locator("#panel-new-entry [data-proposal]", has_text="Isolé")
    assert "1\xa0314,20\xa0€" in proposal.inner_text()
    assert "SPP Intégration sociale" in proposal.inner_text()
    assert "1 février 2025" in proposal.inner_text()
    amount = page.locator("#panel-new-entry [name=right_monthly_eur]")
    assert amount.input_value() == ""  # proposed, not chosen

    # and the worker takes the single person's amount with the keyboard
    page.focus("#panel-new-entry [name=right_months]")
    page.keyboard.type("3")
    page.keyboard.press("Tab")  # the monthly amount, empty
    assert page.evaluate("document.activeElement.name") == "right_monthly_eur"
    # past the cohabitant's and the family's amounts (each a source link and a button)
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.useAmount") == "1314,20":
            break
    assert page.evaluate("document.activeElement.dataset.useAmount") == "1314,20"
    page.keyboard.press("Enter")
    assert amount.input_value() == "1314,20"
    assert page.evaluate("document.activeElement.name") == "right_monthly_eur"
    screenshot(page, "ledger-proposal-taken")
    page.keyboard.press("Enter")  # saves

    # Then the entry holds the amount the worker chose
    wait_for_entries(page, 1)
    entry = AssistanceRequest.objects.get()
    assert (entry.outcome, entry.rights_impact, entry.right_months) == (
        "abandoned",
        "total_loss",
        3,
    )
    assert entry.right_monthly_eur == Decimal("1314.20")

    # and the person's receipt says what is at stake and what was done about it
    page.goto(f"{live_server.url}/entries/{entry.pk}/receipt/?lang=fr")
    stake = page.locator("[data-receipt=at-stake]").inner_text()
    assert "Perte définitive du droit" in stake
    assert (
        "3 mois d'une prestation de 1\xa0314,20\xa0€ par mois perdus : 3\xa0942,60\xa0€." in stake
    )
    assert page.get_by_role("heading", name="Ce qui a été fait").is_visible()
    screenshot(page, "ledger-receipt")
