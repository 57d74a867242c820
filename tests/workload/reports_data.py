"""A small, known log for the report tests: two associations, a hostile institution name."""

import datetime as dt

import pytest
from django.test import Client

from cases.services import assistance_request_create
from organisations.services import (
    association_create_or_update,
    federation_create_or_update,
    member_create_or_update,
)
from tests.factories import InstitutionFactory
from workload.services import rollups_sweep_dirty

PASSWORD = "a-long-demo-pass-2026"
# Typed by a user into the shared registry: a spreadsheet must show it, never run it.
HOSTILE_NAME = '=HYPERLINK("http://evil.example","CPAS")'

COMMON = {"channel": "on_site", "outcome": "resolved", "consent": "oral"}


def web_client(org_slug, email, role) -> Client:
    membership, _ = member_create_or_update(
        org_slug=org_slug, email=email, role=role, password=PASSWORD
    )
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture(name="reports")
def reports_fixture(db):
    federation_create_or_update(slug="fed", name="Fed")
    mine, _ = association_create_or_update(
        slug="mine", name="Maison de quartier", federation_slug="fed"
    )
    other, _ = association_create_or_update(slug="other", name="Other")
    hostile = InstitutionFactory(name=HOSTILE_NAME, kind="cpas", postcode="1070")
    bank = InstitutionFactory(name="Banque Exemple", kind="bank", postcode="1000")

    def log(association, **fields):
        return assistance_request_create(association=association, **{**COMMON, **fields})

    # October: 60 min referred-transferred for the CPAS (do-for, once-only), 30 min for the
    # bank (transferred), 20 min of the association's own work, one abandonment.
    log(
        mine,
        occurred_on=dt.date(2026, 10, 5),
        duration_minutes=60,
        procedure_domain="ris.application",
        referred_by=hostile,
        responsible_institution=hostile,
        barriers=["once_only", "upload"],
        mode="do_for",
    )
    log(
        mine,
        occurred_on=dt.date(2026, 10, 9),
        duration_minutes=30,
        procedure_domain="bank",
        referrer_kind="self",
        responsible_institution=bank,
        barriers=["itsme"],
        mode="do_with",
        outcome="abandoned",
    )
    log(
        mine,
        occurred_on=dt.date(2026, 9, 9),
        duration_minutes=20,
        procedure_domain="civil",
        referrer_kind="self",
        responsible_kind="association",
        barriers=[],
        mode="do_with",
        notes="Called Mrs X at 0470 12 34 56",
    )
    # September: 45 min transferred for the CPAS again.
    log(
        mine,
        occurred_on=dt.date(2026, 9, 20),
        duration_minutes=45,
        procedure_domain="ris",
        referrer_kind="self",
        responsible_institution=hostile,
        barriers=["itsme"],
        mode="do_for",
    )
    log(
        other,
        occurred_on=dt.date(2026, 10, 5),
        duration_minutes=999,
        procedure_domain="tax",
        referrer_kind="self",
        responsible_kind="pub_fed",
        barriers=["itsme"],
        mode="do_for",
    )
    rollups_sweep_dirty()
    return {"mine": mine, "other": other, "hostile": hostile, "bank": bank}
