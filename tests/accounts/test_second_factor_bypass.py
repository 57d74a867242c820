"""The second factor cannot be skipped: a session that only passed the password (the victim's
password is all the attacker has) reaches the code page and the logout, nothing else.

The attack a hostile tester ran: log in with the password, open the set-up page instead of
typing a code, take the fresh secret it shows, post a code made from it (replacing the
victim's phone), then open every page and ask for an API token with that code.
"""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from organisations.models import Role
from tests.factories import DEFAULT_PASSWORD, MembershipFactory

SETUP_URL = "/account/two-factor/"
VERIFY_URL = "/account/two-factor/verify/"


def code_of(device, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = later
    return str(totp.token()).zfill(device.digits)


@pytest.fixture
def victim(association):
    """A director who set up an authenticator app on their phone."""
    user = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


@pytest.fixture
def attacker(client, victim):
    """A browser that typed the victim's e-mail and password, and no code."""
    response = client.post("/login/", {"username": victim.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith(VERIFY_URL)
    return client


def test_a_password_only_session_does_not_see_the_set_up_page(attacker):
    response = attacker.get(SETUP_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    assert b"otpauth://" not in response.content


def test_a_password_only_session_cannot_replace_the_device(attacker, victim):
    # Even with a secret obtained some other way (an old page, a device left half set up).
    pending = TOTPDevice.objects.create(user=victim, name="totp", confirmed=False)

    response = attacker.post(SETUP_URL, {"token": code_of(pending), "next": "/"})

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    assert list(TOTPDevice.objects.filter(user=victim, confirmed=True).values_list("name")) == [
        ("phone",)
    ]
    assert attacker.get("/")["Location"].startswith(VERIFY_URL)
    assert attacker.get("/api/v1/persons/").status_code == 403
    token = attacker.post(
        "/api/v1/auth/token/",
        {"email": victim.email, "password": DEFAULT_PASSWORD, "otp": code_of(pending)},
        content_type="application/json",
    )
    assert token.status_code in (400, 403)
    assert not AuthToken.objects.filter(user=victim).exists()


@pytest.mark.parametrize(
    "path",
    ["/", "/persons/", "/workload/", "/account/settings/", "/audit/", "/admin/", "/sharing/"],
)
def test_a_password_only_session_is_sent_to_the_code_page_from_every_page(attacker, path):
    response = attacker.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)


def test_a_password_only_session_may_type_its_code_switch_language_and_log_out(attacker, victim):
    assert attacker.get(VERIFY_URL).status_code == 200
    assert attacker.post("/language/", {"language": "nl", "next": VERIFY_URL}).status_code == 302

    assert attacker.post("/logout/").status_code == 302
    assert "_auth_user_id" not in attacker.session


def test_the_right_code_opens_the_pages_and_then_the_set_up_page(attacker, victim):
    device = TOTPDevice.objects.get(user=victim)

    response = attacker.post(VERIFY_URL, {"token": code_of(device), "next": "/workload/"})

    assert response.status_code == 302
    assert response["Location"] == "/workload/"
    assert attacker.get("/workload/").status_code == 200
    assert b"otpauth://" in attacker.get(SETUP_URL).content


def test_a_verified_session_may_replace_its_phone(client, victim):
    old = TOTPDevice.objects.get(user=victim)
    client.post("/login/", {"username": victim.email, "password": DEFAULT_PASSWORD})
    client.post(VERIFY_URL, {"token": code_of(old)})

    setup = client.get(SETUP_URL)
    assert setup.status_code == 200
    assert "remplace celle de votre application" in setup.content.decode()
    new = TOTPDevice.objects.get(user=victim, confirmed=False)
    assert client.post(SETUP_URL, {"token": code_of(new)}).status_code == 302

    assert list(TOTPDevice.objects.filter(user=victim).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]
    assert client.get("/workload/").status_code == 200


def test_a_director_who_must_set_up_reaches_the_set_up_page_and_not_the_others(client, association):
    association.require_two_factor = True
    association.save()
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    client.post("/login/", {"username": director.email, "password": DEFAULT_PASSWORD})

    assert client.get("/persons/")["Location"].startswith(SETUP_URL)
    assert client.get(VERIFY_URL)["Location"].startswith(SETUP_URL)
    assert client.get("/api/v1/persons/").status_code == 403
    assert b"otpauth://" in client.get(SETUP_URL).content
