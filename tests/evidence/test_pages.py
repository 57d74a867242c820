"""The analyst's federation pages and a director's sharing page."""

import pytest
from django.test import Client

from organisations.models import FederationMembership, Role
from tests.factories import DEFAULT_PASSWORD
from workload.services import rollups_sweep_dirty

from .conftest import log, member, new_association


def logged_in(email):
    client = Client()
    assert client.login(email=email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def members(federation):
    associations = [new_association(federation) for _ in range(3)]
    for association in associations:
        log(association, times=2)
        log(association, times=1, barriers=["app_only"])
    rollups_sweep_dirty()
    return associations


def test_an_analyst_sees_the_figures_as_tables_and_charts(federation, members):
    client = logged_in(member(federation, Role.ANALYST))
    response = client.get("/federation/?from=2026-01&to=2026-02&group_by=barrier")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert 'data-suppressed="true"' in html  # February, empty
    assert 'id="legend-suppressed"' in html
    assert "cdn" not in html.lower() and '<script src="http' not in html


def test_the_page_speaks_french_and_dutch(federation, members):
    client = logged_in(member(federation, Role.ANALYST))
    french = client.get("/federation/?from=2026-01&to=2026-02", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Par mois" in french.content.decode()
    dutch = client.get("/federation/?from=2026-01&to=2026-02", HTTP_ACCEPT_LANGUAGE="nl")
    assert "Per maand" in dutch.content.decode()


def test_a_bad_dimension_is_named_on_the_page(federation):
    client = logged_in(member(federation, Role.ANALYST))
    response = client.get("/federation/?from=2026-01&to=2026-02&group_by=person")
    assert response.status_code == 200
    assert "group_by" in response.content.decode()


@pytest.mark.parametrize("role", [Role.WORKER, Role.DIRECTOR])
def test_a_worker_or_director_gets_403_on_the_federation_pages(members, role):
    client = logged_in(member(members[0], role))
    assert client.get("/federation/").status_code == 403
    assert (
        client.post("/federation/releases/", {"from": "2026-01", "to": "2026-02"}).status_code
        == 403
    )


def test_an_anonymous_visitor_is_sent_to_log_in():
    response = Client().get("/federation/")
    assert response.status_code == 302


def test_an_analyst_publishes_a_release_from_the_page(federation, members):
    client = logged_in(member(federation, Role.ANALYST))
    response = client.post("/federation/releases/", {"from": "2026-01", "to": "2026-02"})
    assert response.status_code == 302
    assert response["Location"] == f"/open-data/{federation.slug}/releases/1/"


def test_a_director_stops_sharing_from_the_sharing_page(federation, members):
    client = logged_in(member(members[0], Role.DIRECTOR))
    assert client.get("/sharing/").status_code == 200
    response = client.post("/sharing/", {"federation": federation.slug, "shares": "no"})
    assert response.status_code == 302
    assert not FederationMembership.objects.get(association=members[0]).shares_aggregates
    worker = logged_in(member(members[1], Role.WORKER))
    assert (
        worker.post("/sharing/", {"federation": federation.slug, "shares": "no"}).status_code == 403
    )
