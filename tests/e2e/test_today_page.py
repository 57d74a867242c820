"""The Today page as a worker and a director meet it in a browser: a new entry never repeats
the consent or the outcome of the last one, the date and channel carried over are marked, the
barrier chips keep one order that the director chooses, and the day's list is one key away
(a tab at phone width)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from cases.models import AssistanceRequest
from organisations.models import Role
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CARRIED = "[data-carried-over]"


@pytest.fixture
def association():
    return AssociationFactory(slug="asbl-today", name="Maison sociale de Forest")


@pytest.fixture
def worker_user(association):
    return MembershipFactory(organisation=association, role=Role.WORKER).user


@pytest.fixture
def director_user(association):
    return MembershipFactory(organisation=association, role=Role.DIRECTOR).user


def log_in(browser, live_server, user, viewport=DESKTOP, **options):
    page = browser.new_page(viewport=viewport, locale="fr-BE", **options)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    return page


def wait_for_entries(page, n):
    page.wait_for_function(
        f"document.querySelectorAll('ol.entries > li.entry').length === {n}", timeout=10_000
    )


def checked(page, name):
    return page.eval_on_selector_all(
        f"#panel-new-entry input[name={name}]:checked", "els => els.map(e => e.value)"
    )


def choose(page, name, value):
    """Click a chip of the new-entry form, as a worker does with the mouse: a group folded to
    its chosen chip opens with a click on that chip."""
    chip = page.locator(f"#panel-new-entry label.chip:has(input[name={name}][value={value}])")
    if not chip.is_visible():
        page.click(f"#panel-new-entry label.chip:has(input[name={name}]:checked)")
    chip.click()


def wait_for_a_fresh_form(page):
    page.wait_for_function(
        "document.querySelector('#new-duration_minutes').value === ''", timeout=10_000
    )


def fill_the_usual(page, duration="15"):
    page.fill("#new-duration_minutes", duration)
    page.select_option("#new-procedure_domain", "tax.pit_return")
    page.select_option("#new-referrer_kind", "self")
    page.select_option("#new-responsible_kind", "pub_fed")


def shown_barriers(page):
    """The barrier chips before the "other barriers" fold, in the order they appear."""
    return page.eval_on_selector_all(
        "#panel-new-entry fieldset.choice > .chips input[name=barriers]",
        "els => els.map(e => e.value)",
    )


def in_first_viewport(page, selector):
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.height > 0 && box.top >= 0 && box.top < window.innerHeight
                && box.left >= 0 && box.left < window.innerWidth;
        }""",
        selector,
    )


# --- 1. nothing chosen for the worker but the date and the channel, and those are marked ---


def test_the_next_entry_starts_without_consent_or_outcome_and_marks_what_is_carried_over(
    live_server, browser, docs_screenshot, worker_user
):
    page = log_in(browser, live_server, worker_user)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    # Given a first entry: yesterday's, by phone, a PIN handled with oral consent
    fill_the_usual(page)
    page.fill("#new-occurred_on", yesterday.isoformat())
    choose(page, "mode", "do_for")
    choose(page, "outcome", "partial")
    choose(page, "channel", "phone")
    assert checked(page, "consent") == ["not_applicable"]
    page.click("details[data-sensitive] > summary")
    choose(page, "sensitive_flags", "pin")
    # ticking sensitive data unticks "not applicable" and asks for the consent given
    assert checked(page, "consent") == []
    assert page.is_visible("[data-consent-hint]")
    choose(page, "consent", "oral")
    assert not page.is_visible("[data-consent-hint]")
    page.keyboard.press("Enter")
    wait_for_a_fresh_form(page)
    entry = AssistanceRequest.objects.get()
    assert (entry.consent, entry.sensitive_flag_codes) == ("oral", ["pin"])
    assert entry.outcome == "partial"

    # Then the next form has consent "not applicable", no outcome, no mode, no flag
    assert checked(page, "consent") == ["not_applicable"]
    assert checked(page, "outcome") == []
    assert checked(page, "mode") == []
    assert checked(page, "sensitive_flags") == []
    # and the date and the channel, carried over, say so
    assert page.input_value("#new-occurred_on") == yesterday.isoformat()
    assert checked(page, "channel") == ["phone"]
    assert page.locator(f".field-date {CARRIED}").inner_text() == "repris de la saisie précédente"
    assert page.locator(f"fieldset:has(input[name=channel]) {CARRIED}").is_visible()

    # When the worker saves without an outcome, the outcome is named and nothing is saved
    fill_the_usual(page, duration="20")
    choose(page, "mode", "do_with")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-error-summary]")
    assert "obligatoire" in page.inner_text("#new-outcome-error")
    assert "Issue" in page.inner_text("[data-error-summary]")
    assert AssistanceRequest.objects.count() == 1
    # the carried values are still marked on the refused form
    assert page.locator(f"#panel-new-entry {CARRIED}").count() == 2

    # Once the worker changes a carried value, its mark goes
    page.fill("#new-occurred_on", timezone.localdate().isoformat())
    assert page.locator(f".field-date {CARRIED}").count() == 0
    choose(page, "channel", "on_site")
    assert page.locator(f"#panel-new-entry {CARRIED}").count() == 0
    choose(page, "outcome", "resolved")
    page.keyboard.press("Enter")
    wait_for_entries(page, 1)  # today's list: the second entry is of today
    assert AssistanceRequest.objects.count() == 2

    # The picture the documentation shows: a carried channel folded to its chip, the list beside
    fill_the_usual(page, duration="10")
    page.focus("#new-duration_minutes")
    docs_screenshot(page, "today-desktop")


