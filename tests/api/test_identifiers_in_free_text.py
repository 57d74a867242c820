"""Free text sent to the API is scanned: a national number, an IBAN, a PIN or a password is a
400 naming the field, nothing written, unless the caller keeps the text on purpose."""

import pytest

from cases.models import AssistanceRequest, IncidentSheet
from tests.api.conftest import entry_body

ENTRIES = "/api/v1/assistance-requests/"
INCIDENTS = "/api/v1/incidents/"

IDENTIFYING_NOTES = [
    "NN 85.07.30/033.28 vu au guichet",
    "virement sur BE68 5390 0754 7034",
    "la personne a donné sa pin 1234",
    "mot de passe: Soleil2024",
    "8 5 0 7 3 0 0 3 3 2 8",
]


@pytest.mark.parametrize("notes", IDENTIFYING_NOTES)
def test_entry_notes_with_an_identifier_are_refused_naming_notes(world, notes):
    before = AssistanceRequest.objects.count()
    response = world.worker.post(ENTRIES, entry_body(notes=notes), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["notes"]
    assert AssistanceRequest.objects.count() == before


def test_the_refusal_is_in_the_callers_language(world):
    response = world.worker.post(
        ENTRIES,
        entry_body(notes="pin 1234"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 400
    message = response.json()["notes"][0]
    assert "keep_identifiers" in message
    assert "This text contains" not in message


def test_a_patch_cannot_slip_an_identifier_into_the_notes(world):
    url = f"{ENTRIES}{world.mine.entry.pk}/"
    response = world.worker.patch(url, {"notes": "rekening BE68539007547034"}, format="json")
    assert response.status_code == 400
    world.mine.entry.refresh_from_db()
    assert "BE68" not in world.mine.entry.notes


def test_a_caller_who_keeps_the_text_on_purpose_stores_it(world):
    response = world.worker.post(
        ENTRIES, entry_body(notes="pin 1234", keep_identifiers=True), format="json"
    )
    assert response.status_code == 201, response.content
    assert AssistanceRequest.objects.get(pk=response.json()["id"]).notes == "pin 1234"
    assert "keep_identifiers" not in response.json()


def test_an_incident_narrative_with_an_identifier_is_refused(world):
    before = IncidentSheet.objects.count()
    body = {"occurred_on": "2026-03-02", "title": "Guichet", "narrative": "NN85073003328"}
    response = world.worker.post(INCIDENTS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["narrative"]
    assert IncidentSheet.objects.count() == before
