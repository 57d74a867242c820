"""An association with a worker and an entry of a person, ready to be sent on."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.services import person_create
from organisations.models import Role
from orientations import services
from tests.factories import AssociationFactory, InstitutionFactory, MembershipFactory, log_entry

# A fixed moment, so that days are counted from it and never from the wall clock.
SENT_AT = dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def desk():
    association = AssociationFactory(slug="asbl-orient", name="ASBL Lien")
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    person = person_create(
        association=association, code="ORI-1", birth_year=1961, postcode="1060", language="nl"
    )
    entry = log_entry(association, person=person, actor=worker)
    body = InstitutionFactory(name="EPN de Saint-Gilles", postcode="1060")
    return SimpleNamespace(association=association, worker=worker, entry=entry, body=body)


def orientation_fields(desk, **overrides) -> dict:
    fields = {
        "assistance_request": desk.entry.pk,
        "institution": desk.body.pk,
        "recipient_email": "accueil@epn.example.be",
        "recipient_language": "fr",
        "need": "Apprendre à utiliser l'application de la banque.",
        "shares": ["procedure", "language"],
        "consent": True,
    }
    fields.update(overrides)
    return fields


def send(desk, now=SENT_AT, **overrides):
    return services.orientation_send(
        association=desk.association,
        actor=desk.worker,
        now=now,
        base_url="http://testserver/",
        **orientation_fields(desk, **overrides),
    )


def days_later(days, hours=0):
    return SENT_AT + dt.timedelta(days=days, hours=hours)


@pytest.fixture
def now():
    return timezone.now()
