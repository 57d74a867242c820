"""An analyst publishes a release in a real browser: the publish button leads to a preview
that publishes nothing, its summary first and its tables folded; confirming publishes once,
and the release page opens with the same summary. The preview is the picture the
documentation shows (docs/screenshots/release-preview.png)."""

import pytest
from django.conf import settings
from django.test import Client

from evidence.models import Release
from organisations.models import Role, User
from tests.evidence.conftest import JANUARY, log, member, new_association, new_federation
from workload.services import rollups_sweep_dirty

# The live server reads what the test wrote, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

NAMES = [
    "Maison de quartier Nord",
    "Espace social Télé-Service",
    "ASBL Lire et Écrire",
    "CPAS Solidaire",
]


@pytest.fixture
def federation_with_members():
    federation = new_federation(k=5)
    for number, name in enumerate(NAMES):
        association = new_association(federation)
        association.name = name
        association.save()
        log(association, times=4 + number)
        log(association, times=2 + number, occurred_on=JANUARY.replace(month=2), mode="do_with")
        log(association, times=1, barriers=["app_only"], procedure_domain="bank.app_auth")
    rollups_sweep_dirty()
    return federation


@pytest.fixture
def analyst_page(live_server, browser, federation_with_members):
    analyst = User.objects.get(email=member(federation_with_members, Role.ANALYST))
    client = Client()
    client.force_login(analyst)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_an_analyst_previews_then_confirms_a_release_once(
    live_server, analyst_page, federation_with_members, docs_screenshot
):
    page = analyst_page
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    # Given the federation's figures of January and February, when the analyst presses
    # the publish button
    page.goto(f"{live_server.url}/federation/?from=2026-01&to=2026-02")
    page.locator('form[action="/federation/releases/preview/"] button').click()
    page.wait_for_url("**/federation/releases/preview/**")

    # then a preview opens and nothing is published yet
    assert not Release.objects.exists()
    assert page.locator("[data-not-published]").is_visible()
    # its summary comes first: the period, the contributing associations by name, the
    # totals and the cells suppressed, with why
    summary = page.locator("section.summary")
    assert summary.is_visible()
    assert "2026-01" in summary.inner_text() and "2026-02" in summary.inner_text()
    for name in NAMES:
        assert name in summary.inner_text()
    entries = summary.locator("[data-published-entries]").get_attribute("data-published-entries")
    assert int(entries) == sum(4 + n + 2 + n + 1 for n in range(4))
    assert summary.locator('tr[data-table="all"]').is_visible()
    # and the 11 tables below, folded: their rows show only once a table is opened
    folds = page.locator("details.fold")
    assert folds.count() == 11
    assert page.locator("details.fold[open]").count() == 0
    domains = page.locator('details[data-fold="procedure_domain"]')
    assert not domains.locator("table").is_visible()
    domains.locator("summary").click()
    assert domains.locator("table").is_visible()
    docs_screenshot(page, "release-preview")

    # When the analyst confirms
    page.get_by_role("button", name="Publier la publication 1").click()
    page.wait_for_url(f"**/open-data/{federation_with_members.slug}/releases/1/")

    # then the release is published, and its page opens with the same summary, its 11
    # tables folded
    assert Release.objects.count() == 1
    published = page.locator("section.summary [data-published-entries]")
    assert published.get_attribute("data-published-entries") == entries
    assert page.locator("details.fold:not([data-fold=methodology])").count() == 11
    assert page.locator("details.fold[open]").count() == 0

    # When the analyst goes back to the preview and confirms it again
    page.go_back()
    page.wait_for_url("**/federation/releases/preview/**")
    page.get_by_role("button", name="Publier la publication 1").click()
    page.wait_for_url(f"**/open-data/{federation_with_members.slug}/releases/1/")

    # then nothing more is published
    assert Release.objects.count() == 1
    assert errors == []
