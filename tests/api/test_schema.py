"""The OpenAPI document tells the truth: generated calls, as members of two associations, get
no server error and answers that match the schema (schemathesis, a bounded run)."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

SCHEMA_URL = "/api/v1/schema/"
DOCS_URL = "/api/v1/docs/"
PUBLISHED_PATHS = {
    "/api/v1/auth/token/",
    "/api/v1/taxonomy/",
    "/api/v1/institutions/",
    "/api/v1/persons/",
    "/api/v1/persons/{id}/",
    "/api/v1/persons/{id}/export/",
    "/api/v1/assistance-requests/",
    "/api/v1/assistance-requests/{id}/",
    "/api/v1/incidents/",
    "/api/v1/incidents/{id}/",
    "/api/v1/workload/monthly/",
    "/api/v1/workload/statements/",
    "/api/v1/workload/recompute/",
    "/api/v1/jobs/{id}/",
}


def generated_schema() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(raw, default=str))


def test_the_schema_documents_every_published_path_with_its_errors(world):
    response = world.worker.get(SCHEMA_URL, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert PUBLISHED_PATHS <= set(document["paths"])
    persons = document["paths"]["/api/v1/persons/{id}/"]
    assert {"get", "patch", "delete"} <= set(persons)
    assert {"401", "403", "404"} <= set(persons["get"]["responses"])
    assert "delete" not in document["paths"]["/api/v1/incidents/{id}/"]
    entry = document["components"]["schemas"]["AssistanceRequest"]["properties"]
    assert {"occurred_on", "barriers", "sensitive_flags", "person", "notes"} <= set(entry)


def test_the_schema_needs_a_token(api_client):
    assert api_client.get(SCHEMA_URL).status_code == 401


def test_the_docs_page_serves_its_assets_locally(world):
    world.worker.force_authenticate(world.worker.user)
    response = world.worker.get(DOCS_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


# Examples from the schema and random generation (valid and invalid input), a few per
# operation: enough to find a 500 or a lying schema, bounded to well under a minute.
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": 6, "mode": "all"},
    }
)
schema = schemathesis.openapi.from_dict(generated_schema(), config=CONFIG)
schema.app = WSGIHandler()


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests go through the real WSGI handler, inside the test's transaction: the
    handler must not close the connection between requests (the test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world, wsgi_in_test_transaction):
    """A worker of each association, and a director of the first."""
    users = [world.worker.user, world.director.user, world.other_worker.user]
    return [AuthToken.objects.create(user)[1] for user in users]


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, tokens):
    for token in tokens:
        response = case.call(headers={"Authorization": f"Token {token}"})
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def _read_operations_with_query_parameters():
    document = generated_schema()
    for path, operations in document["paths"].items():
        get = operations.get("get")
        names = [p["name"] for p in (get or {}).get("parameters", []) if p["in"] == "query"]
        if names and "{" not in path:
            yield path, names


@pytest.mark.parametrize(("path", "names"), list(_read_operations_with_query_parameters()))
def test_a_nul_in_any_query_parameter_is_refused_not_a_server_error(path, names, world):
    # PostgreSQL refuses a NUL in a text comparison: a parameter handed on unchecked is a 500.
    caller = world.analyst if path.startswith("/api/v1/federation/") else world.director
    for name in names:
        response = caller.get(path, {name: "a\x00b"})
        assert response.status_code < 500, (path, name, response.status_code)
        assert response.status_code != 403, (path, "the caller must be one the path serves")
