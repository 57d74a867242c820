"""The federation's API: analysts only, the published shape, clear errors; and a director's
way to stop sharing."""

import pytest
from rest_framework.test import APIClient

from organisations.models import FederationMembership, Role
from workload.metrics import PUBLISHED_METRICS
from workload.services import rollups_sweep_dirty

from .conftest import log, member, new_association, new_federation, token_client

URL = "/api/v1/federation/aggregates/?from=2026-01&to=2026-02"


@pytest.fixture
def members(federation):
    associations = [new_association(federation) for _ in range(3)]
    for association in associations:
        log(association, times=2)
    rollups_sweep_dirty()
    return associations


def test_without_a_token_the_aggregates_answer_401():
    assert APIClient().get(URL).status_code == 401


@pytest.mark.parametrize("role", [Role.WORKER, Role.DIRECTOR])
def test_a_worker_or_director_gets_403_on_the_federation_aggregates(members, role):
    client = token_client(member(members[0], role))
    assert client.get(URL).status_code == 403
    assert client.get("/api/v1/federation/releases/").status_code == 403


def test_an_analyst_reads_the_aggregates_with_k_and_the_contributing_associations(
    analyst_client, federation, members
):
    response = analyst_client.get(URL + "&group_by=barrier")
    assert response.status_code == 200
    body = response.json()
    assert body["federation"] == federation.slug
    assert body["k"] == 5
    assert body["associations"] == 3
    assert (body["from"], body["to"], body["group_by"]) == ("2026-01", "2026-02", "barrier")
    assert body["rows"] == [
        {"month": "2026-01", "group": "itsme", "suppressed": False, **body["rows"][0]}
    ]
    assert body["rows"][0]["requests"] == 6
    assert set(body["rows"][0]) == {"month", "group", "suppressed", *PUBLISHED_METRICS}


def test_a_suppressed_cell_is_a_row_with_every_metric_null(analyst_client, members):
    rows = analyst_client.get(URL).json()["rows"]
    february = rows[1]
    assert february["month"] == "2026-02" and february["suppressed"] is True
    assert all(february[name] is None for name in PUBLISHED_METRICS)


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-13&to=2026-02", "from"),
        ("from=2026-03&to=2026-02", "to"),
        ("to=2026-02", "from"),
        ("from=2026-01&to=2026-02&group_by=person", "group_by"),
    ],
)
def test_a_bad_period_or_dimension_gets_400_naming_it(analyst_client, query, field):
    response = analyst_client.get(f"/api/v1/federation/aggregates/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_the_aggregates_come_as_csv_too(analyst_client, members):
    response = analyst_client.get(URL + "&format=csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("month,group,suppressed,requests")
    assert lines[2].startswith("2026-02,,True,,")


def test_an_analyst_publishes_a_release_over_the_api(analyst_client, members):
    response = analyst_client.post(
        "/api/v1/federation/releases/", {"from": "2026-01", "to": "2026-02"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert response.json()["associations"] == 3
    listed = analyst_client.get("/api/v1/federation/releases/").json()
    assert [r["version"] for r in listed] == [1]
    bad = analyst_client.post("/api/v1/federation/releases/", {"from": "x"}, format="json")
    assert bad.status_code == 400 and "from" in bad.json()


def test_an_analyst_sees_only_their_own_federations_figures(analyst_client, members):
    other = new_federation()
    for _ in range(3):
        log(new_association(other), times=9)
    rollups_sweep_dirty()
    assert analyst_client.get(URL).json()["rows"][0]["requests"] == 6


def test_a_director_stops_sharing_and_the_figures_leave_the_aggregates(
    analyst_client, federation, members
):
    director = token_client(member(members[0], Role.DIRECTOR))
    assert director.get("/api/v1/sharing/").json() == [
        {"federation": federation.slug, "federation_name": federation.name, "shares": True}
    ]

    response = director.patch(
        f"/api/v1/sharing/{federation.slug}/", {"shares": False}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["shares"] is False
    assert not FederationMembership.objects.get(association=members[0]).shares_aggregates
    body = analyst_client.get(URL).json()
    assert body["associations"] == 2
    assert body["rows"][0]["suppressed"] is True


def test_only_a_director_may_change_sharing(federation, members):
    worker = token_client(member(members[0], Role.WORKER))
    response = worker.patch(f"/api/v1/sharing/{federation.slug}/", {"shares": False}, format="json")
    assert response.status_code == 403
    director = token_client(member(members[0], Role.DIRECTOR))
    assert (
        director.patch("/api/v1/sharing/nope/", {"shares": False}, format="json").status_code == 404
    )
    bad = director.patch(f"/api/v1/sharing/{federation.slug}/", {"shares": "no"}, format="json")
    assert bad.status_code == 400 and "shares" in bad.json()
    assert FederationMembership.objects.get(association=members[0]).shares_aggregates


def test_an_analyst_gets_403_on_an_associations_sharing(analyst_client):
    assert analyst_client.get("/api/v1/sharing/").status_code == 403
