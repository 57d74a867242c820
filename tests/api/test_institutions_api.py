"""The shared institution registry over the API."""

from referrals.models import Institution
from referrals.services import institution_validate

URL = "/api/v1/institutions/"


def test_a_worker_lists_the_registry(world):
    body = world.worker.get(URL, {"page_size": 500}).json()
    assert body["count"] == Institution.objects.count()
    assert set(body["results"][0]) == {"id", "name", "kind", "postcode"}


def test_the_registry_filters_by_kind_and_a_bad_kind_is_a_400(world):
    body = world.worker.get(URL, {"kind": "cpas", "page_size": 500}).json()
    assert body["count"] == Institution.objects.filter(kind="cpas").count() >= 19
    assert {row["kind"] for row in body["results"]} == {"cpas"}
    response = world.worker.get(URL, {"kind": "self"})
    assert response.status_code == 400 and "kind" in response.json()


def test_a_body_one_association_adds_is_seen_by_it_alone_until_validated(world):
    response = world.worker.post(
        URL,
        {"name": "Bureau de poste", "kind": "private_platform", "postcode": "1070"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Bureau de poste",
        "kind": "private_platform",
        "postcode": "1070",
    }
    mine = world.worker.get(URL, {"name": "poste"}).json()["results"]
    assert [row["id"] for row in mine] == [body["id"]]
    assert world.other_worker.get(URL, {"name": "poste"}).json()["results"] == []

    institution_validate(institution=Institution.objects.get(pk=body["id"]))

    seen = world.other_worker.get(URL, {"name": "poste"}).json()["results"]
    assert [row["id"] for row in seen] == [body["id"]]


def test_a_person_kind_or_a_duplicate_is_refused(world):
    response = world.worker.post(URL, {"name": "Ma voisine", "kind": "entourage"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    existing = Institution.objects.get(pk=world.cpas.pk)
    response = world.worker.post(
        URL,
        {"name": existing.name, "kind": existing.kind, "postcode": existing.postcode},
        format="json",
    )
    assert response.status_code == 400 and "name" in response.json()


def test_an_analyst_gets_403_on_the_registry(world):
    assert world.analyst.get(URL).status_code == 403
    assert world.analyst.post(URL, {"name": "X", "kind": "bank"}, format="json").status_code == 403


def test_the_registry_has_no_object_path_and_no_delete(world):
    assert world.worker.get(f"{URL}{world.cpas.pk}/").status_code == 404
    assert world.worker.delete(URL).status_code == 405


def test_a_clash_caught_by_the_database_is_a_400_too(world, monkeypatch):
    # As when another association adds the same body between the check and the write.
    existing = Institution.objects.get(pk=world.cpas.pk)
    monkeypatch.setattr(
        "referrals.services.Institution.objects.filter",
        lambda **kwargs: Institution.objects.none(),
    )
    response = world.worker.post(
        URL,
        {"name": existing.name, "kind": existing.kind, "postcode": existing.postcode},
        format="json",
    )
    assert response.status_code == 400 and "name" in response.json()
