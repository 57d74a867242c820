"""Factories for the foundation: organisations, people, the registry and log entries."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from cases.services import assistance_request_create
from organisations.models import Association, Federation, Membership, Role, User
from referrals.models import Institution

DEFAULT_PASSWORD = "Fauteuil-Bleu-1987"

# A fixed day in the past, so that the month of a default entry never depends on today.
DEFAULT_DAY = dt.date(2025, 3, 14)


class FederationFactory(DjangoModelFactory):
    class Meta:
        model = Federation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"federation-{n}")
    name = factory.LazyAttribute(lambda o: f"Fédération {o.slug}")
    disclosure_k = 5


class AssociationFactory(DjangoModelFactory):
    class Meta:
        model = Association
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"association-{n}")
    name = factory.LazyAttribute(lambda o: f"ASBL {o.slug}")
    hourly_cost_eur = Decimal("40.00")
    region = "bxl"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.be")
    full_name = factory.Sequence(lambda n: f"Travailleur·se {n}")
    password = Password(DEFAULT_PASSWORD)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(AssociationFactory)
    role = Role.WORKER


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Service public {n}")
    kind = "pub_reg"
    postcode = "1000"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = "cases.Person"

    association = factory.SubFactory(AssociationFactory)
    code = factory.Sequence(lambda n: f"P-{n:04d}")
    birth_year = 1968
    postcode = "1070"
    language = "fr"


def entry_fields(**overrides) -> dict:
    """The fields of a plausible log entry: a tax return done with the person, on site."""
    fields = {
        "occurred_on": DEFAULT_DAY,
        "duration_minutes": 25,
        "channel": "on_site",
        "procedure_domain": "tax.pit_return",
        "referrer_kind": "self",
        "responsible_kind": "pub_fed",
        "mode": "do_with",
        "outcome": "resolved",
        "consent": "not_applicable",
    }
    fields.update(overrides)
    return fields


def entry_form_data(**overrides) -> dict:
    """What the Today page's form posts for the same plausible entry, logged today."""
    fields = entry_fields(occurred_on=timezone.localdate(), duration_minutes=15)
    return {**{name: str(value) for name, value in fields.items()}, **overrides}


def log_entry(association, **overrides):
    """Log one entry through the service, with sensible defaults for every required field."""
    actor = overrides.pop("actor", None)
    return assistance_request_create(
        association=association, actor=actor, **entry_fields(**overrides)
    )


def attempt_fields(**overrides) -> dict:
    """A plausible contact attempt: the pensions line, saturated, 35 minutes lost."""
    fields = {
        "occurred_on": DEFAULT_DAY,
        "institution_kind": "pub_fed",
        "channel": "phone",
        "result": "line_saturated",
        "waited_minutes": 35,
    }
    fields.update(overrides)
    return fields


def log_attempt(association, **overrides):
    """Log one contact attempt through the service."""
    from attempts.services import contact_attempt_create

    actor = overrides.pop("actor", None)
    return contact_attempt_create(
        association=association, actor=actor, **attempt_fields(**overrides)
    )
