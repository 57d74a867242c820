"""Persons over the API: pseudonymous records, erasure and the right of access."""

import datetime as dt

import pytest

from cases.models import AssistanceRequest, Person
from cases.services import incident_sheet_create
from tests.api.conftest import entry_body
from workload.selectors import monthly_table_for_association, period_parse
from workload.services import rollups_sweep_dirty

URL = "/api/v1/persons/"


def test_a_worker_creates_a_person_and_gets_it_back_with_201(world):
    response = world.worker.post(
        URL, {"code": "ANV-12", "birth_year": 1980, "postcode": "1070"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "code": "ANV-12",
        "birth_year": 1980,
        "postcode": "1070",
        "language": "fr",
    }
    assert Person.objects.get(pk=body["id"]).association == world.mine.association


def test_a_national_register_number_is_refused_as_a_code_and_nothing_is_written(world):
    before = Person.objects.count()
    response = world.worker.post(URL, {"code": "85.07.30-033.61"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
    assert Person.objects.count() == before


def test_each_bad_field_is_named(world):
    response = world.worker.post(
        URL, {"code": "", "birth_year": 1800, "postcode": "ABCD", "language": "xx"}, format="json"
    )
    assert response.status_code == 400
    assert {"code", "language"} <= set(response.json())
    response = world.worker.post(URL, {"code": "X", "birth_year": 1800, "postcode": "12"})
    assert response.status_code == 400
    assert set(response.json()) == {"birth_year", "postcode"}


def test_a_code_already_used_in_the_association_is_refused(world):
    response = world.worker.post(URL, {"code": world.mine.person.code}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_the_same_code_may_be_used_by_another_association(world):
    response = world.worker.post(URL, {"code": world.other.person.code}, format="json")
    assert response.status_code == 201


def test_a_list_shows_only_the_callers_persons(world):
    body = world.worker.get(URL).json()
    assert [p["code"] for p in body["results"]] == ["mine-P1"]
    assert body["count"] == 1


def test_patch_changes_the_fields_given_and_answers_200(world):
    url = f"{URL}{world.mine.person.pk}/"
    response = world.worker.patch(url, {"postcode": "1000"}, format="json")
    assert response.status_code == 200
    assert response.json()["postcode"] == "1000"
    assert response.json()["birth_year"] == 1970


def test_patch_with_a_bad_value_changes_nothing(world):
    url = f"{URL}{world.mine.person.pk}/"
    response = world.worker.patch(url, {"postcode": "1000", "birth_year": 3000}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"birth_year"}
    world.mine.person.refresh_from_db()
    assert world.mine.person.postcode == ""


def test_delete_erases_the_person_but_keeps_the_entries_anonymised(world):
    entry = world.mine.entry
    response = world.worker.delete(f"{URL}{world.mine.person.pk}/")
    assert response.status_code == 204
    assert not Person.objects.filter(pk=world.mine.person.pk).exists()
    entry.refresh_from_db()
    assert entry.person is None
    assert entry.notes == ""
    assert entry.barrier_codes == ["itsme"]
    # The other association's person and entry are untouched.
    assert AssistanceRequest.objects.get(pk=world.other.entry.pk).notes == "notes of other"


def test_erasing_a_person_leaves_the_month_figures_as_they_were(world):
    association = world.mine.association
    world.worker.post(
        "/api/v1/assistance-requests/",
        entry_body(person=world.mine.person.pk, duration_minutes=40, mode="do_for"),
        format="json",
    )
    rollups_sweep_dirty()
    period = period_parse("2025-03", "2025-03")
    before = monthly_table_for_association(association=association, period=period, group_by=None)
    response = world.worker.delete(f"{URL}{world.mine.person.pk}/")
    assert response.status_code == 204
    rollups_sweep_dirty()
    after = monthly_table_for_association(association=association, period=period, group_by=None)
    assert after == before
    assert after[0]["requests"] == 2


def test_the_export_gives_everything_held_about_the_person(world):
    response = world.worker.get(f"{URL}{world.mine.person.pk}/export/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "mine-P1"
    assert body["birth_year"] == 1970
    assert [e["id"] for e in body["assistance_requests"]] == [world.mine.entry.pk]
    assert body["assistance_requests"][0]["notes"] == "notes of mine"
    assert [i["title"] for i in body["incidents"]] == ["incident of mine"]


def test_the_export_leaves_out_incidents_that_link_no_entry_of_the_person(world):
    incident_sheet_create(
        association=world.mine.association,
        occurred_on=dt.date(2025, 3, 1),
        title="unrelated",
        narrative="Nothing to do with this person.",
    )
    body = world.worker.get(f"{URL}{world.mine.person.pk}/export/").json()
    assert [i["title"] for i in body["incidents"]] == ["incident of mine"]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_associations_person_is_404_for_every_method(world, method):
    response = getattr(world.worker, method)(f"{URL}{world.other.person.pk}/", {}, format="json")
    assert response.status_code == 404
    assert Person.objects.filter(pk=world.other.person.pk).exists()


def test_another_associations_person_cannot_be_exported(world):
    response = world.worker.get(f"{URL}{world.other.person.pk}/export/")
    assert response.status_code == 404


def test_an_analyst_gets_403_on_the_list_and_404_on_a_person(world):
    assert world.analyst.get(URL).status_code == 403
    assert world.analyst.post(URL, {"code": "A"}, format="json").status_code == 403
    assert world.analyst.get(f"{URL}{world.mine.person.pk}/").status_code == 404
    assert world.analyst.get(f"{URL}{world.mine.person.pk}/export/").status_code == 404


def test_put_is_not_offered_so_it_is_405(world):
    response = world.worker.put(f"{URL}{world.mine.person.pk}/", {"code": "X"}, format="json")
    assert response.status_code == 405


def test_persons_filter_by_language_and_a_bad_language_is_400(world):
    world.worker.post(URL, {"code": "NL-1", "language": "nl"}, format="json")
    body = world.worker.get(URL, {"language": "nl"}).json()
    assert [p["code"] for p in body["results"]] == ["NL-1"]
    response = world.worker.get(URL, {"language": "klingon"})
    assert response.status_code == 400
    assert "language" in response.json()
