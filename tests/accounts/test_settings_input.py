"""The director's settings page refuses what is not a number by naming the field."""

from decimal import Decimal

import pytest
from django.utils.html import escape

from organisations.models import Role
from tests.factories import AssociationFactory, MembershipFactory


@pytest.fixture
def association():
    return AssociationFactory(slug="asbl-settings", retention_years=5)


@pytest.fixture
def director_client(client, association):
    client.force_login(MembershipFactory(organisation=association, role=Role.DIRECTOR).user)
    return client


def post_settings(client, **typed):
    return client.post(
        "/account/settings/", {"hourly_cost_eur": "40", "retention_years": "5", **typed}
    )


@pytest.mark.parametrize(
    "typed",
    [
        "²",  # a digit for str.isdigit(), not for int()
        "9" * 5000,  # more digits than int() reads from a string
        "١٢",  # Arabic-Indic digits
    ],
)
def test_a_retention_that_is_no_plain_number_is_refused_by_name(
    director_client, association, typed
):
    response = post_settings(director_client, retention_years=typed)

    assert response.status_code == 400
    assert list(response.context["errors"]) == ["retention_years"]
    message = response.context["errors"]["retention_years"][0]
    assert escape(message) in response.content.decode()
    association.refresh_from_db()
    assert association.retention_years == 5


@pytest.mark.parametrize("typed", ["NaN", "nan", "sNaN", "Infinity", "-inf"])
def test_an_hourly_cost_that_is_no_amount_is_refused_by_name(director_client, association, typed):
    response = post_settings(director_client, hourly_cost_eur=typed)

    assert response.status_code == 400
    assert list(response.context["errors"]) == ["hourly_cost_eur"]
    association.refresh_from_db()
    assert association.hourly_cost_eur == Decimal("40.00")
