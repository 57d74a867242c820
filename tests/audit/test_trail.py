"""The audit trail: who did what to which record, when and from where; append-only, except
that erasure removes a person's pseudonym from it."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit import context
from audit.models import AppendOnlyError, AuditEvent
from cases.services import (
    assistance_request_delete,
    assistance_request_update,
    incident_sheet_create,
    person_create,
    person_erase,
    person_update,
)
from organisations.models import Membership, Role
from organisations.services import association_update_settings, member_create_or_update
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory, log_entry


@pytest.fixture
def director(association):
    return MembershipFactory(organisation=association, role=Role.DIRECTOR).user


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def test_logging_changing_and_deleting_an_entry_are_each_recorded_with_the_worker(
    association, worker
):
    entry = log_entry(association, actor=worker)
    assistance_request_update(entry=entry, actor=worker, duration_minutes=40, notes="x")
    entry_id = entry.pk
    assistance_request_delete(entry=entry, actor=worker)

    trail = events(object_type="assistance_request", object_id=str(entry_id))
    assert [e.action for e in trail] == ["create", "update", "delete"]
    assert {e.actor_email for e in trail} == {worker.email}
    assert trail[1].detail["fields"] == ["duration_minutes", "notes"]
    # Field names only: the note's text never enters the trail.
    assert "x" not in str(trail[1].detail.values())


def test_the_client_address_of_the_request_is_recorded(association, worker):
    token = context.current.set(context.RequestContext(ip="192.0.2.7"))
    try:
        log_entry(association, actor=worker)
    finally:
        context.current.reset(token)

    assert events(object_type="assistance_request")[0].ip == "192.0.2.7"


def test_a_person_is_recorded_by_id_and_pseudonym_and_erasure_scrubs_the_pseudonym(
    association, worker
):
    person = person_create(association=association, actor=worker, code="ZEBRE-12")
    person_update(person=person, actor=worker, postcode="1070")
    log_entry(association, actor=worker, person=person)
    person_id = person.pk

    person_erase(person=person, actor=worker)

    trail = events(person_id=person_id)
    assert [(e.object_type, e.action) for e in trail] == [
        ("person", "create"),
        ("person", "update"),
        ("assistance_request", "create"),
        ("person", "erase"),
    ]
    assert trail[1].detail == {"fields": ["postcode"]}
    assert all(e.person_data is None for e in trail)
    assert not AuditEvent.objects.filter(person_data__code="ZEBRE-12").exists()


def test_erasing_one_person_leaves_the_others_pseudonyms(association, worker):
    kept = person_create(association=association, actor=worker, code="KEPT-1")
    erased = person_create(association=association, actor=worker, code="GONE-1")

    person_erase(person=erased, actor=worker)

    assert events(person_id=kept.pk)[0].person_data == {"code": "KEPT-1"}


def test_incident_sheets_memberships_and_settings_are_recorded(association, director):
    incident_sheet_create(
        association=association,
        actor=director,
        occurred_on=dt.date(2025, 3, 1),
        title="Portail en panne",
        narrative="Trois jours sans accès.",
    )
    membership, _ = member_create_or_update(
        org_slug=association.slug,
        email="new.worker@example.be",
        role="worker",
        password=DEFAULT_PASSWORD,
        actor=director,
    )
    member_create_or_update(
        org_slug=association.slug,
        email="new.worker@example.be",
        role="director",
        password=DEFAULT_PASSWORD,
        actor=director,
    )
    Membership.objects.filter(pk=membership.pk).get().delete()
    association_update_settings(association=association, actor=director, retention_years=3)

    trail = [(e.object_type, e.action) for e in events(association=association)]
    assert trail == [
        ("incident_sheet", "create"),
        ("membership", "create"),
        ("membership", "update"),
        ("membership", "delete"),
        ("association", "update"),
    ]
    memberships = events(object_type="membership", object_id=str(membership.pk))
    assert [e.action for e in memberships] == ["create", "update", "delete"]
    assert memberships[1].detail["fields"] == ["password", "role"]
    assert events(object_type="association")[0].detail == {"fields": ["retention_years"]}


def test_reading_a_persons_record_through_the_api_is_recorded_with_the_address(association, worker):
    person = person_create(association=association, actor=worker, code="LU-1")
    _, token = AuthToken.objects.create(worker)
    client = APIClient(REMOTE_ADDR="198.51.100.4")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = client.get(f"/api/v1/persons/{person.pk}/")

    assert response.status_code == 200
    read = events(action="read")
    assert len(read) == 1
    assert (read[0].actor, read[0].ip, read[0].person_id) == (worker, "198.51.100.4", person.pk)


def test_a_refused_read_of_another_associations_person_records_nothing(association, worker):
    other = AssociationFactory(slug="elsewhere")
    person = person_create(association=other, code="AILLEURS-1")
    _, token = AuthToken.objects.create(worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert not events(action="read")


def test_an_event_can_never_be_changed_or_deleted_in_code(association, worker):
    log_entry(association, actor=worker)
    event = AuditEvent.objects.get()

    event.detail = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(actor_email="someone@else.be")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET actor_email = 'forged@example.be'",
        "UPDATE audit_auditevent SET person_data = NULL, ip = '10.0.0.1'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_event(association, worker, sql):
    person_create(association=association, actor=worker, code="SQL-1")

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)

    assert AuditEvent.objects.get().person_data == {"code": "SQL-1"}


@postgresql_only
def test_the_database_lets_erasure_empty_a_persons_pseudonym(association, worker):
    person = person_create(association=association, actor=worker, code="SQL-2")

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET person_data = NULL WHERE person_id = %s", [person.pk]
        )

    assert AuditEvent.objects.get().person_data is None


def test_deleting_an_association_or_a_user_leaves_the_trail(association, worker):
    log_entry(association, actor=worker)
    email = worker.email

    worker.delete()

    assert AuditEvent.objects.filter(actor_email=email, action="create").exists()


def test_exporting_a_persons_record_is_recorded(association, worker):
    person = person_create(association=association, actor=worker, code="EXPORT-1")
    _, token = AuthToken.objects.create(worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get(f"/api/v1/persons/{person.pk}/export/").status_code == 200

    exported = events(action="export")
    assert [(e.person_id, e.actor) for e in exported] == [(person.pk, worker)]


def test_searching_persons_is_recorded_without_the_search_terms(association, worker):
    _, token = AuthToken.objects.create(worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/v1/persons/?code=SECRET").status_code == 200

    searched = events(action="search")
    assert len(searched) == 1
    assert searched[0].association_id == association.pk
    assert "SECRET" not in str(searched[0].detail)
