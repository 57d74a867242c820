import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from freshness import services as freshness
from organisations.models import Role
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory


@pytest.fixture(autouse=True)
def _db(db):
    """Every test may use the database."""


@pytest.fixture
def association():
    return AssociationFactory(slug="asbl-anderlecht", name="Service social d'Anderlecht")


@pytest.fixture
def worker(association):
    """A social worker of `association`, whose password is DEFAULT_PASSWORD."""
    return MembershipFactory(organisation=association, role=Role.WORKER).user


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def worker_token(api_client, worker):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": worker.email, "password": DEFAULT_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def worker_client(worker_token):
    """An API client authenticated with the worker's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {worker_token}")
    return client


@pytest.fixture
def changed_months(monkeypatch):
    """Records what the log tells the freshness app: (association id, months) per write."""
    calls = []
    log_changed = freshness.log_changed

    def recording(*, association_id, months):
        months = set(months)
        calls.append((association_id, months))
        log_changed(association_id=association_id, months=months)

    monkeypatch.setattr(freshness, "log_changed", recording)
    return calls


@pytest.fixture(autouse=True)
def _commands_in_english(monkeypatch):
    """The commands speak the LANGUAGE of the environment; the tests read them in English
    whatever the machine running them speaks (a test that wants another sets it)."""
    monkeypatch.delenv("LANGUAGE", raising=False)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the product's default language, whatever an earlier test of the
    same thread left active (a command run under LANGUAGE=nl, a page read in Dutch)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
