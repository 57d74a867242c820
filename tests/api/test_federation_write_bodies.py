"""The federation's write routes read a JSON object: any other body is a 400, never a 500."""

import pytest

from cases.models import AssistanceRequest
from evidence.models import Release
from organisations.models import FederationMembership


@pytest.mark.parametrize("body", ["[]", "null", '"2025-01"', "3"])
def test_a_release_asked_with_a_body_that_is_no_object_is_refused(world, body):
    response = world.analyst.post(
        "/api/v1/federation/releases/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert not Release.objects.exists()


@pytest.mark.parametrize("body", ["[]", "null", "true", '[{"shares": false}]'])
def test_sharing_changed_with_a_body_that_is_no_object_is_refused(world, body):
    url = f"/api/v1/sharing/{world.federation.slug}/"

    response = world.director.patch(url, body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    membership = FederationMembership.objects.get(association=world.mine.association)
    assert membership.shares_aggregates is True
    assert AssistanceRequest.objects.exists()
