"""API tokens end with what they were given for: the logout revokes the token sent; a new
password, a second factor turned on, the association starting to require one and leaving an
association revoke all of the account's tokens (API.md, authentication)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.two_factor import device_confirm, pending_device
from organisations.models import Membership, Role
from organisations.services import association_update_settings, member_create_or_update
from tests.factories import DEFAULT_PASSWORD, MembershipFactory

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
PROBE_URL = "/api/v1/persons/"


def code_of(device, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = later
    return str(totp.token()).zfill(device.digits)


def token_for(user, **extra):
    response = APIClient().post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def status_with(token, method="get", url=PROBE_URL):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return getattr(client, method)(url).status_code


@pytest.fixture
def director(association):
    return MembershipFactory(organisation=association, role=Role.DIRECTOR).user


def test_a_token_works_until_its_logout_and_the_other_tokens_go_on(worker):
    first, second = token_for(worker), token_for(worker)
    assert status_with(first) == 200

    assert status_with(first, "post", LOGOUT_URL) == 204

    assert status_with(first) == 401
    assert status_with(first, "post", LOGOUT_URL) == 401
    assert status_with(second) == 200


def test_a_logout_without_a_token_is_refused(api_client, worker):
    assert api_client.post(LOGOUT_URL).status_code == 401
    # A browser session has no token to revoke: it logs out on the web.
    api_client.force_login(worker)
    assert api_client.post(LOGOUT_URL).status_code == 401


def test_getting_a_token_or_logging_in_on_the_web_revokes_nothing(client, worker):
    token = token_for(worker)
    token_for(worker)  # saves last_login
    client.post("/login/", {"username": worker.email, "password": DEFAULT_PASSWORD})

    assert status_with(token) == 200


def test_a_new_password_revokes_every_token_of_the_account(worker, director):
    tokens = [token_for(worker), token_for(worker)]
    other = token_for(director)

    worker.set_password("Un-Autre-Mot-De-Passe-2026")
    worker.save()

    assert [status_with(t) for t in tokens] == [401, 401]
    assert status_with(other) == 200


def test_a_password_set_again_with_create_member_revokes_the_tokens(association, worker):
    token = token_for(worker)

    member_create_or_update(
        org_slug=association.slug,
        email=worker.email,
        role=Role.WORKER,
        password="Un-Autre-Mot-De-Passe-2026",
    )

    assert status_with(token) == 401


def test_another_change_of_the_account_keeps_the_tokens(worker):
    token = token_for(worker)

    worker.full_name = "Awa D."
    worker.save()
    get_user_model().objects.get(pk=worker.pk).save()

    assert status_with(token) == 200


def test_turning_on_a_second_factor_on_the_web_revokes_every_token(client, director):
    token = token_for(director)
    client.force_login(director)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=director, confirmed=False)

    assert client.post("/account/two-factor/", {"token": code_of(device)}).status_code == 302

    assert status_with(token) == 401
    # A new token needs the code now, and works.
    assert status_with(token_for(director, otp=code_of(device, later=1))) == 200


def test_replacing_the_device_revokes_the_tokens_given_with_the_old_one(director):
    pending_device(director)
    device_confirm(user=director, token=code_of(TOTPDevice.objects.get(user=director)))
    device = TOTPDevice.objects.get(user=director)
    token = token_for(director, otp=code_of(device, later=1))

    replacement = pending_device(director)
    assert device_confirm(user=director, token=code_of(replacement))

    assert status_with(token) == 401


def test_a_device_confirmed_in_the_admin_revokes_the_tokens(client, director):
    token = token_for(director)
    admin = get_user_model().objects.create_superuser(
        email="admin@example.be", password=DEFAULT_PASSWORD
    )
    client.force_login(admin)
    response = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {"user": director.pk, "name": "phone", "confirmed": "on"},
    )
    assert response.status_code == 302, response.content

    assert status_with(token) == 401


def test_the_association_starting_to_require_a_second_factor_revokes_its_directors_tokens(
    association, director, worker
):
    director_token, worker_token = token_for(director), token_for(worker)

    association_update_settings(association=association, require_two_factor=True)

    assert status_with(director_token) == 401
    assert status_with(worker_token) == 200


def test_saving_an_association_that_already_requires_it_revokes_nothing(association, director):
    association_update_settings(association=association, require_two_factor=True)
    device = TOTPDevice.objects.create(user=director, name="phone", confirmed=True)
    token = token_for(director, otp=code_of(device))

    association_update_settings(association=association, retention_years=3)
    association.save()

    assert status_with(token) == 200


def test_leaving_the_association_revokes_every_token(worker):
    token = token_for(worker)

    Membership.objects.get(user=worker).delete()

    assert status_with(token, url="/api/v1/taxonomy/") == 401


def test_the_schema_documents_the_code_the_refusals_and_the_logout(worker):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(worker)}")
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert document.status_code == 200
    schema = json.loads(document.content)

    token = schema["paths"][TOKEN_URL]["post"]
    body = schema["components"]["schemas"]["TokenCreateRequest"]
    assert "otp" in body["properties"] and "otp" not in body["required"]
    assert "`otp`" in token["responses"]["400"]["description"]
    assert "second factor" in token["responses"]["403"]["description"]
    assert "logout" in token["description"]
    logout = schema["paths"][LOGOUT_URL]["post"]
    assert {"204", "401"} <= set(logout["responses"])
    assert "revoke" in logout["description"].lower()
