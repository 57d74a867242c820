"""After logging in, an analyst and a director each land on their own page, with a menu of
the pages they may open; a page their role may not open explains why and leads back."""

import pytest

from organisations.models import Role
from tests.factories import (
    DEFAULT_PASSWORD,
    AssociationFactory,
    FederationFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base, user):
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.keyboard.press("Enter")


def menu(page):
    return page.locator("header nav ul.nav a").all_inner_texts()


def current(page):
    return page.locator('header nav ul.nav a[aria-current="page"]').all_inner_texts()


def test_an_analyst_lands_on_the_federation_page_and_reaches_the_open_data(
    live_server, browser, screenshot
):
    federation = FederationFactory(slug="fed-e2e-landing", name="Fédération wallonne")
    analyst = MembershipFactory(organisation=federation, role=Role.ANALYST).user
    base = live_server.url
    page = browser.new_page(locale="fr-BE")

    log_in(page, base, analyst)
    page.wait_for_url(f"{base}/federation/")

    assert "Fédération wallonne" in page.inner_text("main")
    assert "403" not in page.inner_text("body")
    assert menu(page) == [
        "Chiffres de la fédération",
        "Fiches incident partagées",
        "Dossiers",
        "Données ouvertes",
    ]
    assert current(page) == ["Chiffres de la fédération"]
    screenshot(page, "landing-01-analyst")

    page.click("text=Données ouvertes")
    page.wait_for_url(f"{base}/open-data/")
    assert page.locator("h1").inner_text() == "Données ouvertes"

    # The workers' page is refused with the site's page, which leads back home.
    response = page.goto(f"{base}/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Vous ne pouvez pas ouvrir cette page"
    screenshot(page, "landing-02-analyst-refused")
    page.click("text=Retour à ma page d'accueil")
    page.wait_for_url(f"{base}/federation/")


def test_a_director_lands_on_the_dashboard_and_the_menu_leads_to_the_other_pages(
    live_server, browser, screenshot
):
    association = AssociationFactory(slug="asbl-e2e-landing", name="ASBL de Molenbeek")
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    base = live_server.url
    page = browser.new_page(locale="fr-BE")

    log_in(page, base, director)
    page.wait_for_url(f"{base}/workload/")

    assert menu(page) == [
        "Aujourd'hui",
        "Personnes",
        "Fiches incident",
        "Charge de travail",
        "Relevés de sous-traitance",
        "Plaintes Once Only",
        "Paramètres",
        "Journal d'audit",
        "Dossiers",
    ]
    assert current(page) == ["Charge de travail"]
    screenshot(page, "landing-03-director")

    page.click("header nav >> text=Relevés de sous-traitance")
    page.wait_for_url(f"{base}/workload/statements/")
    assert current(page) == ["Relevés de sous-traitance"]
    page.click("header nav >> text=Aujourd'hui")
    page.wait_for_url(f"{base}/")
    assert page.locator("input[name=duration_minutes]").is_visible()

    # In Dutch, a page that does not exist is the site's page, with the menu.
    page.click("button[value=nl]")
    page.wait_for_selector("html[lang=nl]")
    response = page.goto(f"{base}/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Deze pagina bestaat niet"
    assert "Werklast" in menu(page)
    screenshot(page, "landing-04-director-not-found-nl")
    page.click("text=Terug naar mijn startpagina")
    page.wait_for_url(f"{base}/workload/")
