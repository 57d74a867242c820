"""A refused entry or incident sheet shows every error next to a control the worker sees,
even when the bad value came in a hidden input or a button."""

import re

import pytest
from django.utils import timezone

from cases.models import AssistanceRequest, IncidentSheet
from tests.factories import DEFAULT_PASSWORD, entry_form_data


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


def error_under(response, field_id) -> str:
    match = re.search(
        rf'<p class="error" id="{field_id}-error">(.*?)</p>', response.content.decode()
    )
    return match[1] if match else ""


@pytest.mark.parametrize(
    ("hidden", "shown_under"),
    [("referred_by", "referred_by_search"), ("responsible_institution", "responsible_search")],
)
def test_an_unknown_institution_id_is_shown_under_the_institutions_search(
    logged_in, hidden, shown_under
):
    response = logged_in.post("/", entry_form_data(**{hidden: "999999"}))

    assert response.status_code == 400
    assert error_under(response, f"new-{shown_under}") == "Institution inconnue."
    assert not AssistanceRequest.objects.exists()


def test_an_unknown_identifier_choice_is_shown_under_the_notes(logged_in):
    response = logged_in.post("/", entry_form_data(identifiers_action="shred"))

    assert response.status_code == 400
    assert "shred" in error_under(response, "new-notes")
    assert not AssistanceRequest.objects.exists()


def test_an_unknown_barrier_of_an_incident_sheet_is_shown_under_the_barriers(logged_in):
    sheet = {"occurred_on": timezone.localdate().isoformat(), "title": "T", "narrative": "N"}

    response = logged_in.post("/incidents/new/", {**sheet, "barriers": "teleportation"})

    assert response.status_code == 400
    assert "teleportation" in error_under(response, "inc-barriers")
    assert not IncidentSheet.objects.exists()
