"""Every API write answers bad bodies with a 400 naming the field, never a 5xx, and writes
nothing.

For each POST / PUT / PATCH route the resolver knows, hypothesis sends (a) bodies that are no
JSON object: other JSON values, broken JSON, other content types; and (b) objects built from
the route's real field names around a valid body, one to three fields given a wrong type, an
out-of-range or overlong value, an unknown code, null, a nested value, or left out. The caller
holds the role the route asks for, so that the body's validation is what answers.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.utils import reset as axes_reset
from hypothesis import event, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.api.conftest import entry_body
from tests.api.test_isolation_route_table import url_values
from tests.bad_input.routes import API_WRITE_ROUTES, api_write_id
from tests.bad_input.support import (
    JSON,
    JSON_VALUES,
    NOT_OBJECTS,
    PROPERTY,
    changed_models,
    corrupted,
    fingerprint,
)
from tests.factories import DEFAULT_PASSWORD


@dataclass(frozen=True)
class ApiWrite:
    caller: str  # a seat of the `world` fixture, or "anonymous"
    fields: tuple[str, ...] = ()  # empty: the writable fields of the view's serializer
    base: Callable = field(default=lambda world: {})  # a valid body the examples corrupt
    # Where a refusal may name no field, and why.
    unnamed_refusal: str | None = None
    # A route that never reads its body, and why: only "no 5xx" is asked of it.
    body_ignored: str | None = None


def _token_base(world):
    return {"email": world.worker.user.email, "password": DEFAULT_PASSWORD + "-wrong"}


# Every API write route whose view has no serializer to read its fields from, or whose valid
# body or caller is not the default (a director, an empty body). A route that is neither here
# nor a serializer-backed resource fails test_every_api_write_route_is_fuzzed.
API_WRITES = {
    "api:token": ApiWrite(
        "anonymous",
        ("email", "password"),
        _token_base,
        unnamed_refusal="wrong credentials never say which of the two is wrong",
    ),
    "api:logout": ApiWrite("worker", body_ignored="revokes the token sent, whatever the body"),
    "api:workload-recompute": ApiWrite(
        "director",
        body_ignored="a director queues a recomputation of the whole association: no body",
    ),
    "api:federation-releases": ApiWrite(
        "analyst", ("from", "to"), lambda world: {"from": "2025-01", "to": "2025-03"}
    ),
    "api:sharing-detail": ApiWrite("director", ("shares",), lambda world: {"shares": True}),
    "api:institution-list": ApiWrite(
        "director", base=lambda world: {"name": "Guichet test", "kind": "cpas", "postcode": "1000"}
    ),
    "api:person-list": ApiWrite(
        "director",
        base=lambda world: {"code": "P-new", "birth_year": 1980, "postcode": "1070"},
    ),
    "api:person-detail": ApiWrite("director", base=lambda world: {"postcode": "1070"}),
    "api:assistance-request-list": ApiWrite("director", base=lambda world: entry_body()),
    "api:assistance-request-detail": ApiWrite(
        "director", base=lambda world: {"duration_minutes": 30}
    ),
    "api:incident-list": ApiWrite(
        "director",
        base=lambda world: {"occurred_on": "2025-03-01", "title": "Titre", "narrative": "Récit."},
    ),
    "api:incident-detail": ApiWrite("director", base=lambda world: {"title": "Autre titre"}),
    "api:dossier-list": ApiWrite(
        "director",
        ("institution", "period_from", "period_to", "sheets", "title", "fixed"),
        lambda world: {
            "institution": world.cpas.pk,
            "period_from": "2025-01",
            "period_to": "2025-12",
            "sheets": [world.mine.named_sheet.pk],
        },
    ),
    "api:mandate-revoke": ApiWrite(
        "worker",
        ("revoked_on",),
        unnamed_refusal=(
            "a mandate revoked already is refused as a whole: no field of the body is wrong"
        ),
    ),
    "api:dossier-detail": ApiWrite(
        "director", ("sent_on", "reply", "replied_on", "fixed"), lambda world: {"fixed": "yes"}
    ),
}
NON_OBJECT_KEYS = {"non_field_errors", "detail"}


def spec_for(route) -> ApiWrite:
    if route.name in API_WRITES:
        return API_WRITES[route.name]
    if getattr(route.view_class, "serializer_class", None) is None:
        raise AssertionError(
            f"The write route {route.template!r} ({route.name}) has no serializer to read its "
            "fields from: describe its body in API_WRITES."
        )
    return ApiWrite("director")


def body_fields(route, spec) -> tuple[str, ...]:
    if spec.fields or spec.body_ignored:
        return spec.fields
    serializer = route.view_class.serializer_class()
    return tuple(name for name, f in serializer.fields.items() if not f.read_only)


@pytest.mark.parametrize("target", API_WRITE_ROUTES, ids=api_write_id)
def test_every_api_write_route_is_fuzzed(target):
    route, _method = target
    spec = spec_for(route)
    assert body_fields(route, spec) or spec.body_ignored, f"{route.name}: which fields?"


def test_a_write_route_without_a_description_fails_the_walker():
    from tests.api.test_isolation_route_table import Route

    stray = Route("api/v1/stray/", (), "api:stray", object())
    with pytest.raises(AssertionError, match="describe its body"):
        spec_for(stray)


# --- the properties ---------------------------------------------------------------------------


def caller(world, spec) -> APIClient:
    return APIClient() if spec.caller == "anonymous" else getattr(world, spec.caller)


def send(client, method, url, raw, content_type):
    if spec_is_token(url):
        # Wrong passwords are what these bodies are made of: the login throttle would answer
        # in their place after five of them.
        axes_reset()
    return client.generic(method, url, raw, content_type=content_type)


def spec_is_token(url) -> bool:
    return url.rstrip("/").endswith("auth/token")


def assert_refused_well(response, before, *, fields, named, context):
    status = response.status_code
    event(f"status {status}")
    assert status < 500, f"{context} -> {status}: {response.content[:500]!r}"
    if status < 400:
        return  # a valid body, written as asked
    assert changed_models(before, fingerprint()) == [], f"{context} -> {status} wrote rows"
    if status != 400:
        return
    errors = response.json()
    assert isinstance(errors, dict) and errors, f"{context}: the 400 says nothing: {errors!r}"
    assert set(errors) & named, f"{context}: the 400 names no field of {sorted(named)}: {errors!r}"
    unknown = set(errors) - set(fields) - NON_OBJECT_KEYS
    assert not unknown, f"{context}: the 400 names fields the route does not have: {unknown}"


@pytest.mark.parametrize("target", API_WRITE_ROUTES, ids=api_write_id)
@PROPERTY
@given(payload=NOT_OBJECTS)
def test_a_body_that_is_no_json_object_is_refused_without_a_5xx(target, payload, scene):
    route, method = target
    spec = spec_for(route)
    fields = body_fields(route, spec)
    url = route.url(**url_values(route, scene))
    raw, content_type = payload
    before = fingerprint()

    response = send(caller(scene, spec), method, url, raw, content_type)

    if spec.body_ignored:
        assert response.status_code < 500, (method, url, response.status_code)
        return
    assert_refused_well(
        response,
        before,
        fields=fields,
        named=set(fields) | NON_OBJECT_KEYS,
        context=f"{method} {url} {content_type} {raw!r:.200}",
    )


@pytest.mark.parametrize("target", API_WRITE_ROUTES, ids=api_write_id)
@PROPERTY
@given(data=st.data())
def test_an_object_with_wrong_values_is_refused_naming_the_field(target, data, scene):
    route, method = target
    spec = spec_for(route)
    fields = body_fields(route, spec)
    url = route.url(**url_values(route, scene))
    names = list(fields) or ["anything"]
    body = data.draw(corrupted(spec.base(scene), names, JSON_VALUES), label="body")
    before = fingerprint()

    response = send(caller(scene, spec), method, url, json.dumps(body), JSON)

    if spec.body_ignored:
        assert response.status_code < 500, (method, url, response.status_code)
        return
    named = set(fields) | ({"non_field_errors"} if spec.unnamed_refusal else set())
    assert_refused_well(
        response, before, fields=fields, named=named, context=f"{method} {url} {body!r:.300}"
    )
