import importlib

import pytest
from django.apps import apps

from organisations.models import Role
from referrals.models import Institution
from tests.factories import InstitutionFactory, MembershipFactory, PersonFactory, log_entry

SEED = importlib.import_module("complaints.migrations.0002_seed_competent_bodies")


def competent_bodies_seed():
    """The table as its data migration seeds it (a transactional test empties it)."""
    SEED.seed(apps, None)


def once_only_entry(association, **overrides):
    """An entry of the Once-Only barrier: the document asked for again and who holds it."""
    fields = {
        "barriers": ["once_only"],
        "once_only_document": "composition de ménage",
        "once_only_holder": Institution.objects.get(code="rn"),
        "responsible_kind": "pub_reg",
    }
    fields.update(overrides)
    return log_entry(association, **fields)


@pytest.fixture
def bodies():
    competent_bodies_seed()


@pytest.fixture
def director(association):
    return MembershipFactory(organisation=association, role=Role.DIRECTOR).user


@pytest.fixture
def housing(db):
    """A Brussels body (its postcode places it in the region)."""
    return InstitutionFactory(name="Logement bruxellois", kind="pub_reg", postcode="1000")


@pytest.fixture
def person(association):
    return PersonFactory(association=association, code="MB-12")
