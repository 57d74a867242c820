"""The error pages: a refusal, a missing page and a crash each get a page of the site, in the
user's language, with its header and a way back to the user's own page; the API answers JSON.
"""

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from config import errors
from config import urls as site_urls
from organisations.models import Role
from tests.factories import FederationFactory, MembershipFactory

CRASH_URLS = "tests.errors.crash_urls"


@pytest.fixture
def analyst():
    return MembershipFactory(
        organisation=FederationFactory(slug="fed-errors"), role=Role.ANALYST
    ).user


def client_of(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_site_page(html):
    assert '<header class="site-header">' in html
    assert 'class="error-page"' in html
    assert "Traceback" not in html and "Forbidden" not in html


def test_a_refused_page_explains_the_refusal_with_the_menu_and_a_way_back(analyst):
    response = client_of(analyst).get("/")

    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert "Vous ne pouvez pas ouvrir cette page" in html
    # The rule's own refusal, and the analyst's menu and home page.
    assert "Seul un travailleur ou un directeur d&#x27;une association peut faire cela." in html
    assert '<a href="/federation/">' in html
    assert 'class="button primary" href="/federation/"' in html


def test_a_refused_page_speaks_dutch_to_a_dutch_browser(analyst):
    response = client_of(analyst).get("/", HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 403
    html = response.content.decode()
    assert 'lang="nl"' in html
    assert "U kunt deze pagina niet openen" in html
    assert "Terug naar mijn startpagina" in html


def test_a_page_refused_to_a_worker_leads_back_to_the_today_page(worker):
    response = client_of(worker).get("/federation/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot open this page" in html
    assert "Only a federation analyst may see this." in html
    assert 'class="button primary" href="/"' in html


def test_a_missing_page_is_the_sites_page_in_the_users_language(worker):
    client = client_of(worker)

    french = client.get("/no-such-page/")
    dutch = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="nl")

    assert french.status_code == dutch.status_code == 404
    assert_site_page(french.content.decode())
    assert "Cette page n'existe pas" in french.content.decode().replace("&#x27;", "'")
    assert "Deze pagina bestaat niet" in dutch.content.decode()
    assert 'class="button primary" href="/"' in french.content.decode()


def test_another_associations_object_is_the_same_missing_page(worker):
    response = client_of(worker).get("/persons/999999/")

    assert response.status_code == 404
    assert_site_page(response.content.decode())


def test_an_anonymous_visitor_of_a_missing_page_may_log_in_or_read_the_open_data():
    response = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html
    assert 'href="/home/"' in html and 'href="/open-data/"' in html


def test_a_crash_is_the_sites_page_in_the_users_language_and_shows_nothing_of_the_bug(
    worker, settings
):
    settings.ROOT_URLCONF = CRASH_URLS
    client = client_of(worker)

    french = client.get("/crash/")
    dutch = client.get("/crash/", HTTP_ACCEPT_LANGUAGE="nl")

    assert french.status_code == dutch.status_code == 500
    html = french.content.decode()
    assert '<header class="site-header">' in html
    assert "Un problème est survenu de notre côté" in html
    assert 'href="/home/"' in html
    assert "a bug in a page" not in html and "RuntimeError" not in html
    assert "Er is bij ons iets misgegaan" in dutch.content.decode()


def test_the_crash_page_renders_without_a_request_or_any_context():
    # Django renders it so: whatever failed (the database, a context processor) stays out.
    with translation.override("nl"):
        html = render_to_string("500.html")

    assert 'lang="nl"' in html
    assert "Er is bij ons iets misgegaan" in html
    assert 'href="/home/"' in html


def test_the_sites_crash_handler_answers_a_page_when_called_directly():
    assert site_urls.handler500 == "config.errors.server_error"
    request = RequestFactory().get("/somewhere/")

    response = errors.server_error(request)

    assert response.status_code == 500
    assert b'class="error-page"' in response.content


def test_the_api_answers_json_for_an_unknown_path_a_refusal_and_a_crash(worker_client, settings):
    missing = worker_client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Non trouvé."}

    refused = worker_client.get("/api/v1/federation/aggregates/")
    assert refused.status_code == 403
    assert "detail" in refused.json()

    settings.ROOT_URLCONF = CRASH_URLS
    worker_client.raise_request_exception = False
    crashed = worker_client.get("/api/v1/crash/", HTTP_ACCEPT_LANGUAGE="en")
    assert crashed.status_code == 500
    assert crashed.json() == {"detail": "A server error occurred."}


def test_a_form_sent_without_its_token_is_refused_with_the_sites_page(worker):
    # A page left open past the end of the session: its form's token is no longer valid.
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)

    response = client.post("/", {"duration_minutes": "15"}, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 403
    html = response.content.decode()
    assert '<header class="site-header">' in html
    assert "Dit formulier is verlopen" in html
    assert 'href="/home/"' in html


def test_a_request_for_an_unknown_host_is_the_sites_page_of_a_bad_request():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Cette demande n'a pas pu être lue" in html
    assert "Traceback" not in html
