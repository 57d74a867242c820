"""The reference amounts' services: each association's own table, seeded once from the
official defaults, checked field by field, every change in the audit trail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from audit.models import AuditEvent
from organisations.models import ReferenceAmount
from organisations.reference_amounts import DEFAULT_REFERENCE_AMOUNTS, parse_euros
from organisations.selectors import reference_amounts_in_force
from organisations.services import (
    reference_amount_create,
    reference_amount_delete,
    reference_amount_update,
    reference_amounts_seed,
)
from tests.factories import AssociationFactory

VALUES = {
    "procedure_domain": "unemp.application",
    "situation": "Isolé",
    "monthly_eur": "1.234,56",
    "source_name": "ONEM",
    "source_url": "https://www.onem.be/",
    "valid_from": "01/03/2025",
}


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1 314,20", Decimal("1314.20")),
        ("1\xa0314,20 €", Decimal("1314.20")),
        ("1.314,20", Decimal("1314.20")),
        ("€ 1.314,20", Decimal("1314.20")),
        ("1314.20", Decimal("1314.20")),
        ("876", Decimal("876")),
        ("beaucoup", None),
        ("1,2,3", None),
        ("NaN", None),
    ],
)
def test_an_amount_is_read_as_belgian_offices_write_it(typed, amount):
    assert parse_euros(typed) == amount


def test_the_defaults_name_their_source_and_date():
    for default in DEFAULT_REFERENCE_AMOUNTS:
        assert default.source_name and default.source_url.startswith("https://")
        assert default.valid_from <= dt.date(2025, 12, 31)
        assert Decimal("0") < default.monthly_eur <= Decimal("10000")


def test_seeding_is_once_only_the_directors_table_is_theirs():
    association = AssociationFactory()
    assert ReferenceAmount.objects.for_association(association).count() == len(
        DEFAULT_REFERENCE_AMOUNTS
    )
    ReferenceAmount.objects.for_association(association).first().delete()
    assert reference_amounts_seed(association=association) == 0


def test_a_row_is_added_checked_and_recorded_in_the_audit_trail():
    association = AssociationFactory()
    amount = reference_amount_create(association=association, values=VALUES)
    assert (amount.monthly_eur, amount.valid_from) == (Decimal("1234.56"), dt.date(2025, 3, 1))
    assert AuditEvent.objects.filter(association=association).count() == 1


def test_every_bad_field_is_named_at_once_and_nothing_is_written():
    association = AssociationFactory()
    before = ReferenceAmount.objects.count()
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        reference_amount_create(
            association=association,
            values={"procedure_domain": "nope", "monthly_eur": "-3", "valid_from": "demain"},
        )
    errors = refused.value.message_dict
    assert set(errors) == {"procedure_domain", "monthly_eur", "source_name", "valid_from"}
    assert "supérieur à 0" in errors["monthly_eur"][0]
    assert ReferenceAmount.objects.count() == before


def test_an_update_without_change_records_nothing_and_a_delete_is_recorded():
    association = AssociationFactory()
    amount = reference_amount_create(association=association, values=VALUES)
    reference_amount_update(amount=amount, values=VALUES)
    assert AuditEvent.objects.filter(association=association).count() == 1
    reference_amount_delete(amount=amount)
    assert AuditEvent.objects.filter(association=association).count() == 2


def test_the_amount_in_force_is_the_latest_not_after_the_day_per_situation():
    association = AssociationFactory()
    ReferenceAmount.objects.for_association(association).delete()
    for day, amount in (("2024-01-01", "1000"), ("2025-01-01", "1100"), ("2026-01-01", "1200")):
        reference_amount_create(
            association=association, values={**VALUES, "valid_from": day, "monthly_eur": amount}
        )
    in_force = reference_amounts_in_force(association=association, on=dt.date(2025, 6, 1))
    assert [a.monthly_eur for a in in_force["unemp.application"]] == [Decimal("1100.00")]


def test_the_tables_of_two_associations_are_apart():
    mine, theirs = AssociationFactory(), AssociationFactory()
    reference_amount_create(association=mine, values=VALUES)
    assert not ReferenceAmount.objects.for_association(theirs).filter(
        procedure_domain="unemp.application"
    )
