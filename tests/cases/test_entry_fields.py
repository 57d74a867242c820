"""The entry's fields are defined once (`cases.entry_fields`): the web form, the API, the
admin, the undo snapshot, the person's record, the log export and the import all follow that
list, so a field added there reaches each of them, in order, with its limits."""

import datetime as dt

from django.contrib import admin

from api.cases import AssistanceRequestSerializer
from cases import selectors
from cases.entry_fields import ENTRY_FIELDS, FIELD_NAMES, MAX_DURATION, Kind, entry_values
from cases.exports import person_document, person_record
from cases.forms import EntryForm
from cases.imports import REQUIRED_COLUMNS, log_file_parse
from cases.models import AssistanceRequest
from cases.services import assistance_request_delete_for_undo, assistance_request_undo
from taxonomy import get_taxonomy
from tests.factories import InstitutionFactory, PersonFactory, log_entry
from workload import selectors as workload_selectors
from workload.log_export import LOG_HEADER, log_export

EXPORTED = [f for f in ENTRY_FIELDS if f.exported]


def full_entry(association):
    """An entry with every field given: bodies, barriers, sensitive data, a person, notes."""
    cpas = InstitutionFactory(name="CPAS de Schaerbeek", kind="cpas")
    return log_entry(
        association,
        occurred_on=dt.date(2026, 3, 9),
        duration_minutes=40,
        referred_by=cpas,
        responsible_institution=InstitutionFactory(name="SPF Finances", kind="pub_fed"),
        barriers=["itsme", "no_device"],
        sensitive_flags=["password"],
        consent="oral",
        person=PersonFactory(association=association, code="P-77"),
        notes="Déclaration faite ensemble.",
    )


def test_the_form_the_api_and_the_admin_offer_every_field_in_the_definitions_order():
    form_fields = list(EntryForm().fields)
    api_fields = list(AssistanceRequestSerializer().fields)
    admin_form = admin.site._registry[AssistanceRequest].form

    for f in ENTRY_FIELDS:
        assert (f.name if f.kind is not Kind.PERSON else "person_code") in form_fields
    assert [name for name in api_fields if name in FIELD_NAMES] == list(FIELD_NAMES)
    assert {f.name for f in ENTRY_FIELDS if f.kind is not Kind.CODES} <= set(
        admin_form._meta.fields
    )


def test_the_limits_of_the_definition_are_the_form_the_api_and_the_services(
    association, worker_client
):
    duration = EntryForm()["duration_minutes"]
    assert duration.field.widget.attrs["max"] == MAX_DURATION

    response = worker_client.post(
        "/api/v1/assistance-requests/",
        {
            "occurred_on": "2026-03-09",
            "duration_minutes": MAX_DURATION + 1,
            "channel": "on_site",
            "procedure_domain": "tax.pit_return",
            "referrer_kind": "self",
            "responsible_kind": "pub_fed",
            "mode": "do_with",
            "outcome": "resolved",
            "consent": "not_applicable",
        },
        format="json",
    )
    assert response.status_code == 400 and "duration_minutes" in response.json()
    assert not AssistanceRequest.objects.exists()


def test_an_undone_deletion_gives_back_every_field(association, worker):
    entry = full_entry(association)
    before = entry_values(entry)

    undo = assistance_request_delete_for_undo(entry=entry, summary="40 min", actor=worker)
    assert set(FIELD_NAMES) <= set(undo.snapshot)
    restored = assistance_request_undo(association=association, undo_id=undo.pk, actor=worker)

    assert entry_values(AssistanceRequest.objects.get(pk=restored.pk)) == before


def test_the_persons_document_and_record_hold_every_field(association):
    entry = full_entry(association)

    document = person_document(association=association, person_id=entry.person_id)
    (held,) = document["assistance_requests"]
    assert list(held) == ["id", *FIELD_NAMES]
    record = person_record(document, "fr")
    assert record["entries"][0]["referrer"] == "CPAS de Schaerbeek"
    labels = [get_taxonomy().label("digital_barriers", c, "fr") for c in ("itsme", "no_device")]
    assert record["entries"][0]["barriers"] == labels


def test_the_log_export_reads_back_into_the_same_entries(association, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    entry = full_entry(association)
    period = workload_selectors.period_parse("2026-03", "2026-03")

    exported = log_export(association=association, period=period, fmt="csv")
    header = exported.content.decode("utf-8-sig").splitlines()[0]
    for f in EXPORTED:
        assert f.name in header.split(",")
    assert set(REQUIRED_COLUMNS) <= set(LOG_HEADER)
    assert "notes" not in LOG_HEADER and "person" not in LOG_HEADER

    (row,) = log_file_parse(exported.content)
    values = entry_values(entry)
    assert {f.name: row.get(f.name) for f in EXPORTED} == {f.name: values[f.name] for f in EXPORTED}


def test_a_restored_entry_is_scoped_to_its_association(association):
    other_person = PersonFactory(code="ELSEWHERE")
    document = {name: None for name in FIELD_NAMES} | {"person": other_person.pk}

    values = selectors.entry_values_from_document(association=association, document=document)

    assert values["person"] is None
