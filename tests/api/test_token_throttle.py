"""Password guessing on the token endpoint is slowed by its own scoped rate."""

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from api.views import TokenCreateApi

TOKEN_URL = "/api/v1/auth/token/"


def test_the_token_scope_has_a_rate_in_the_settings():
    assert TokenCreateApi.throttle_scope == "token"
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]


def test_the_token_endpoint_answers_429_past_its_rate(api_client, worker, monkeypatch):
    # The suite runs unthrottled (config/settings/test.py); switch the scope on for this test.
    monkeypatch.setattr(TokenCreateApi, "throttle_classes", [ScopedRateThrottle])
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    cache.clear()
    body = {"email": worker.email, "password": "wrong-password"}
    statuses = [api_client.post(TOKEN_URL, body, format="json").status_code for _ in range(4)]
    cache.clear()
    assert statuses == [400, 400, 400, 429]
