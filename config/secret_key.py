"""Serving and the worker need the production secret key: they refuse to start without it."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key(**_signal_kwargs) -> None:
    if not settings.DEBUG and not settings.SECRET_KEY_GIVEN:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable")
