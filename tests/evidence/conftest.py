import datetime as dt
import itertools

import pytest
from rest_framework.test import APIClient

from cases.services import assistance_request_create
from organisations.models import Role
from organisations.services import (
    association_create_or_update,
    federation_create_or_update,
    member_create_or_update,
)
from tests.factories import DEFAULT_PASSWORD
from workload.selectors import period_parse

PERIOD = period_parse("2026-01", "2026-02")
JANUARY, FEBRUARY = dt.date(2026, 1, 12), dt.date(2026, 2, 9)
_numbers = itertools.count()


def new_federation(k=5):
    federation, _ = federation_create_or_update(
        slug=f"fed-{next(_numbers)}", name="Fédération des services sociaux"
    )
    if k != federation.disclosure_k:
        federation.disclosure_k = k
        federation.save()
    return federation


def new_association(federation=None, **extra):
    association, _ = association_create_or_update(
        slug=f"asbl-{next(_numbers)}",
        name="ASBL",
        federation_slug=federation.slug if federation else None,
        **extra,
    )
    return association


def log(association, times=1, **overrides):
    fields = {
        "occurred_on": JANUARY,
        "duration_minutes": 30,
        "channel": "on_site",
        "procedure_domain": "tax.pit_return",
        "referrer_kind": "cpas",
        "responsible_kind": "pub_fed",
        "barriers": ["itsme"],
        "mode": "do_for",
        "outcome": "resolved",
        "consent": "oral",
    }
    fields.update(overrides)
    return [assistance_request_create(association=association, **fields) for _ in range(times)]


def member(organisation, role):
    email = f"{role}-{next(_numbers)}@example.be"
    member_create_or_update(
        org_slug=organisation.slug, email=email, role=role, password=DEFAULT_PASSWORD
    )
    return email


def token_client(email):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"email": email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


@pytest.fixture
def federation():
    return new_federation()


@pytest.fixture
def analyst_client(federation):
    return token_client(member(federation, Role.ANALYST))
