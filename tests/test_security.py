"""Accounts: throttled logins, strong passwords, expiring sessions, two-factor for directors,
the director's settings page, and production settings that pass Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import TOTP
from knox.models import AuthToken

from accounts.two_factor import device_confirm, pending_device
from audit.models import AuditEvent
from organisations.models import Role
from tests.factories import DEFAULT_PASSWORD, FederationFactory, MembershipFactory

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def director(association):
    return MembershipFactory(organisation=association, role=Role.DIRECTOR).user


# --- Login throttling ------------------------------------------------------------------------


def web_login(client, email, password):
    return client.post("/login/", {"username": email, "password": password})


def test_too_many_wrong_passwords_lock_the_web_login_even_with_the_right_one(client, worker):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        web_login(client, worker.email, "wrong-password-123")

    response = web_login(client, worker.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_overlong_login_is_refused_by_name_and_not_counted(client, worker):
    response = web_login(client, "x" * 5000 + "@example.be", "wrong-password-123")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error"' in page and "254" in page
    assert not AccessAttempt.objects.exists()


def test_a_few_wrong_passwords_then_the_right_one_logs_in(client, worker):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        web_login(client, worker.email, "wrong-password-123")

    assert web_login(client, worker.email, DEFAULT_PASSWORD).status_code == 302


def test_the_api_token_endpoint_works_and_is_locked_after_too_many_failures(api_client, worker):
    def token(password):
        return api_client.post(
            "/api/v1/auth/token/", {"email": worker.email, "password": password}, format="json"
        )

    assert token(DEFAULT_PASSWORD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert token("wrong-password-123").status_code == 400

    refused = token(DEFAULT_PASSWORD)
    assert refused.status_code in (400, 403, 429)
    assert "token" not in refused.json()


def test_a_token_obtained_resets_the_count_of_wrong_passwords(api_client, worker):
    def token(password):
        return api_client.post(
            "/api/v1/auth/token/", {"email": worker.email, "password": password}, format="json"
        )

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token("wrong-password-123").status_code == 400
    assert token(DEFAULT_PASSWORD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token("wrong-password-123").status_code == 400

    assert token(DEFAULT_PASSWORD).status_code == 200
    worker.refresh_from_db()
    assert worker.last_login is not None


def test_a_lockout_concerns_one_account_not_the_others(client, worker, director):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        web_login(client, worker.email, "wrong-password-123")

    assert web_login(client, director.email, DEFAULT_PASSWORD).status_code == 302


# --- Passwords and sessions -----------------------------------------------------------------


def test_passwords_need_twelve_characters_and_the_demo_password_passes():
    validate_password("demo-pass-2026")
    with pytest.raises(ValidationError):
        validate_password("Short-pw-11")


def test_sessions_end_with_the_browser_and_after_a_working_day():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY


# --- Two-factor authentication --------------------------------------------------------------


def current_code(user, later=0):
    """The code the user's authenticator shows now (or `later` periods from now: a code is
    accepted only once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).latest("pk")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = later
    return str(totp.token()).zfill(device.digits)


def test_a_director_whose_association_requires_it_must_set_up_two_factor(
    client, association, director, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no pause after the wrong code below
    association.require_two_factor = True
    association.save()
    client.force_login(director)

    response = client.get("/workload/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/")

    setup = client.get("/account/two-factor/")
    assert "otpauth://totp/" in setup.content.decode()
    assert client.post("/account/two-factor/", {"token": "000000"}).status_code == 200
    confirmed = client.post("/account/two-factor/", {"token": current_code(director)})
    assert confirmed.status_code == 302
    assert client.get("/workload/").status_code == 200


def test_a_user_with_a_device_types_a_code_at_each_login(client, association, director):
    client.force_login(director)
    client.get("/account/two-factor/")
    client.post("/account/two-factor/", {"token": current_code(director)})
    client.logout()

    assert web_login(client, director.email, DEFAULT_PASSWORD).status_code == 302
    assert client.get("/workload/")["Location"].startswith("/account/two-factor/verify/")
    client.post("/account/two-factor/verify/", {"token": current_code(director, later=1)})
    assert client.get("/workload/").status_code == 200


def test_workers_are_not_asked_for_a_second_factor_unless_they_chose_one(
    client, association, worker
):
    association.require_two_factor = True
    association.save()
    client.force_login(worker)

    assert client.get("/").status_code == 200


# --- Two-factor on the API token endpoint ---------------------------------------------------

TOKEN_URL = "/api/v1/auth/token/"


def token_request(api_client, user, **extra):
    return api_client.post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD, **extra}, format="json"
    )


@pytest.fixture
def director_with_device(director):
    """A director who set up an authenticator app on the web, as the set-up page does it."""
    pending_device(director)
    assert device_confirm(user=director, token=current_code(director))
    return director


