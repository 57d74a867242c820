"""A body too deep or too large is refused with a 400 that names the body, before it is
parsed, on every API route (the default parser): 100,000 nested `[` once answered 500
(RecursionError) on the persons list and on the anonymous token endpoint."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from api.parsers import MAX_DEPTH
from cases.models import Person
from tests.factories import DEFAULT_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
PERSONS_URL = "/api/v1/persons/"
DEEP = "[" * 100_000


def post_raw(client, url, body, content_type="application/json", **extra):
    return client.generic("POST", url, body, content_type=content_type, **extra)


@pytest.mark.parametrize("body", [DEEP, DEEP + "]" * 100_000, '{"a":' * 50_000 + "1"])
def test_a_deeply_nested_body_is_a_400_naming_the_body_on_the_persons_list(worker_client, body):
    response = post_raw(worker_client, PERSONS_URL, body)

    assert response.status_code == 400
    assert "corps de la requête" in response.json()["detail"]
    assert str(MAX_DEPTH) in response.json()["detail"]
    assert not Person.objects.exists()


def test_a_deeply_nested_body_is_a_400_on_the_anonymous_token_endpoint(api_client):
    response = post_raw(api_client, TOKEN_URL, DEEP, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 400
    assert "body" not in response.json()["detail"]
    assert "hoofdtekst van het verzoek" in response.json()["detail"]


def test_the_depth_allowed_is_enough_for_any_body_and_counts_only_brackets(api_client, worker):
    nested = {"email": worker.email, "password": DEFAULT_PASSWORD}
    for _ in range(MAX_DEPTH - 1):
        nested = {"x": nested}
    # A bracket inside a string is text, not nesting.
    brackets_in_text = {"email": worker.email, "password": DEFAULT_PASSWORD, "otp": "[" * 5000}

    assert api_client.post(TOKEN_URL, nested, format="json").status_code == 400  # no email
    assert api_client.post(TOKEN_URL, brackets_in_text, format="json").status_code == 200
    deeper = {"x": nested}
    assert "detail" in api_client.post(TOKEN_URL, deeper, format="json").json()


def test_escaped_quotes_do_not_hide_brackets(worker_client):
    body = '{"code": "a\\"b", "x": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}"

    response = post_raw(worker_client, PERSONS_URL, body)

    assert response.status_code == 400
    assert str(MAX_DEPTH) in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(
    worker_client, settings, content_type
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"code": "P-1", "birth_year": 1980, "postcode": "1000", "x": "y" * 2000})
    if content_type != "application/json":
        body = "code=P-1&x=" + "y" * 2000

    response = post_raw(worker_client, PERSONS_URL, body, content_type)

    assert response.status_code == 400
    assert "corps de la requête" in response.json()["detail"]
    assert "1000" in response.json()["detail"]
    assert not Person.objects.exists()


def test_an_unbroken_line_of_quotes_and_backslashes_is_checked_quickly(worker_client):
    # A scan that went back to every quote would take minutes on this megabyte.
    body = '"' + '\\"' * 500_000

    response = post_raw(worker_client, PERSONS_URL, body)

    assert response.status_code == 400


def test_a_body_within_the_limits_is_parsed_as_before(worker_client):
    response = worker_client.post(
        PERSONS_URL, {"code": "P-1", "birth_year": 1980, "postcode": "1000"}, format="json"
    )

    assert response.status_code == 201


def test_the_limits_apply_to_a_browser_session_too(worker):
    browser = Client()
    browser.force_login(worker)

    response = post_raw(browser, reverse("api:person-list"), DEEP)

    assert response.status_code == 400
