"""Every write to the log goes through the services: they validate the whole input, name every
bad field, write nothing on bad input and derive the stored columns."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cases.models import AssistanceRequest, Person
from cases.services import (
    assistance_request_create,
    assistance_request_delete,
    assistance_request_update,
    assistance_requests_bulk_create,
    person_create,
)
from referrals.models import Institution
from tests.factories import (
    AssociationFactory,
    InstitutionFactory,
    PersonFactory,
    entry_fields,
    log_entry,
)


def error_fields(exc_info) -> set[str]:
    return set(exc_info.value.message_dict)


# --- Creating one entry ----------------------------------------------------------------------


def test_a_valid_entry_is_logged_with_its_month_and_procedure_root(association, worker):
    entry = log_entry(association, actor=worker, occurred_on=dt.date(2025, 11, 3))

    entry.refresh_from_db()
    assert entry.association == association
    assert entry.created_by == worker
    assert entry.month == "2025-11"
    assert entry.procedure_domain == "tax.pit_return"
    assert entry.procedure_root == "tax"


def test_a_domain_without_child_is_its_own_procedure_root(association):
    entry = log_entry(association, procedure_domain="energy")
    assert entry.procedure_root == "energy"


def test_barriers_and_sensitive_flags_are_stored_one_row_each(association):
    entry = log_entry(
        association,
        barriers=["once_only", "itsme"],
        sensitive_flags=["password"],
        consent="oral",
    )

    entry.refresh_from_db()
    assert entry.barrier_codes == ["itsme", "once_only"]
    assert entry.sensitive_flag_codes == ["password"]
    assert entry.has_barrier and entry.has_once_only and entry.has_sensitive_flag


def test_an_entry_without_barrier_or_flag_says_so(association):
    entry = log_entry(association)
    assert not (entry.has_barrier or entry.has_once_only or entry.has_sensitive_flag)
    assert entry.barrier_codes == [] and entry.sensitive_flag_codes == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("duration_minutes", 0),
        ("duration_minutes", 1441),
        ("duration_minutes", "20"),
        ("duration_minutes", True),
        ("channel", "carrier_pigeon"),
        ("procedure_domain", "tax.unknown"),
        ("mode", "magic"),
        ("outcome", "happy"),
        ("consent", "maybe"),
        ("referrer_kind", "neighbour"),
        ("responsible_kind", "nobody"),
        ("barriers", ["no_device", "not_a_barrier"]),
        ("barriers", "no_device"),
        ("barriers", ["no_device", "no_device"]),
        ("sensitive_flags", ["secret"]),
        ("occurred_on", "2025-03-14"),
        ("occurred_on", dt.date(1999, 12, 31)),
        ("notes", "x" * 5001),
    ],
)
def test_a_bad_value_is_refused_and_its_field_named(association, field, value):
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, **{field: value})
    assert field in error_fields(exc_info)
    assert AssistanceRequest.objects.count() == 0


@pytest.mark.parametrize(
    "field",
    [
        "occurred_on",
        "duration_minutes",
        "channel",
        "procedure_domain",
        "mode",
        "outcome",
        "consent",
    ],
)
def test_a_required_field_left_out_is_named(association, field):
    fields = entry_fields()
    del fields[field]

    with pytest.raises(ValidationError) as exc_info:
        assistance_request_create(association=association, **fields)
    assert field in error_fields(exc_info)


def test_an_unknown_field_is_refused(association):
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, national_number="85073003361")
    assert "national_number" in error_fields(exc_info)


def test_several_bad_fields_are_all_named_and_nothing_is_written(association):
    log_entry(association)
    before = AssistanceRequest.objects.count()

    with pytest.raises(ValidationError) as exc_info:
        log_entry(
            association,
            duration_minutes=2000,
            channel="fax",
            outcome="",
            barriers=["nope"],
        )

    assert {"duration_minutes", "channel", "outcome", "barriers"} <= error_fields(exc_info)
    assert AssistanceRequest.objects.count() == before


def test_a_date_in_the_future_is_refused(association):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, occurred_on=tomorrow)
    assert "occurred_on" in error_fields(exc_info)


def test_an_entry_dated_today_is_accepted(association):
    today = timezone.localdate()
    entry = log_entry(association, occurred_on=today)
    assert entry.month == f"{today.year:04d}-{today.month:02d}"


def test_the_institution_kind_wins_over_a_kind_typed_by_hand(association):
    cpas = Institution.objects.get(postcode="1070", kind="cpas")
    onem = Institution.objects.get(code="onem")

    entry = log_entry(
        association,
        referred_by=cpas,
        referrer_kind="self",
        responsible_institution=onem,
        responsible_kind="pub_fed",
    )

    entry.refresh_from_db()
    assert entry.referrer_kind == "cpas"
    assert entry.responsible_kind == "socsec"
    assert entry.referred_by == cpas and entry.responsible_institution == onem


def test_with_an_institution_no_kind_needs_to_be_typed(association):
    fields = entry_fields(responsible_institution=InstitutionFactory(kind="bank"))
    del fields["responsible_kind"]
    entry = log_entry(association, **fields)
    assert entry.responsible_kind == "bank"


def test_an_institution_given_as_a_bare_id_is_refused(association):
    onem = Institution.objects.get(code="onem")
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, responsible_institution=onem.pk)
    assert "responsible_institution" in error_fields(exc_info)


def test_a_sensitive_flag_without_recorded_consent_is_refused(association):
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, sensitive_flags=["pin"], consent="not_applicable")
    assert "consent" in error_fields(exc_info)
    assert AssistanceRequest.objects.count() == 0


@pytest.mark.parametrize("consent", ["", None, "not_applicable"])
def test_a_sensitive_flag_without_a_consent_given_says_why_the_consent_is_needed(
    association, consent
):
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, sensitive_flags=["pin"], consent=consent)
    # One message, the reason, not a bare "required" beside it.
    assert exc_info.value.message_dict["consent"] == [
        "Des données sensibles ont été manipulées : indiquez le consentement donné "
        "(écrit, oral ou aucun)."
    ]
    assert AssistanceRequest.objects.count() == 0


def test_without_sensitive_data_a_missing_consent_is_simply_required(association):
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, consent="")
    assert exc_info.value.message_dict["consent"] == ["Ce champ est obligatoire."]


def test_an_entry_without_an_outcome_is_refused(association):
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, outcome="")
    assert error_fields(exc_info) == {"outcome"}
    assert AssistanceRequest.objects.count() == 0


@pytest.mark.parametrize("consent", ["written", "oral", "none"])
def test_a_sensitive_flag_with_a_recorded_consent_is_accepted(association, consent):
    entry = log_entry(association, sensitive_flags=["pin"], consent=consent)
    assert entry.sensitive_flag_codes == ["pin"]


def test_a_person_of_another_association_is_refused(association):
    stranger = PersonFactory(association=AssociationFactory())
    with pytest.raises(ValidationError) as exc_info:
        log_entry(association, person=stranger)
    assert "person" in error_fields(exc_info)
    assert AssistanceRequest.objects.count() == 0


def test_a_person_of_the_association_is_linked_to_the_entry(association):
    person = PersonFactory(association=association)
    entry = log_entry(association, person=person)
    assert list(person.assistance_requests.all()) == [entry]


def test_logging_an_entry_tells_the_workload_app_its_month(association, changed_months):
    log_entry(association, occurred_on=dt.date(2025, 6, 30))
    assert changed_months == [(association.pk, {"2025-06"})]


# --- Updating and deleting -------------------------------------------------------------------


def test_an_update_changes_only_the_fields_given(association):
    entry = log_entry(association, barriers=["no_email"], notes="Déclaration faite ensemble.")

    assistance_request_update(entry=entry, duration_minutes=90, outcome="partial")

    entry.refresh_from_db()
    assert entry.duration_minutes == 90
    assert entry.outcome == "partial"
    assert entry.channel == "on_site"
    assert entry.notes == "Déclaration faite ensemble."
    assert entry.barrier_codes == ["no_email"]


def test_an_update_moving_the_date_restates_both_months(association, changed_months):
    entry = log_entry(association, occurred_on=dt.date(2025, 3, 14))
    changed_months.clear()

    assistance_request_update(entry=entry, occurred_on=dt.date(2025, 4, 2))

    entry.refresh_from_db()
    assert entry.month == "2025-04"
    assert changed_months == [(association.pk, {"2025-03", "2025-04"})]


def test_an_update_replaces_barriers_and_flags_and_their_summaries(association):
    entry = log_entry(association, barriers=["once_only"], sensitive_flags=["pin"], consent="oral")

    assistance_request_update(entry=entry, barriers=["no_device"], sensitive_flags=[])

    entry.refresh_from_db()
    assert entry.barrier_codes == ["no_device"]
    assert entry.sensitive_flag_codes == []
    assert entry.has_barrier and not entry.has_once_only and not entry.has_sensitive_flag


def test_an_update_with_a_bad_value_changes_nothing(association):
    entry = log_entry(association)
    with pytest.raises(ValidationError) as exc_info:
        assistance_request_update(entry=entry, duration_minutes=0, channel="fax")
    assert {"duration_minutes", "channel"} <= error_fields(exc_info)
    stored = AssistanceRequest.objects.get(pk=entry.pk)
    assert stored.duration_minutes == 25 and stored.channel == "on_site"


def test_an_update_to_a_new_procedure_restates_its_root(association):
    entry = log_entry(association)
    assistance_request_update(entry=entry, procedure_domain="housing.rent_allowance")
    entry.refresh_from_db()
    assert entry.procedure_root == "housing"


def test_deleting_an_entry_removes_it_and_its_barriers(association, changed_months):
    entry = log_entry(association, barriers=["no_device"])
    changed_months.clear()

    assistance_request_delete(entry=entry)

    assert AssistanceRequest.objects.count() == 0
    assert changed_months == [(association.pk, {"2025-03"})]


# --- Many entries at once --------------------------------------------------------------------


def test_a_batch_of_valid_rows_is_written_whole(association, changed_months):
    rows = [
        entry_fields(occurred_on=dt.date(2025, 1, 5), barriers=["no_device"]),
        entry_fields(occurred_on=dt.date(2025, 2, 5)),
        entry_fields(occurred_on=dt.date(2025, 2, 6), sensitive_flags=["pin"], consent="oral"),
    ]

    written = assistance_requests_bulk_create(association=association, rows=rows)

    assert written == 3
    entries = AssistanceRequest.objects.for_association(association).order_by("occurred_on")
    assert [e.month for e in entries] == ["2025-01", "2025-02", "2025-02"]
    assert [e.barrier_codes for e in entries] == [["no_device"], [], []]
    assert [e.has_sensitive_flag for e in entries] == [False, False, True]
    assert changed_months == [(association.pk, {"2025-01", "2025-02"})]


def test_one_bad_row_rejects_the_whole_batch_naming_its_row(association):
    rows = [
        entry_fields(),
        entry_fields(duration_minutes=0),
        entry_fields(),
        entry_fields(channel="fax", mode="magic"),
    ]

    with pytest.raises(ValidationError) as exc_info:
        assistance_requests_bulk_create(association=association, rows=rows)

    assert error_fields(exc_info) == {"2.duration_minutes", "4.channel", "4.mode"}
    assert AssistanceRequest.objects.count() == 0


# --- Persons ---------------------------------------------------------------------------------


def test_a_person_is_created_with_a_pseudonymous_code(association):
    person = person_create(association=association, code=" MARIE-01 ", birth_year=1958)
    assert person.code == "MARIE-01"
    assert person.birth_year == 1958
    assert person.association == association


@pytest.mark.parametrize("code", ["85073003361", "85.07.30-033.61", "85 07 30 033 61"])
def test_a_code_that_looks_like_a_national_register_number_is_refused(association, code):
    with pytest.raises(ValidationError) as exc_info:
        person_create(association=association, code=code)
    assert "code" in error_fields(exc_info)
    assert Person.objects.count() == 0


def test_a_person_code_already_used_in_the_association_is_refused(association):
    person_create(association=association, code="MARIE-01")
    with pytest.raises(ValidationError) as exc_info:
        person_create(association=association, code="MARIE-01")
    assert "code" in error_fields(exc_info)
    assert Person.objects.count() == 1


def test_another_association_may_reuse_a_person_code(association):
    person_create(association=association, code="MARIE-01")
    person_create(association=AssociationFactory(), code="MARIE-01")
    assert Person.objects.filter(code="MARIE-01").count() == 2


@pytest.mark.parametrize(
    "field, value",
    [("birth_year", 1850), ("birth_year", 2999), ("postcode", "75001"), ("language", "klingon")],
)
def test_a_person_with_an_implausible_detail_is_refused(association, field, value):
    with pytest.raises(ValidationError) as exc_info:
        person_create(association=association, code="P-1", **{field: value})
    assert field in error_fields(exc_info)


# --- Language of the messages ----------------------------------------------------------------


def test_error_messages_follow_the_active_language_english(association):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        log_entry(association, occurred_on=tomorrow)
    assert exc_info.value.message_dict["occurred_on"] == ["The date cannot be in the future."]


def test_error_messages_come_in_french_when_the_active_language_is_french(association):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("fr"), pytest.raises(ValidationError) as exc_info:
        log_entry(association, occurred_on=tomorrow, duration_minutes=0)
    messages = exc_info.value.message_dict
    assert messages["occurred_on"] != ["The date cannot be in the future."]
    assert "futur" in messages["occurred_on"][0]
    assert "minutes" in messages["duration_minutes"][0]
    assert messages["duration_minutes"] != ["The duration must be between 1 and 1440 minutes."]