def test_users_without_two_factor_keep_getting_a_token_with_email_and_password(
    api_client, association, worker
):
    association.require_two_factor = True  # concerns the directors, not the workers
    association.save()

    response = token_request(api_client, worker)

    assert response.status_code == 200
    assert set(response.json()) == {"token"}


def test_a_token_with_the_code_is_not_held_up_by_the_web_second_factor(
    api_client, director_with_device
):
    token = token_request(
        api_client, director_with_device, otp=current_code(director_with_device, later=1)
    )
    assert token.status_code == 200

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api_client.get("/api/v1/taxonomy/").status_code == 200


def test_a_user_with_two_factor_gets_no_token_without_the_code(api_client, director_with_device):
    for body in ({}, {"otp": ""}, {"otp": "  "}):
        response = token_request(api_client, director_with_device, **body)

        assert response.status_code == 400
        assert set(response.json()) == {"otp"}
        assert response.json()["otp"][0].startswith("Code de vérification requis")
    assert not AuthToken.objects.filter(user=director_with_device).exists()


def test_a_wrong_code_is_refused_and_counts_as_a_failed_login(
    api_client, director_with_device, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no pause between the wrong codes below
    refused = token_request(api_client, director_with_device, otp="000000")
    assert refused.status_code == 400
    assert refused.json() == {"otp": ["Code de vérification incorrect."]}
    assert AccessAttempt.objects.get(username=director_with_device.email).failures_since_start == 1

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_request(api_client, director_with_device, otp="000000")
    # Locked out like after too many wrong passwords: even the right code gives no token.
    locked = token_request(
        api_client, director_with_device, otp=current_code(director_with_device, later=1)
    )
    assert locked.status_code in (400, 403, 429)
    assert not AuthToken.objects.filter(user=director_with_device).exists()


def test_a_director_who_must_use_two_factor_sets_it_up_on_the_web_before_a_token(
    api_client, association, director
):
    association.require_two_factor = True
    association.save()

    response = token_request(api_client, director)

    assert response.status_code == 403
    assert "/account/two-factor/" in response.json()["detail"]
    assert not AuthToken.objects.filter(user=director).exists()


def test_the_token_refusals_speak_the_callers_language(api_client, director_with_device):
    response = api_client.post(
        TOKEN_URL,
        {"email": director_with_device.email, "password": DEFAULT_PASSWORD},
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.json()["otp"][0].startswith("Verificatiecode vereist")


# --- The director's settings page -----------------------------------------------------------


def test_a_director_changes_retention_two_factor_and_sharing_and_it_is_audited(
    client, association, director
):
    federation = FederationFactory(slug="fed-sec")
    association.federations.add(federation, through_defaults={"shares_aggregates": True})
    client.force_login(director)

    response = client.post(
        "/account/settings/",
        {"hourly_cost_eur": "42,50", "retention_years": "3"},
    )

    assert response.status_code == 200
    association.refresh_from_db()
    assert (str(association.hourly_cost_eur), association.retention_years) == ("42.50", 3)
    assert not association.federation_memberships.get().shares_aggregates
    fields = [e.detail["fields"] for e in AuditEvent.objects.filter(object_type="association")]
    assert ["hourly_cost_eur", "retention_years"] in fields
    assert ["sharing:fed-sec:off"] in fields


def test_a_bad_setting_names_the_field_and_changes_nothing(client, association, director):
    client.force_login(director)

    response = client.post("/account/settings/", {"hourly_cost_eur": "-4", "retention_years": "5"})

    assert response.status_code == 400
    association.refresh_from_db()
    assert str(association.hourly_cost_eur) == "40.00"


def test_a_worker_may_not_change_the_settings(client, worker):
    client.force_login(worker)

    assert client.post("/account/settings/", {"retention_years": "1"}).status_code == 403


# --- Production settings --------------------------------------------------------------------


def test_production_settings_from_the_environment_pass_the_deploy_checks():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="aide.example.be",
        CSRF_TRUSTED_ORIGINS="https://aide.example.be",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def _production_without_secret_key(*command):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_")) and k != "SECRET_KEY"
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_DEBUG="false")
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_mode_without_a_secret_key_refuses_to_serve():
    done = _production_without_secret_key("-c", "import config.wsgi")

    assert done.returncode != 0
    assert "Set the SECRET_KEY environment variable" in done.stderr


def test_a_command_that_signs_nothing_runs_in_production_mode_without_a_secret_key():
    done = _production_without_secret_key("manage.py", "makemigrations", "--check", "--dry-run")

    assert done.returncode == 0, done.stderr
    assert "No changes detected" in done.stdout
