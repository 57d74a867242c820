"""/api/v1/ answers a JSON index of its endpoints, to anyone, never a page."""

from django.urls import reverse
from rest_framework.test import APIClient


def test_the_api_root_lists_its_endpoints_as_absolute_urls():
    response = APIClient().get("/api/v1/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["documentation"] == "http://testserver/api/v1/docs/"
    assert body["schema"] == "http://testserver/api/v1/schema/"
    endpoints = body["endpoints"]
    for path in (
        "auth/token",
        "taxonomy",
        "persons",
        "assistance-requests",
        "incidents",
        "institutions",
        "workload/monthly",
        "workload/statements",
        "federation/aggregates",
        "federation/releases",
        "sharing",
    ):
        assert endpoints[path] == f"http://testserver/api/v1/{path}/", path
    # Routes of one object need its id: they are reached from the lists.
    assert not any("<" in url or "{" in url for url in endpoints.values())
    assert "" not in endpoints


def test_every_endpoint_listed_answers_json_rather_than_a_page(worker_client):
    endpoints = APIClient().get("/api/v1/").json()["endpoints"]

    for path, url in endpoints.items():
        if path in ("auth/token", "auth/logout", "workload/recompute", "docs"):
            continue  # POST only (GET answers 405, in JSON too), and the documentation page
        response = worker_client.get(url.removeprefix("http://testserver"))
        assert response.status_code in (200, 400, 403), path
        assert response["Content-Type"].startswith(("application/json", "application/vnd.oai")), (
            path
        )


def test_the_api_root_is_named_in_the_url_configuration():
    assert reverse("api:root") == "/api/v1/"
