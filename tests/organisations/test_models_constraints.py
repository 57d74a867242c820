"""The database refuses organisations and memberships that break the rules."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from organisations.models import Association, Federation, Membership, Organisation, User
from tests.factories import AssociationFactory, FederationFactory, UserFactory


def refused(queryset, **values):
    try:
        with transaction.atomic():
            queryset.update(**values)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_federation_k_below_3_is_refused_by_the_database(k):
    with pytest.raises(IntegrityError), transaction.atomic():
        Federation.objects.create(slug="fed-low-k", name="Fédération", disclosure_k=k)
    assert not Federation.objects.filter(slug="fed-low-k").exists()


def test_a_federation_k_of_3_or_more_is_accepted():
    federation = FederationFactory(disclosure_k=3)
    rows = Federation.objects.filter(pk=federation.pk)
    assert refused(rows, disclosure_k=2)
    assert not refused(rows, disclosure_k=10)


@pytest.mark.parametrize("cost", [Decimal("0"), Decimal("-1.00"), Decimal("10000")])
def test_an_hourly_cost_not_above_zero_or_too_high_is_refused_by_the_database(cost):
    association = AssociationFactory()
    assert refused(Association.objects.filter(pk=association.pk), hourly_cost_eur=cost)
    association.refresh_from_db()
    assert association.hourly_cost_eur == Decimal("40.00")


def test_a_small_positive_hourly_cost_is_accepted():
    association = AssociationFactory()
    assert not refused(Association.objects.filter(pk=association.pk), hourly_cost_eur="0.01")


def test_a_retention_below_one_year_is_refused_by_the_database():
    association = AssociationFactory()
    assert refused(Association.objects.filter(pk=association.pk), retention_years=0)


def test_an_association_and_a_federation_cannot_share_a_slug():
    FederationFactory(slug="bruxelles")
    with pytest.raises(IntegrityError), transaction.atomic():
        Association.objects.create(slug="bruxelles", name="ASBL Bruxelles")


def test_an_organisation_kind_is_set_by_its_type():
    assert AssociationFactory().kind == Organisation.Kind.ASSOCIATION
    assert FederationFactory().kind == Organisation.Kind.FEDERATION


def test_an_unknown_organisation_kind_is_refused_by_the_database():
    association = AssociationFactory()
    assert refused(Organisation.objects.filter(pk=association.pk), kind="club")


@pytest.mark.parametrize("role", ["admin", "", "WORKER"])
def test_an_invalid_membership_role_is_refused_by_the_database(role):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), organisation=AssociationFactory(), role=role)
    assert Membership.objects.count() == 0


def test_a_user_has_one_membership_per_organisation():
    user, association = UserFactory(), AssociationFactory()
    Membership.objects.create(user=user, organisation=association, role="worker")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organisation=association, role="director")


def test_two_users_cannot_share_an_email_differing_only_in_case():
    User.objects.create_user(email="marie@example.be", password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Marie@Example.be")


def test_a_user_logs_in_by_email_with_no_username():
    user = User.objects.create_user(email="Marie@Example.BE", password="Fauteuil-Bleu-1987")
    assert user.email == "marie@example.be"
    assert User.USERNAME_FIELD == "email"
    assert User.objects.get_by_natural_key("MARIE@example.be") == user
