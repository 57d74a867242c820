"""Incident sheets over the API: created and changed, never deleted."""

import pytest

from cases.models import IncidentSheet

URL = "/api/v1/incidents/"


def _body(**overrides):
    body = {"occurred_on": "2025-03-20", "title": "Portail fermé", "narrative": "Récit anonyme."}
    body.update(overrides)
    return body


def test_a_worker_creates_a_sheet_with_the_defaults(world):
    response = world.worker.post(URL, _body(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "occurred_on": "2025-03-20",
        "title": "Portail fermé",
        "narrative": "Récit anonyme.",
        "procedure_domain": None,
        "responsible_kind": None,
        "responsible_institution": None,
        "barriers": [],
        "entries": [],
        "shared": False,
    }
    assert IncidentSheet.objects.get(pk=body["id"]).association == world.mine.association


def test_a_sheet_links_entries_and_takes_the_institutions_kind(world):
    response = world.worker.post(
        URL,
        _body(
            entries=[world.mine.entry.pk],
            responsible_institution=world.cpas.pk,
            procedure_domain="ris",
            barriers=["itsme"],
            shared=True,
        ),
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["entries"] == [world.mine.entry.pk]
    assert body["responsible_kind"] == "cpas"
    assert body["shared"] is True


def test_another_associations_entry_cannot_be_linked(world):
    before = IncidentSheet.objects.count()
    response = world.worker.post(URL, _body(entries=[world.other.entry.pk]), format="json")
    assert response.status_code == 400
    assert "entries" in response.json()
    assert IncidentSheet.objects.count() == before
    response = world.worker.patch(
        f"{URL}{world.mine.incident.pk}/", {"entries": [world.other.entry.pk]}, format="json"
    )
    assert response.status_code == 400
    assert list(world.mine.incident.entries.all()) == [world.mine.entry]


@pytest.mark.parametrize("field", ["occurred_on", "title", "narrative"])
def test_a_missing_field_is_a_400_naming_it(world, field):
    body = _body()
    del body[field]
    response = world.worker.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_bad_codes_are_named(world):
    response = world.worker.post(
        URL,
        _body(procedure_domain="nope", barriers=["nope"], occurred_on="someday"),
        format="json",
    )
    assert response.status_code == 400
    assert {"procedure_domain", "barriers", "occurred_on"} <= set(response.json())


def test_patch_changes_a_sheet_and_answers_200(world):
    url = f"{URL}{world.mine.incident.pk}/"
    response = world.worker.patch(url, {"shared": True, "title": "Nouveau titre"}, format="json")
    assert response.status_code == 200
    assert response.json()["shared"] is True
    assert response.json()["title"] == "Nouveau titre"
    assert response.json()["entries"] == [world.mine.entry.pk]


def test_patch_with_a_blank_title_changes_nothing(world):
    url = f"{URL}{world.mine.incident.pk}/"
    response = world.worker.patch(url, {"shared": True, "title": "   "}, format="json")
    assert response.status_code == 400
    world.mine.incident.refresh_from_db()
    assert world.mine.incident.shared is False


@pytest.mark.parametrize("client", ["worker", "director", "other_worker", "analyst"])
def test_delete_is_405_for_everyone_and_reveals_nothing(world, client, api_client):
    for pk in (world.mine.incident.pk, world.other.incident.pk, 999999):
        response = getattr(world, client).delete(f"{URL}{pk}/")
        assert response.status_code == 405
    assert api_client.delete(f"{URL}{world.mine.incident.pk}/").status_code == 405
    assert IncidentSheet.objects.filter(pk=world.mine.incident.pk).exists()


@pytest.mark.parametrize("method", ["get", "patch"])
def test_another_associations_sheet_is_404(world, method):
    url = f"{URL}{world.other.incident.pk}/"
    response = getattr(world.worker, method)(url, {"title": "x"}, format="json")
    assert response.status_code == 404
    world.other.incident.refresh_from_db()
    assert world.other.incident.title == "incident of other"


def test_the_list_is_scoped_and_filters_by_barrier_and_domain(world):
    world.worker.post(
        URL, _body(barriers=["itsme"], procedure_domain="tax.pit_return"), format="json"
    )
    world.worker.post(URL, _body(barriers=["upload"]), format="json")
    titles = lambda **p: [i["title"] for i in world.worker.get(URL, p).json()["results"]]  # noqa: E731
    assert len(titles()) == 3
    assert "incident of other" not in titles()
    assert titles(barriers="itsme") == ["Portail fermé"]
    assert titles(procedure_domain="tax") == ["Portail fermé"]
    assert titles(occurred_before="2025-03-15") == ["incident of mine"]
    response = world.worker.get(URL, {"barriers": "nope"})
    assert response.status_code == 400 and "barriers" in response.json()


def test_an_analyst_lists_no_unshared_sheet_and_gets_404_on_one(world):
    # An analyst reads shared sheets only (tests/dossiers/test_shared_sheets.py).
    response = world.analyst.get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert world.analyst.get(f"{URL}{world.mine.incident.pk}/").status_code == 404
