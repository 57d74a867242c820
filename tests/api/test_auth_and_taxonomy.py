"""API: a token for an email and password, and the taxonomy for whoever holds a token."""

import pytest
from rest_framework.test import APIClient

from taxonomy import CODE_SECTIONS, get_taxonomy
from tests.factories import DEFAULT_PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
TAXONOMY_URL = "/api/v1/taxonomy/"

SECTIONS = {
    "referrer_types",
    "procedure_domains",
    "digital_barriers",
    "assistance_modes",
    "outcomes",
    "channels",
    "sensitive_data_flags",
    "consent_types",
    "rights_impacts",
    "non_take_up_types",
    "attempt_channels",
    "attempt_results",
    "regions",
}


# --- Token -----------------------------------------------------------------------------------


def test_an_email_and_password_give_a_token(api_client, worker):
    response = api_client.post(
        TOKEN_URL, {"email": worker.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    assert response.json()["token"]


def test_the_email_is_not_case_sensitive(api_client, worker):
    response = api_client.post(
        TOKEN_URL, {"email": worker.email.upper(), "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_the_token_opens_the_taxonomy(worker_token):
    client = APIClient()
    response = client.get(TAXONOMY_URL, HTTP_AUTHORIZATION=f"Token {worker_token}")
    assert response.status_code == 200


def test_a_bad_password_gives_400_and_no_token(api_client, worker):
    response = api_client.post(
        TOKEN_URL, {"email": worker.email, "password": "wrong-password"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert "non_field_errors" in response.json()


def test_an_unknown_email_gives_400(api_client):
    response = api_client.post(
        TOKEN_URL, {"email": "nobody@example.be", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_an_inactive_user_gets_no_token(api_client):
    user = UserFactory(is_active=False)
    response = api_client.post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("missing", ["email", "password"])
def test_a_missing_field_gives_400_naming_it(api_client, worker, missing):
    body = {"email": worker.email, "password": DEFAULT_PASSWORD}
    del body[missing]
    response = api_client.post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert missing in response.json()


def test_a_malformed_email_gives_400_naming_it(api_client):
    response = api_client.post(TOKEN_URL, {"email": "not-an-email", "password": "x"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '["a@example.be", "pw"]', "null", '"a string"', "42", ""],
    ids=["not-json", "empty-list", "list", "null", "string", "number", "empty"],
)
def test_a_malformed_body_gives_400_not_500(api_client, body):
    response = api_client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 400


def test_a_form_encoded_body_is_accepted_too(api_client, worker):
    response = api_client.post(TOKEN_URL, {"email": worker.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


# --- Taxonomy --------------------------------------------------------------------------------


def test_without_a_token_the_taxonomy_is_refused_with_401(api_client):
    response = api_client.get(TAXONOMY_URL)
    assert response.status_code == 401


def test_a_wrong_token_is_refused_with_401(api_client):
    response = api_client.get(TAXONOMY_URL, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401


@pytest.fixture
def taxonomy_body(worker_client):
    response = worker_client.get(TAXONOMY_URL)
    assert response.status_code == 200
    return response.json()


def test_the_taxonomy_is_keyed_by_its_sections(taxonomy_body):
    assert SECTIONS == set(CODE_SECTIONS)
    assert SECTIONS <= set(taxonomy_body)
    assert set(taxonomy_body) - SECTIONS <= {"version"}


def test_every_section_lists_every_code_with_labels_in_three_languages(taxonomy_body):
    taxonomy = get_taxonomy()
    for section in SECTIONS:
        entries = taxonomy_body[section]
        assert [e["code"] for e in entries] == list(taxonomy.codes(section)), section
        for entry in entries:
            assert set(entry["labels"]) == {"fr", "nl", "en"}, entry
            assert all(label.strip() for label in entry["labels"].values()), entry


def test_procedures_name_their_parent(taxonomy_body):
    procedures = {e["code"]: e for e in taxonomy_body["procedure_domains"]}
    assert procedures["tax"]["parent"] is None
    assert procedures["tax.pit_return"]["parent"] == "tax"
    assert procedures["tax.pit_return"]["labels"]["fr"]
    assert all("parent" in entry for entry in procedures.values())


def test_the_labels_are_those_of_the_taxonomy(taxonomy_body):
    cpas = next(e for e in taxonomy_body["referrer_types"] if e["code"] == "cpas")
    assert cpas["labels"] == {
        "fr": "CPAS",
        "nl": "OCMW",
        "en": "Public social welfare centre (CPAS/OCMW)",
    }
