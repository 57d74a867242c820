import contextlib
import datetime as dt

import pytest

from cases.services import assistance_request_create
from config.celery import app as celery_app
from organisations.services import association_create_or_update


@contextlib.contextmanager
def celery_conf(**changes):
    """Point the project's Celery app elsewhere for one test (broker, eagerness), then back."""
    saved = {key: celery_app.conf[key] for key in changes}

    def reset_pools():
        # kombu keeps one pool per broker URL; dropping the app's references is enough.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.update(changes)
    reset_pools()
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        reset_pools()


@pytest.fixture
def association():
    association, _ = association_create_or_update(slug="asbl-test", name="ASBL Test")
    return association


def log(association, **overrides):
    fields = {
        "occurred_on": dt.date(2026, 10, 6),
        "duration_minutes": 30,
        "channel": "on_site",
        "procedure_domain": "tax.pit_return",
        "referrer_kind": "cpas",
        "responsible_kind": "pub_fed",
        "barriers": ["itsme"],
        "mode": "do_for",
        "outcome": "resolved",
        "consent": "oral",
        "sensitive_flags": [],
    }
    fields.update(overrides)
    return assistance_request_create(association=association, **fields)
