"""The registry holds bodies only: never a person, the person's circle or an unknown."""

import pytest
from django.db import IntegrityError, transaction

from referrals.models import INSTITUTION_KINDS, Institution


@pytest.mark.parametrize("kind", ["self", "entourage", "unknown", "not_a_kind", ""])
def test_an_institution_kind_that_is_not_a_body_is_refused_by_the_database(kind):
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(name="Madame X", kind=kind, postcode="1000")
    assert not Institution.objects.filter(name="Madame X").exists()


@pytest.mark.parametrize("kind", INSTITUTION_KINDS)
def test_every_kind_of_body_in_the_taxonomy_is_accepted(kind):
    institution = Institution.objects.create(name=f"Organisme {kind}", kind=kind)
    assert institution.pk is not None


def test_the_person_and_their_circle_are_not_kinds_of_institution():
    assert {"self", "entourage", "unknown"}.isdisjoint(INSTITUTION_KINDS)
    assert {"cpas", "commune", "pub_fed", "association", "epn"} <= set(INSTITUTION_KINDS)


def test_an_institution_name_is_unique_per_postcode():
    Institution.objects.create(name="Guichet énergie", kind="utilities", postcode="1000")
    Institution.objects.create(name="Guichet énergie", kind="utilities", postcode="1030")
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(name="Guichet énergie", kind="utilities", postcode="1000")


def test_a_taxonomy_code_names_one_institution_at_most():
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(name="Autre ONEM", kind="socsec", code="onem")


def test_bodies_added_by_associations_need_no_taxonomy_code():
    Institution.objects.create(name="Maison médicale A", kind="health_care")
    Institution.objects.create(name="Maison médicale B", kind="health_care")
    assert Institution.objects.filter(kind="health_care", code__isnull=True).count() >= 2
