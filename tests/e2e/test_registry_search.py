"""The referrer field finds the real Belgian bodies as a worker types: a Walloon CPAS, a
Flemish OCMW and a bank by the name people use for it."""

import pytest

from cases.models import AssistanceRequest
from organisations.models import Role
from referrals.models import Institution
from referrals.registry import load_registry
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def namur_worker():
    # Another transactional test may have emptied the tables, the migration-loaded registry
    # with them: load it again (it only adds what is missing).
    load_registry(Institution)
    association = AssociationFactory(slug="asbl-e2e-namur", name="EPN de Namur", postcode="5000")
    return MembershipFactory(organisation=association, role=Role.WORKER).user


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def pick_referrer(page, typed: str, wanted: Institution):
    """Type in the referrer field, then go down the list to the wanted body and take it."""
    assert page.evaluate("document.activeElement.id") == "new-referred_by_search"
    page.keyboard.type(typed)
    page.wait_for_selector("#new-referred_by_search-list li")
    options = page.locator("#new-referred_by_search-list li").all_inner_texts()
    index = next(i for i, text in enumerate(options) if text.startswith(wanted.display_name("fr")))
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#new-referrer_kind") == wanted.kind
    return index


@pytest.mark.parametrize(
    ("typed", "key"),
    [("namur", "cpas:92094"), ("OCMW Gent", "cpas:44021"), ("fortis", "bnp-paribas-fortis")],
)
def test_the_worker_finds_and_picks_the_body_by_the_words_people_use(
    live_server, browser, screenshot, namur_worker, typed, key
):
    wanted = Institution.objects.get(key=key)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    log_in(page, live_server, namur_worker)

    # Given the Today page, when the worker types a duration, a procedure and the referrer
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    page.keyboard.type("ch")
    page.keyboard.press("Tab")
    index = pick_referrer(page, typed, wanted)
    screenshot(page, f"registry-{key.replace(':', '-')}")
    # then the body is the first proposed, and the entry saved names it.
    assert index == 0
    for key_name in ("Tab", "Tab", "Space", "Tab", "Space"):
        # "same as referrer", the first barrier chip
        page.keyboard.press(key_name)
    # The mode, the outcome and the channel are the worker's own choice every time.
    for name, value in (("mode", "do_with"), ("outcome", "resolved"), ("channel", "on_site")):
        # Set as the chip's click sets it: a forced click on a folded chip's hidden radio can
        # land while the fold re-renders on a loaded machine, and not take.
        page.eval_on_selector(
            f'input[name="{name}"][value="{value}"]',
            "el => { el.checked = true; el.dispatchEvent(new Event('change', {bubbles: true})); }",
        )
    page.focus('[name="duration_minutes"]')
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('ol.entries > li.entry').length === 1", timeout=10_000
    )
    entry = AssistanceRequest.objects.get()
    assert entry.referred_by_id == wanted.pk == entry.responsible_institution_id
    assert entry.referrer_kind == wanted.kind
