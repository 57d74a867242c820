"""/api/v1/orientations/: sent by a worker or director of the association, read back with the
answer, and their figures; another association's orientation is a 404."""

import pytest
from django.core import mail

from organisations.models import Role
from orientations import services
from orientations.models import Orientation
from tests.api.conftest import seat
from tests.factories import AssociationFactory, FederationFactory

from .conftest import days_later, send

pytestmark = pytest.mark.django_db
URL = "/api/v1/orientations/"
EXPECTED = ("sent", "accepted", "refused", "done", "awaiting", "median_days_to_answer")


def body(desk, **overrides):
    data = {
        "assistance_request": desk.entry.pk,
        "institution": desk.body.pk,
        "recipient_email": "accueil@epn.example.be",
        "recipient_language": "fr",
        "need": "Une initiation au smartphone.",
        "shares": ["procedure"],
        "consent": True,
    }
    data.update(overrides)
    return data


def test_a_worker_sends_an_orientation_and_reads_its_answer(desk):
    client = seat(desk.association, Role.WORKER)
    response = client.post(URL, body(desk), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "sent" and created["shared"] == {"procedure": "tax.pit_return"}
    assert len(mail.outbox) == 1
    orientation = Orientation.objects.get(pk=created["id"])
    services.orientation_answer(token=services.link_token(orientation), status="accepted")
    listed = client.get(URL).json()
    assert [(o["id"], o["status"]) for o in listed["results"]] == [(created["id"], "accepted")]


def test_a_bad_field_is_named_in_the_callers_language(desk):
    client = seat(desk.association, Role.DIRECTOR)
    response = client.post(
        URL, body(desk, recipient_email="nope"), format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    assert "recipient_email" in response.json()
    response = client.post(
        URL,
        body(desk, need="Son numéro national 85.07.30-033.61"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "association" in response.json()["need"][0]  # "… il sortirait de l'association."
    response = client.post(URL, body(desk, consent=False), format="json")
    assert "consent" in response.json()
    assert not Orientation.objects.exists() and not mail.outbox


def test_another_associations_orientation_is_not_found(desk):
    orientation = send(desk)
    stranger = seat(AssociationFactory(slug="api-stranger"), Role.WORKER)
    assert stranger.get(f"{URL}{orientation.pk}/").status_code == 404
    assert stranger.get(URL).json()["results"] == []
    figures = stranger.get(f"{URL}figures/", {"from": "2025-01", "to": "2025-12"}).json()
    assert figures["totals"]["sent"] == 0 and figures["rows"] == []


def test_the_figures_count_per_month_and_target_with_the_median_days(desk):
    token_a = services.link_token(send(desk))
    token_b = services.link_token(send(desk))
    send(desk, institution=None, recipient_name="Permanence juridique")
    services.orientation_answer(token=token_a, status="accepted", now=days_later(1))
    services.orientation_answer(token=token_a, status="done", now=days_later(6))
    services.orientation_answer(
        token=token_b, status="refused", reason="Complet.", now=days_later(4)
    )
    client = seat(desk.association, Role.WORKER)
    response = client.get(f"{URL}figures/", {"from": "2025-03", "to": "2025-03"})
    assert response.status_code == 200
    figures = response.json()
    totals = figures["totals"]
    assert {name: totals[name] for name in EXPECTED} == {
        "sent": 3,
        "accepted": 1,
        "refused": 1,
        "done": 1,
        "awaiting": 1,
        "median_days_to_answer": 2.5,
    }
    by_target = {row["target_name"]: row for row in figures["rows"] if row["target"]}
    assert by_target["EPN de Saint-Gilles"]["sent"] == 2
    assert by_target["EPN de Saint-Gilles"]["median_days_to_answer"] == 2.5
    assert by_target["Permanence juridique"]["median_days_to_answer"] is None


def test_the_figures_refuse_a_bad_period_naming_it(desk):
    client = seat(desk.association, Role.WORKER)
    response = client.get(f"{URL}figures/", {"from": "2025-13", "to": "2025-03"})
    assert response.status_code == 400 and "from" in response.json()


def test_an_analyst_may_not_read_an_associations_orientations(desk):
    analyst = seat(FederationFactory(slug="fed-orient"), Role.ANALYST)
    assert analyst.get(URL).status_code == 403
