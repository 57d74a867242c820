"""The contact-attempt diary in a real browser, keyboard only: the worker finds the body by a
few letters, then the result, the minutes and Enter. The keystrokes after the body is chosen are
counted (the goal: six at most) and written to var/screenshots/attempt_metrics.json."""

import json

import pytest

from attempts.models import ContactAttempt
from organisations.models import Association, Role
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


def _tab_to(page, selector, limit=120):
    """Tab through the page, as a keyboard user does, until the control is reached."""
    for _press in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_a_worker_edits_an_attempt_with_the_keyboard_then_undoes_it(
    live_server, browser, screenshot, worker_user
):
    from django.utils import timezone

    from tests.factories import log_attempt

    pensions = Institution.objects.filter(kind="pub_fed").order_by("pk").first()
    attempt = log_attempt(
        Association.objects.get(slug="asbl-diary"),
        actor=worker_user,
        occurred_on=timezone.localdate(),
        institution=pensions,
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", worker_user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    row = f"#attempt-{attempt.pk}"
    assert "35 min" in page.inner_text(row)

    # Given the day's attempt, the worker tabs to its "Edit" and presses Enter
    _tab_to(page, f"{row} [data-edit-attempt]")
    page.keyboard.press("Enter")
    # the diary's line comes back filled with the attempt, the cursor in it
    page.wait_for_selector(f"[data-attempt-editing='{attempt.pk}']", timeout=10_000)
    page.wait_for_function("!!document.activeElement.closest('[data-attempt-editing]')")
    assert "Modifier la tentative" in page.inner_text("[data-attempt-editing]")
    assert page.input_value("#attempt-minutes") == "35"

    # When the minutes are changed and Enter pressed
    _tab_to(page, "#attempt-minutes")
    page.keyboard.press("Control+A")
    page.keyboard.type("50")
    page.keyboard.press("Enter")

    # Then the row shows the new value, and "Undo" waits under the cursor
    page.wait_for_function(
        "(s) => document.querySelector(s).innerText.includes('50 min')", arg=row, timeout=10_000
    )
    attempt.refresh_from_db()
    assert attempt.waited_minutes == 50
    page.wait_for_function("document.activeElement.textContent.includes('Annuler la modification')")
    screenshot(page, "attempt-edited")

    # And Enter undoes it: the old value is back
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(s) => document.querySelector(s).innerText.includes('35 min')", arg=row, timeout=10_000
    )
    attempt.refresh_from_db()
    assert attempt.waited_minutes == 35
    assert not page.query_selector("[data-attempt-editing]")
