"""What a federation's analyst reads of the shared incident sheets: only shared sheets of
members that share now, their text scanned, the association's name hidden unless it signs."""

from organisations.services import association_update_settings

from .conftest import browser_for

URL = "/api/v1/incidents/"


def _titles(response):
    return {sheet["title"] for sheet in response.json()["results"]}


def test_an_analyst_lists_the_shared_sheets_of_the_sharing_members_only(federation_world):
    world = federation_world
    response = world.analyst_api.get(URL)
    assert response.status_code == 200
    assert _titles(response) == {"Guichet fermé 0", "Guichet fermé 1", "Guichet fermé 2"}


def test_an_unshared_sheet_never_reaches_an_analyst(federation_world):
    world = federation_world
    assert "Fiche gardée dans l'association" not in world.analyst_api.get(URL).content.decode()
    assert world.analyst_api.get(f"{URL}{world.mine.unshared.pk}/").status_code == 404
    page = browser_for(world.analyst).get(f"/federation/incidents/{world.mine.unshared.pk}/")
    assert page.status_code == 404
    listing = browser_for(world.analyst).get("/federation/incidents/")
    assert "Fiche gardée" not in listing.content.decode()


def test_a_member_that_stopped_sharing_no_longer_shows_its_sheets(federation_world):
    world = federation_world
    stopped = world.members[3].sheet
    assert world.analyst_api.get(f"{URL}{stopped.pk}/").status_code == 404


def test_another_federations_analyst_finds_no_shared_sheet(federation_world):
    world = federation_world
    assert world.stranger_api.get(URL).json()["results"] == []
    assert world.stranger_api.get(f"{URL}{world.mine.sheet.pk}/").status_code == 404
    page = browser_for(world.stranger).get(f"/federation/incidents/{world.mine.sheet.pk}/")
    assert page.status_code == 404


def test_the_analyst_reads_the_text_with_identifiers_blanked_and_no_association(federation_world):
    world = federation_world
    body = world.analyst_api.get(f"{URL}{world.mine.sheet.pk}/").json()
    assert "0470" not in body["narrative"]
    assert "Appeler le" in body["narrative"]
    assert body["association"] is None
    assert body["entries_count"] == 0
    assert "entries" not in body and "shared" not in body
    page = browser_for(world.analyst).get(f"/federation/incidents/{world.mine.sheet.pk}/")
    text = page.content.decode()
    assert "0470" not in text
    assert "Association témoin 0" not in text


def test_an_association_that_signs_its_sheets_is_named(federation_world):
    world = federation_world
    association_update_settings(
        association=world.mine.association, name_shown_on_shared_sheets=True
    )
    body = world.analyst_api.get(f"{URL}{world.mine.sheet.pk}/").json()
    assert body["association"] == "Association témoin 0"


def test_a_director_chooses_to_sign_the_shared_sheets_on_the_settings_page(federation_world):
    world = federation_world
    director = world.director_api.user
    response = browser_for(director).post(
        "/account/settings/",
        {"hourly_cost_eur": "40", "retention_years": "5", "name_shown_on_shared_sheets": "on"},
    )
    assert response.status_code == 200
    world.mine.association.refresh_from_db()
    assert world.mine.association.name_shown_on_shared_sheets


def test_an_analyst_writes_no_sheet(federation_world):
    world = federation_world
    assert world.analyst_api.post(URL, {"title": "x"}, format="json").status_code == 403
    shared = world.analyst_api.patch(f"{URL}{world.mine.sheet.pk}/", {"title": "x"}, format="json")
    assert shared.status_code == 403
    unshared = world.analyst_api.patch(
        f"{URL}{world.mine.unshared.pk}/", {"title": "x"}, format="json"
    )
    assert unshared.status_code == 404


def test_a_worker_still_sees_the_associations_own_sheets_as_written(federation_world):
    world = federation_world
    body = world.worker_api.get(URL).json()
    titles = {s["title"] for s in body["results"]}
    assert titles == {"Guichet fermé 0", "Fiche gardée dans l'association"}
    assert all("shared" in s for s in body["results"])
