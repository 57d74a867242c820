"""Two associations in one federation, and an API client for each seat.

`mine` is the caller's association in most tests; `other` holds the rows that must never
leak. Tokens are issued by knox directly: the token endpoint has its own tests.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.services import incident_sheet_create, person_create
from organisations.models import Role
from referrals.models import Institution
from tests.factories import (
    AssociationFactory,
    FederationFactory,
    MembershipFactory,
    entry_fields,
    log_entry,
)


def client_for(user) -> APIClient:
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.user = user
    return client


def seat(organisation, role) -> APIClient:
    return client_for(MembershipFactory(organisation=organisation, role=role).user)


@pytest.fixture
def world():
    """Two associations of one federation, each with a person, an entry and an incident."""
    federation = FederationFactory(slug="fed-api")
    mine = AssociationFactory(slug="api-mine")
    other = AssociationFactory(slug="api-other")
    for association in (mine, other):
        association.federations.add(federation)
    cpas = Institution.objects.filter(kind="cpas").order_by("pk").first()
    made = {}
    for key, association in (("mine", mine), ("other", other)):
        person = person_create(association=association, code=f"{key}-P1", birth_year=1970)
        entry = log_entry(
            association,
            person=person,
            referred_by=cpas,
            barriers=["itsme"],
            notes=f"notes of {key}",
        )
        incident = incident_sheet_create(
            association=association,
            occurred_on=dt.date(2025, 3, 15),
            title=f"incident of {key}",
            narrative="A narrative.",
            entries=[entry],
        )
        made[key] = SimpleNamespace(
            association=association, person=person, entry=entry, incident=incident
        )
    return SimpleNamespace(
        federation=federation,
        mine=made["mine"],
        other=made["other"],
        cpas=cpas,
        worker=seat(mine, Role.WORKER),
        director=seat(mine, Role.DIRECTOR),
        other_worker=seat(other, Role.WORKER),
        analyst=seat(federation, Role.ANALYST),
    )


def entry_body(**overrides) -> dict:
    """A JSON body for POST /assistance-requests/."""
    fields = entry_fields(**overrides)
    if isinstance(fields["occurred_on"], dt.date):
        fields["occurred_on"] = fields["occurred_on"].isoformat()
    return fields
