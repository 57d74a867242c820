"""In a real browser: a worker starts an incident sheet from one of the day's entries and finds
its procedure, responsible body and barriers filled in and marked as taken from the entry, saves
the sheet and sees it linked to the entry; then, from a person's page that fits a laptop
screen, starts a new entry for that person."""

import pytest
from django.utils import timezone

from cases.models import AssistanceRequest, IncidentSheet
from cases.services import assistance_request_create, person_create
from organisations.models import Role
from referrals.models import Institution
from referrals.registry import seed_registry
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory, entry_fields

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def scene():
    # Another transactional test may have emptied the tables, the registry with them.
    if not Institution.objects.exists():
        seed_registry(Institution)
    association = AssociationFactory(slug="asbl-e2e-sheet", name="ASBL des Marolles")
    user = MembershipFactory(organisation=association, role=Role.WORKER).user
    cpas = Institution.objects.get(name__startswith="CPAS d'Ixelles")
    person = person_create(association=association, code="M-031", language="nl")
    entry = assistance_request_create(
        association=association,
        actor=user,
        **entry_fields(
            occurred_on=timezone.localdate(),
            procedure_domain="unemp",
            referrer_kind="cpas",
            referred_by=cpas,
            responsible_kind="cpas",
            responsible_institution=cpas,
            barriers=["itsme", "no_device"],
            person=person,
        ),
    )
    return {"user": user, "cpas": cpas, "entry": entry, "person": person}


def log_in(live_server, browser, user):
    page = browser.new_page(viewport=LAPTOP, locale="fr-BE")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_sheet_started_from_an_entry_is_prefilled_marked_and_linked(
    live_server, browser, screenshot, scene
):
    entry, cpas = scene["entry"], scene["cpas"]
    page = log_in(live_server, browser, scene["user"])

    # Given the day's list, when the worker starts a sheet from the entry's row
    row = page.locator(f"#entry-{entry.pk}")
    row.get_by_role("link", name="Commencer une fiche incident").click()
    page.wait_for_selector("#inc-title")

    # then the entry's day, procedure, body and barriers are there, each marked
    assert page.input_value("#inc-occurred_on") == entry.occurred_on.isoformat()
    assert page.input_value("#inc-procedure_domain") == "unemp"
    assert page.input_value("#inc-responsible_search") == str(cpas)
    assert page.input_value("#inc-responsible_kind") == "cpas"
    for code in ("itsme", "no_device"):
        assert page.is_checked(f"input[name=barriers][value={code}]")
    assert page.is_checked(f"input[name=entries][value='{entry.pk}']")
    marks = page.locator(".carried")
    assert marks.count() == 5
    assert all(marks.nth(i).is_visible() for i in range(5))
    assert marks.first.inner_text() == "reprise de la saisie"
    assert "Fiche commencée depuis la saisie" in page.inner_text("#inc-from-entry")
    screenshot(page, "incident-from-entry")

    # A value the worker changes is theirs: its mark goes, the others stay.
    page.fill("#inc-occurred_on", "2025-03-14")
    assert page.locator("label[for=inc-occurred_on] .carried").count() == 0
    assert page.locator(".carried").count() == 4

    # When the worker writes the title and the story and saves
    page.fill("#inc-title", "Le guichet renvoie vers itsme")
    page.fill("#inc-narrative", "La personne n'a pas de smartphone; le guichet refuse le papier.")
    page.click("button.primary >> text=Enregistrer la fiche")
    page.wait_for_url(f"{live_server.url}/incidents/")

    # then the sheet holds the copied values and is linked to the entry, on the list too
    sheet = IncidentSheet.objects.get()
    assert (sheet.procedure_domain, sheet.responsible_institution_id) == ("unemp", cpas.pk)
    assert sheet.barriers == ["itsme", "no_device"]
    assert sheet.occurred_on.isoformat() == "2025-03-14"
    assert list(sheet.entries.all()) == [entry]
    listed = page.locator(f"#incident-{sheet.pk}")
    link = listed.locator(f"a[href='/entries/{entry.pk}/edit/']")
    assert link.count() == 1
    assert "Chômage" in link.inner_text()
    screenshot(page, "incident-linked")

    # and the entry's page names the sheet
    link.click()
    page.wait_for_selector(".entry-incidents")
    assert "Le guichet renvoie vers itsme" in page.inner_text(".entry-incidents")


def test_a_persons_page_fits_a_laptop_and_starts_an_entry_for_them(
    live_server, browser, screenshot, scene
):
    person = scene["person"]
    page = log_in(live_server, browser, scene["user"])

    page.goto(f"{live_server.url}/persons/{person.pk}/")
    button = page.get_by_role("link", name="Nouvelle saisie pour cette personne")
    # The summary and the button are on the first screen, and nothing sticks out sideways.
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= LAPTOP["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert page.evaluate("document.documentElement.scrollHeight") <= 2 * LAPTOP["height"]
    screenshot(page, "person-page-laptop")

    button.click()
    page.wait_for_url(f"{live_server.url}/?person={person.pk}")
    assert page.input_value("#new-person_code") == "M-031"
    assert page.input_value("#new-person_language") == "nl"
    page.fill("#new-duration_minutes", "20")
    page.select_option("#new-procedure_domain", "unemp")
    page.select_option("#new-referrer_kind", "self")
    page.select_option("#new-responsible_kind", "pub_fed")
    page.click("#new-duration_minutes")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('ol.entries > li.entry').length === 2", timeout=10_000
    )
    assert AssistanceRequest.objects.filter(person=person).count() == 2