# --- 2. the barrier chips keep one order, the director's ----------------------------------


def test_the_barrier_chips_keep_their_order_and_the_director_chooses_them(
    live_server, browser, worker_user, director_user
):
    page = log_in(browser, live_server, worker_user)
    before = shown_barriers(page)
    # The default set shows what the report found folded away.
    assert {"itsme", "card_reader", "phone_saturated"} <= set(before)

    # Given entries with different barriers, one of them from under the fold
    for barrier, in_fold in (("phone_saturated", False), ("cost", True), ("cost", True)):
        count = AssistanceRequest.objects.count()
        fill_the_usual(page)
        choose(page, "mode", "do_with")
        choose(page, "outcome", "resolved")
        if not checked(page, "channel"):
            choose(page, "channel", "on_site")
        if in_fold:
            page.click("fieldset:has(input[name=barriers]) details.more-chips > summary")
        choose(page, "barriers", barrier)
        page.keyboard.press("Enter")
        wait_for_entries(page, count + 1)
        # Then the chips are where they were: the same ones, in the same order
        assert shown_barriers(page) == before
    assert sorted(e.barrier_codes[0] for e in AssistanceRequest.objects.all()) == [
        "cost",
        "cost",
        "phone_saturated",
    ]

    # A worker cannot change which barriers are shown
    refused = page.goto(f"{live_server.url}/account/settings/barriers/")
    assert refused.status == 403

    # When the director shows "cost" and no longer "low digital skills"
    director = log_in(browser, live_server, director_user)
    director.goto(f"{live_server.url}/account/settings/barriers/")
    director.uncheck("input[name=shown_barriers][value=low_digital_skills]")
    director.check("input[name=shown_barriers][value=cost]")
    director.click("form.settings-barriers button[type=submit]")
    director.wait_for_selector("[role=status]")

    # Then the worker sees "cost" among the chips, in the taxonomy's order, the other folded
    page.goto(f"{live_server.url}/")
    after = shown_barriers(page)
    assert "cost" in after and "low_digital_skills" not in after
    assert after == [code for code in before if code != "low_digital_skills"] + ["cost"]
    folded = page.eval_on_selector_all(
        "details.more-chips input[name=barriers]", "els => els.map(e => e.value)"
    )
    assert "low_digital_skills" in folded


# --- 3. the day's list one key away; tabs on a phone; no keyboard hints on touch ----------


def test_the_days_list_is_one_key_away_on_a_desktop(live_server, browser, worker_user):
    page = log_in(browser, live_server, worker_user)
    # The list sits beside the form, in the first screen.
    assert in_first_viewport(page, "#day-title")
    # Deep in the form, one chord brings the list (and the focus, for its buttons)
    page.focus("#new-notes")
    page.keyboard.press("Alt+j")
    assert page.evaluate("document.activeElement.id") == "panel-day"
    assert in_first_viewport(page, "#day-title")
    # and another brings the worker back to the duration of the next entry
    page.keyboard.press("Alt+n")
    assert page.evaluate("document.activeElement.id") == "new-duration_minutes"
    # The keyboard hints are shown on a desktop.
    assert page.locator("#new-notes-hint .key-hint").is_visible()
    heights = {"desktop": page.evaluate("document.documentElement.scrollHeight")}
    (SCREENSHOTS / "today_heights_desktop.json").write_text(json.dumps(heights))


def test_on_a_phone_the_form_and_the_list_are_two_tabs(
    live_server, browser, docs_screenshot, worker_user
):
    page = log_in(browser, live_server, worker_user, viewport=PHONE, has_touch=True, is_mobile=True)
    # Given the form's tab, the list is not below it
    assert page.is_visible("#tab-day")
    assert page.get_attribute("#tab-new-entry", "aria-selected") == "true"
    assert not page.is_visible("#panel-day")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # No hint about keys a touch screen does not have
    assert not page.locator(".key-hint").first.is_visible()
    assert page.locator("#new-notes-hint").is_visible()
    form_height = page.evaluate("document.documentElement.scrollHeight")
    # The whole form in one picture, taken at the page's height: a full-page screenshot would
    # drop the touch screen's emulation, and its hints with it.
    page.set_viewport_size({"width": PHONE["width"], "height": form_height})
    docs_screenshot(page, "today-phone", full_page=False)
    page.set_viewport_size(PHONE)

    # When the worker logs an entry, the form stays and the tab counts it
    fill_the_usual(page)
    choose(page, "mode", "do_with")
    choose(page, "outcome", "resolved")
    choose(page, "channel", "on_site")
    page.tap("[data-save]")
    page.wait_for_function(
        "document.querySelector('#tab-day').textContent.includes('(1)')", timeout=10_000
    )
    assert page.is_visible("#panel-new-entry")

    # Then one tap shows the day's list in the first screen, without the form
    page.tap("#tab-day")
    assert page.get_attribute("#tab-day", "aria-selected") == "true"
    assert not page.is_visible("#panel-new-entry")
    assert in_first_viewport(page, "ol.entries > li.entry")
    # and one tap brings the form back
    page.tap("#tab-new-entry")
    assert page.is_visible("#new-duration_minutes")
    heights = {"phone_form": form_height}
    (SCREENSHOTS / "today_heights_phone.json").write_text(json.dumps(heights))
