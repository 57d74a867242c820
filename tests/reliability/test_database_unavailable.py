"""When the database cannot be reached, a page or an API call answers 503 with Retry-After and
a message in the user's language saying that nothing was saved, never Django's 500 page.

The outage is simulated here (a selector, a service or the session store raising the error a
stopped PostgreSQL raises); tests/faults/test_postgres_outage_http.py stops a real cluster."""

import logging

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client

from api.cases import AssistanceRequestViewSet
from cases.models import AssistanceRequest
from tests.api.conftest import entry_body

API_URL = "/api/v1/assistance-requests/"
SERVER_DETAIL = 'connection to server at "10.0.0.7", port 5432 failed: Connection refused'

FR_DETAIL = (
    "Le service est momentanément indisponible (base de données injoignable). "
    "Rien n'a été enregistré ; réessayez dans un instant."
)
NL_DETAIL = (
    "De dienst is tijdelijk niet beschikbaar (database onbereikbaar). "
    "Er is niets opgeslagen; probeer het zo meteen opnieuw."
)
EN_DETAIL = (
    "The service is temporarily unavailable (database unreachable). "
    "Nothing was saved; try again in a moment."
)


def unreachable(error_class=OperationalError):
    def fail(*args, **kwargs):
        raise error_class(SERVER_DETAIL)

    return fail


@pytest.fixture
def selector_down(monkeypatch):
    monkeypatch.setattr(AssistanceRequestViewSet, "scoped_selector", staticmethod(unreachable()))


@pytest.fixture
def sessions_down(monkeypatch):
    """The first query of a logged-in request (loading the session) finds no database: it
    happens in a middleware, before any view."""
    monkeypatch.setattr(SessionStore, "load", unreachable())


@pytest.fixture
def logged_in_worker(worker):
    # The test client re-raises any exception a request ran into, even one turned into a
    # response; a browser only sees the response.
    client = Client(raise_request_exception=False)
    client.force_login(worker)
    return client


def test_an_api_read_during_an_outage_is_a_503_in_french_with_retry_after(
    worker_client, selector_down
):
    response = worker_client.get(API_URL)

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": FR_DETAIL}


@pytest.mark.parametrize(
    ("accept_language", "detail"), [("nl-BE,nl;q=0.9", NL_DETAIL), ("en", EN_DETAIL)]
)
def test_the_api_answer_speaks_the_callers_language(
    worker_client, selector_down, accept_language, detail
):
    response = worker_client.get(API_URL, HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 503
    assert response.json() == {"detail": detail}


def test_the_api_answer_never_shows_the_database_error(worker_client, selector_down):
    body = worker_client.get(API_URL).content.decode()

    assert "10.0.0.7" not in body
    assert "5432" not in body
    assert "OperationalError" not in body


def test_an_api_write_during_an_outage_is_a_503_and_writes_nothing(
    worker_client, association, monkeypatch
):
    monkeypatch.setattr(
        AssistanceRequestViewSet, "create_service", staticmethod(unreachable(InterfaceError))
    )

    response = worker_client.post(API_URL, entry_body(), format="json")

    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json() == {"detail": FR_DETAIL}
    assert not AssistanceRequest.objects.exists()


def test_an_outage_met_in_a_middleware_is_a_503_too(worker_token, sessions_down):
    # A session-authenticated API call: the session is loaded by the two-factor middleware.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-that-cannot-be-loaded"

    response = client.get(API_URL)

    assert response.status_code == 503
    assert response.json() == {"detail": FR_DETAIL}


def test_a_page_during_an_outage_tells_the_worker_nothing_was_saved(
    logged_in_worker, sessions_down
):
    response = logged_in_worker.post("/", {"duration_minutes": "15"})

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Rien n'a été enregistré." in page
    assert "réessayez" in page
    assert SERVER_DETAIL not in page


def test_the_page_speaks_the_language_chosen_in_the_header(logged_in_worker, sessions_down):
    logged_in_worker.cookies["django_language"] = "nl"

    page = logged_in_worker.get("/").content.decode()

    assert '<html lang="nl">' in page
    assert "Er is niets opgeslagen." in page


def test_the_outage_is_logged_with_its_cause(worker_client, selector_down, caplog):
    with caplog.at_level(logging.ERROR, logger="reliability.middleware"):
        worker_client.get(API_URL)

    [record] = [r for r in caplog.records if r.name == "reliability.middleware"]
    assert API_URL in record.getMessage()
    assert isinstance(record.exc_info[1], OperationalError)


def test_any_other_error_is_still_a_500(worker_client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(AssistanceRequestViewSet, "scoped_selector", staticmethod(broken))
    worker_client.raise_request_exception = False

    assert worker_client.get(API_URL).status_code == 500
