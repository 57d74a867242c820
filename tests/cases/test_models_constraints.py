"""The database itself refuses what the log must never hold, whoever writes to it.

These tests bypass the services on purpose: rows are created or updated directly.
"""

import pytest
from django.db import IntegrityError, transaction

from cases.models import (
    AssistanceRequest,
    IncidentSheet,
    Person,
    RequestBarrier,
    RequestSensitiveFlag,
)
from referrals.models import Referral
from tests.factories import DEFAULT_DAY, AssociationFactory, PersonFactory, log_entry


def refused(queryset, **values):
    """True if updating the rows of `queryset` with `values` is refused by the database."""
    try:
        with transaction.atomic():
            queryset.update(**values)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def entry(association):
    return log_entry(association)


def entry_row(entry):
    return AssistanceRequest.objects.filter(pk=entry.pk)


@pytest.mark.parametrize("minutes", [0, 1441, 5000])
def test_a_duration_outside_1_to_1440_minutes_is_refused_by_the_database(entry, minutes):
    assert refused(entry_row(entry), duration_minutes=minutes)
    entry.refresh_from_db()
    assert entry.duration_minutes == 25


@pytest.mark.parametrize("minutes", [1, 1440])
def test_a_duration_of_1_or_1440_minutes_is_accepted_by_the_database(entry, minutes):
    assert not refused(entry_row(entry), duration_minutes=minutes)
    entry.refresh_from_db()
    assert entry.duration_minutes == minutes


@pytest.mark.parametrize(
    "field",
    [
        "channel",
        "procedure_domain",
        "procedure_root",
        "referrer_kind",
        "responsible_kind",
        "mode",
        "outcome",
        "consent",
    ],
)
def test_a_code_outside_the_taxonomy_is_refused_by_the_database(entry, field):
    assert refused(entry_row(entry), **{field: "not_a_code"})


def test_a_procedure_root_must_be_a_domain_not_a_child_procedure(entry):
    assert refused(entry_row(entry), procedure_root="tax.pit_return")
    assert not refused(entry_row(entry), procedure_root="tax")


@pytest.mark.parametrize("month", ["2025-3", "03-2025", "", "2025/03"])
def test_a_month_not_written_yyyy_mm_is_refused_by_the_database(entry, month):
    assert refused(entry_row(entry), month=month)


def test_a_valid_code_in_every_coded_column_is_accepted(entry):
    assert not refused(
        entry_row(entry),
        channel="phone",
        procedure_domain="energy.social_tariff",
        procedure_root="energy",
        referrer_kind="cpas",
        responsible_kind="utilities",
        mode="do_for",
        outcome="pending_inst",
        consent="written",
    )


def test_a_barrier_code_outside_the_taxonomy_is_refused_by_the_database(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestBarrier.objects.create(assistance_request=entry, code="not_a_barrier")
    RequestBarrier.objects.create(assistance_request=entry, code="itsme")
    assert entry.barrier_codes == ["itsme"]


def test_the_same_barrier_twice_on_one_entry_is_refused_by_the_database(entry):
    RequestBarrier.objects.create(assistance_request=entry, code="no_email")
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestBarrier.objects.create(assistance_request=entry, code="no_email")


def test_a_sensitive_flag_code_outside_the_taxonomy_is_refused_by_the_database(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestSensitiveFlag.objects.create(assistance_request=entry, code="secret")
    RequestSensitiveFlag.objects.create(assistance_request=entry, code="password")
    assert entry.sensitive_flag_codes == ["password"]


def test_an_entry_without_association_is_refused_by_the_database(entry):
    assert refused(entry_row(entry), association=None)


def test_a_person_without_association_is_refused_by_the_database(association):
    person = PersonFactory(association=association)
    assert refused(Person.objects.filter(pk=person.pk), association=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(association=None, code="P-ORPHAN")


def test_an_incident_sheet_without_association_is_refused_by_the_database(association):
    sheet = IncidentSheet.objects.create(
        association=association, occurred_on=DEFAULT_DAY, title="Guichet fermé", narrative="…"
    )
    assert refused(IncidentSheet.objects.filter(pk=sheet.pk), association=None)


def test_an_incident_sheet_with_a_procedure_or_kind_outside_the_taxonomy_is_refused(association):
    sheet = IncidentSheet.objects.create(
        association=association, occurred_on=DEFAULT_DAY, title="Guichet fermé", narrative="…"
    )
    rows = IncidentSheet.objects.filter(pk=sheet.pk)
    assert refused(rows, procedure_domain="not_a_code")
    assert refused(rows, responsible_kind="not_a_code")
    assert not refused(rows, procedure_domain="tax", responsible_kind="pub_fed")


def test_a_referral_without_association_is_refused_by_the_database(association):
    referral = Referral.objects.create(
        association=association, destination="epn", referred_on=DEFAULT_DAY
    )
    assert refused(Referral.objects.filter(pk=referral.pk), association=None)


def test_a_referral_with_an_unknown_destination_or_status_is_refused(association):
    referral = Referral.objects.create(
        association=association, destination="epn", referred_on=DEFAULT_DAY
    )
    rows = Referral.objects.filter(pk=referral.pk)
    assert refused(rows, destination="elsewhere")
    assert refused(rows, status="lost")


def test_a_person_code_is_unique_within_an_association(association):
    Person.objects.create(association=association, code="MARIE-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(association=association, code="MARIE-01")
    assert Person.objects.filter(association=association, code="MARIE-01").count() == 1


def test_the_same_person_code_may_be_used_by_another_association(association):
    other = AssociationFactory()
    Person.objects.create(association=association, code="MARIE-01")
    Person.objects.create(association=other, code="MARIE-01")
    assert Person.objects.filter(code="MARIE-01").count() == 2


@pytest.mark.parametrize("year", [1899, 2101])
def test_an_implausible_birth_year_is_refused_by_the_database(association, year):
    person = PersonFactory(association=association)
    assert refused(Person.objects.filter(pk=person.pk), birth_year=year)


def test_an_unknown_person_language_is_refused_by_the_database(association):
    person = PersonFactory(association=association)
    assert refused(Person.objects.filter(pk=person.pk), language="xx")
