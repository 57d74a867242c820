"""A federation of three sharing associations and one that stopped sharing, each with a
shared sheet about the same CPAS; another federation with its own analyst."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from cases.models import IncidentSheet
from cases.services import incident_sheet_create
from organisations.models import FederationMembership, Role
from referrals.models import Institution
from tests.api.conftest import seat
from tests.factories import AssociationFactory, FederationFactory, MembershipFactory, log_entry

DAY = dt.date(2025, 3, 14)


def browser_for(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def federation_world():
    federation = FederationFactory(slug="fed-dossiers", name="Fédération des services")
    elsewhere = FederationFactory(slug="fed-elsewhere", name="Autre fédération")
    cpas = Institution.objects.filter(kind="cpas").order_by("pk").first()
    members = []
    for index in range(4):
        association = AssociationFactory(
            slug=f"dossier-assoc-{index}", name=f"Association témoin {index}"
        )
        association.federations.add(federation)
        # Transferred work for the CPAS: the statements' figures.
        for _ in range(2):
            log_entry(
                association,
                occurred_on=DAY,
                duration_minutes=60,
                responsible_kind="cpas",
                responsible_institution=cpas,
                barriers=["itsme"],
            )
        sheet = incident_sheet_create(
            association=association,
            occurred_on=DAY,
            title=f"Guichet fermé {index}",
            narrative="Le CPAS n'accepte plus que les demandes en ligne.",
            responsible_institution=cpas,
            barriers=["online_only"],
            shared=True,
        )
        members.append(SimpleNamespace(association=association, sheet=sheet))
    # The last one stopped sharing: its sheets no longer reach the federation.
    FederationMembership.objects.filter(association=members[3].association).update(
        shares_aggregates=False
    )
    mine = members[0]
    mine.unshared = incident_sheet_create(
        association=mine.association,
        occurred_on=DAY,
        title="Fiche gardée dans l'association",
        narrative="Ce récit ne quitte pas l'association.",
        responsible_institution=cpas,
    )
    # A text that slipped past the scan when it was shared (written before the rule, say): the
    # reading scan still blanks it.
    IncidentSheet.objects.filter(pk=mine.sheet.pk).update(
        narrative="Appeler le 0470 12 34 56 pour le suivi."
    )
    analyst = MembershipFactory(organisation=federation, role=Role.ANALYST).user
    stranger = MembershipFactory(organisation=elsewhere, role=Role.ANALYST).user
    return SimpleNamespace(
        federation=federation,
        elsewhere=elsewhere,
        cpas=cpas,
        members=members,
        mine=mine,
        analyst=analyst,
        analyst_api=seat(federation, Role.ANALYST),
        stranger_api=seat(elsewhere, Role.ANALYST),
        stranger=stranger,
        director_api=seat(mine.association, Role.DIRECTOR),
        worker_api=seat(mine.association, Role.WORKER),
        other_director_api=seat(members[1].association, Role.DIRECTOR),
    )
