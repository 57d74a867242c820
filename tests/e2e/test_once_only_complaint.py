"""A director writes a Once-Only complaint in a real browser: from the list of Once-Only
entries, two are ticked, the complaint is generated, and its PDF is downloaded, addressed to
the Brussels simplification service and stating both facts without naming the person."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from cases.models import AssistanceRequest
from organisations.models import Role
from referrals.models import Institution
from referrals.registry import seed_registry
from tests.complaints.conftest import competent_bodies_seed, once_only_entry
from tests.complaints.test_pages import needs_pdf, pdf_text
from tests.factories import AssociationFactory, InstitutionFactory, MembershipFactory, PersonFactory

# The live server reads what the test wrote, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def director_cookie():
    if not Institution.objects.filter(code="rn").exists():
        seed_registry(Institution)
    competent_bodies_seed()
    association = AssociationFactory(slug="asbl-once", name="Maison de quartier Nord")
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    housing = InstitutionFactory(name="Logement bruxellois", kind="pub_reg", postcode="1000")
    person = PersonFactory(association=association, code="MB-12")
    for day, document in ((6, "composition de ménage"), (8, "avertissement-extrait de rôle")):
        once_only_entry(
            association,
            occurred_on=dt.date(2026, 10, day),
            responsible_institution=housing,
            once_only_document=document,
            person=person,
            consent="none",
        )
    client = Client()
    client.force_login(director)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@needs_pdf
def test_a_director_generates_a_complaint_pdf_from_two_entries(
    live_server, browser, director_cookie, screenshot
):
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, locale="fr-BE", accept_downloads=True
    )
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": director_cookie, "url": live_server.url}]
    )
    page = context.new_page()

    # Given the complaints page, the director starts a complaint from the Once-Only entries
    page.goto(f"{live_server.url}/complaints/")
    page.click("[data-new-complaint]")
    rows = page.locator("[data-once-only-entries] tbody tr")
    assert rows.count() == 2

    # When both entries are ticked and the complaint generated, in French
    for box in page.locator("input[name=entries]").all():
        box.check()
    page.select_option("#complaint-language", "fr")
    page.click("[data-generate]")

    # Then the pre-filled letter is shown, addressed to easy.brussels
    page.wait_for_selector("[data-letter]")
    assert "easy.brussels" in page.locator("[data-letter=addressee]").inner_text()
    facts = page.locator("[data-facts] li").all_inner_texts()
    assert len(facts) == 2
    screenshot(page, "once-only-complaint")

    # and its PDF states both facts, without the person's code
    with page.expect_download() as download_info:
        page.click("[data-download=pdf]")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        text = " ".join(pdf_text(file.read()).split())
    assert "easy.brussels" in text
    assert "Le 6 octobre 2026, Logement bruxellois a demandé" in text
    assert "extrait de rôle" in text
    assert "Registre national" in text
    assert "MB-12" not in text
    context.close()


@pytest.fixture
def worker_cookie():
    if not Institution.objects.filter(code="rn").exists():
        seed_registry(Institution)
    association = AssociationFactory(slug="asbl-once-worker", name="Maison de quartier Sud")
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    client = Client()
    client.force_login(worker)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_ticking_the_once_only_barrier_asks_for_the_document_and_its_holder(
    live_server, browser, worker_cookie
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": worker_cookie, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    fields = page.locator("form[data-entry-form] [data-once-only]")
    # Given the entry form, the Once-Only fields stay out of the way
    assert not fields.is_visible()

    # When the worker ticks the Once-Only barrier (under "more barriers" if it is folded there)
    chip = page.locator("form[data-entry-form] label.chip:has(input[value=once_only])")
    if not chip.is_visible():
        page.locator("form[data-entry-form] details.more-chips > summary").first.click()
    chip.click()

    # Then the document and the body holding it are asked for, and saved with the entry
    assert fields.is_visible()
    page.fill("#new-duration_minutes", "20")
    page.select_option("#new-procedure_domain", index=1)
    page.select_option("#new-referrer_kind", "self")
    page.select_option("#new-responsible_kind", "pub_reg")
    page.fill("#new-once_only_document", "composition de ménage")
    page.fill("#new-once_only_holder_search", "registre national")
    page.wait_for_selector("#new-once_only_holder_search-list li", timeout=10_000)
    page.keyboard.press("Enter")
    page.locator("form[data-entry-form] label.chip:has(input[name=mode])").first.click()
    page.locator("form[data-entry-form] label.chip:has(input[name=outcome])").first.click()
    page.locator("form[data-entry-form] label.chip:has(input[name=channel])").first.click()
    page.click("form[data-entry-form] [data-save]")
    page.wait_for_function(
        "document.querySelectorAll('ol.entries > li.entry').length === 1", timeout=10_000
    )
    entry = AssistanceRequest.objects.get()
    assert entry.has_once_only
    assert entry.once_only_document == "composition de ménage"
    assert entry.once_only_holder == Institution.objects.get(code="rn")
    context.close()
