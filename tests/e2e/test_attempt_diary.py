"""The contact-attempt diary in a real browser, keyboard only: the worker finds the body by a
few letters, then the result, the minutes and Enter. The keystrokes after the body is chosen are
counted (the goal: six at most) and written to var/screenshots/attempt_metrics.json."""

import json

import pytest

from attempts.models import ContactAttempt
from organisations.models import Role
from referrals.models import Institution
from referrals.registry import seed_registry
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_worker_day import Keyboard
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_user():
    if not Institution.objects.exists():
        seed_registry(Institution)
    association = AssociationFactory(slug="asbl-diary", name="ASBL de Saint-Gilles")
    return MembershipFactory(organisation=association, role=Role.WORKER).user


def test_a_worker_logs_a_failed_call_in_a_few_keys(live_server, browser, screenshot, worker_user):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", worker_user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    # Given the diary beside the day's entries, the worker types a few letters of the body
    page.focus("#attempt-institution_search")
    page.keyboard.type("pensions")
    page.wait_for_selector("#attempt-institution_search-list li", timeout=10_000)
    page.keyboard.press("Enter")
    # the body is chosen and the cursor waits on the result
    page.wait_for_function("document.activeElement.id === 'attempt-result'")
    chosen = page.input_value("[name=institution]")
    assert chosen

    # When the result, the minutes and Enter are typed
    keys = Keyboard(page)
    keys.type("l")  # "Ligne saturée…"
    keys.press("Tab")
    keys.type("35")
    keys.press("Enter")

    # Then the attempt is in the day's list, and saved as typed
    page.wait_for_selector("li.attempt", timeout=10_000)
    assert keys.count <= 6
    attempt = ContactAttempt.objects.get()
    assert (attempt.channel, attempt.result, attempt.waited_minutes) == (
        "phone",
        "line_saturated",
        35,
    )
    assert attempt.institution_id == int(chosen)
    assert "Ligne saturée" in page.inner_text("li.attempt")
    screenshot(page, "attempt-diary")
    (SCREENSHOTS / "attempt_metrics.json").write_text(
        json.dumps({"keys_after_the_body": keys.count}), encoding="utf-8"
    )

    # And the timer fills the minutes lost since it was started
    page.click("[data-attempt-timer]")
    page.evaluate("sessionStorage.setItem('attempt-timer-started', String(Date.now() - 125000))")
    page.click("[data-attempt-timer]")
    assert page.input_value("#attempt-minutes") == "3"
