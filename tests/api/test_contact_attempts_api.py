"""The contact-attempt diary over the API (API.md `/api/v1/contact-attempts/`): fields and
defaults, the institution's kind, the entry it was for, bad input, and tenant scoping."""

import pytest

from attempts.models import ContactAttempt
from audit.models import AuditEvent
from tests.factories import attempt_fields, log_attempt

URL = "/api/v1/contact-attempts/"
FIELDS = {
    "id",
    "occurred_on",
    "institution_kind",
    "institution",
    "channel",
    "result",
    "waited_minutes",
    "assistance_request",
    "notes",
}


def body(**overrides):
    fields = attempt_fields(**overrides)
    if hasattr(fields["occurred_on"], "isoformat"):
        fields["occurred_on"] = fields["occurred_on"].isoformat()
    return fields


def test_posting_an_attempt_gives_201_with_the_contract_fields_and_defaults(world):
    response = world.worker.post(URL, body(), format="json")

    assert response.status_code == 201, response.content
    answer = response.json()
    assert set(answer) == FIELDS
    assert answer["institution"] is None
    assert answer["assistance_request"] is None
    assert answer["notes"] == ""
    assert answer["waited_minutes"] == 35
    attempt = ContactAttempt.objects.get(pk=answer["id"])
    assert attempt.association == world.mine.association
    assert attempt.created_by == world.worker.user
    assert attempt.month == "2025-03"


def test_the_institutions_kind_wins_over_a_kind_typed_by_hand(world):
    response = world.worker.post(
        URL, body(institution=world.cpas.pk, institution_kind="bank"), format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["institution_kind"] == "cpas"


def test_an_attempt_names_the_entry_it_was_for_but_never_another_associations(world):
    mine = world.worker.post(URL, body(assistance_request=world.mine.entry.pk), format="json")
    theirs = world.worker.post(URL, body(assistance_request=world.other.entry.pk), format="json")

    assert mine.status_code == 201
    assert mine.json()["assistance_request"] == world.mine.entry.pk
    assert theirs.status_code == 400
    assert "assistance_request" in theirs.json()
    assert ContactAttempt.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("waited_minutes", 601),
        ("waited_minutes", -1),
        ("waited_minutes", "long"),
        ("channel", "pigeon"),
        ("result", "shrug"),
        ("institution_kind", "nobody"),
        ("occurred_on", "2999-01-01"),
        ("occurred_on", "yesterday"),
        ("institution", 10**12),
        ("notes", "x" * 2001),
    ],
)
def test_a_bad_value_is_a_400_naming_the_field_and_nothing_is_written(world, field, value):
    response = world.worker.post(URL, body(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert ContactAttempt.objects.count() == 0


def test_the_error_is_in_the_callers_language(world):
    response = world.worker.post(
        URL, body(waited_minutes=700), format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert response.status_code == 400
    assert "waarde" in " ".join(response.json()["waited_minutes"])  # Dutch, naming the limit


def test_notes_with_a_national_register_number_are_refused_unless_kept(world):
    refused = world.worker.post(URL, body(notes="NN 85.07.30-033.28"), format="json")

    assert refused.status_code == 400
    assert "notes" in refused.json()


def test_patch_changes_the_fields_sent_and_moves_the_month(world, changed_months):
    attempt = log_attempt(world.mine.association)
    changed_months.clear()

    response = world.worker.patch(
        f"{URL}{attempt.pk}/", {"occurred_on": "2025-02-28", "result": "answered"}, format="json"
    )

    assert response.status_code == 200, response.content
    attempt.refresh_from_db()
    assert (attempt.month, attempt.result, attempt.waited_minutes) == ("2025-02", "answered", 35)
    assert changed_months == [(world.mine.association.pk, {"2025-02", "2025-03"})]


def test_delete_removes_the_attempt_and_marks_its_month(world, changed_months):
    attempt = log_attempt(world.mine.association)
    changed_months.clear()

    response = world.worker.delete(f"{URL}{attempt.pk}/")

    assert response.status_code == 204
    assert not ContactAttempt.objects.exists()
    assert changed_months == [(world.mine.association.pk, {"2025-03"})]
    assert AuditEvent.objects.filter(object_type="contact_attempt", action="delete").exists()


def test_another_associations_attempt_is_a_404_for_every_method(world):
    theirs = log_attempt(world.other.association)
    path = f"{URL}{theirs.pk}/"

    assert world.worker.get(path).status_code == 404
    assert world.worker.patch(path, {"waited_minutes": 1}, format="json").status_code == 404
    assert world.worker.delete(path).status_code == 404
    assert world.worker.get(URL).json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.waited_minutes == 35


def test_an_analyst_gets_403_on_the_list(world):
    assert world.analyst.get(URL).status_code == 403


def test_the_list_filters_by_date_result_and_channel(world):
    log_attempt(world.mine.association, result="answered", channel="counter")
    log_attempt(world.mine.association)

    assert world.worker.get(URL, {"result": "answered"}).json()["count"] == 1
    assert world.worker.get(URL, {"channel": "phone"}).json()["count"] == 1
    assert world.worker.get(URL, {"occurred_after": "2025-06-01"}).json()["count"] == 0
    assert world.worker.get(URL, {"result": "shrug"}).status_code == 400


def test_deleting_the_entry_keeps_its_attempts(world):
    from cases.services import assistance_request_delete

    attempt = log_attempt(world.mine.association, assistance_request=world.mine.entry)
    assistance_request_delete(entry=world.mine.entry)

    attempt.refresh_from_db()
    assert attempt.assistance_request is None


def test_the_persons_page_lists_the_attempts_made_for_them(world, client):
    log_attempt(
        world.mine.association,
        assistance_request=world.mine.entry,
        institution=world.cpas,
        waited_minutes=45,
    )
    client.force_login(world.worker.user)

    page = client.get(f"/persons/{world.mine.person.pk}/", HTTP_ACCEPT_LANGUAGE="fr")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Tentatives de joindre une institution" in html
    assert "Téléphone (ligne générale ou helpdesk)" in html
    assert "Ligne saturée" in html
    assert "45 min perdues" in html


def test_a_person_without_attempts_has_no_attempts_section(world, client):
    client.force_login(world.worker.user)

    page = client.get(f"/persons/{world.mine.person.pk}/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Tentatives de joindre une institution" not in page.content.decode()
