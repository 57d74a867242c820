"""Every answer carries a strict Content-Security-Policy (django-csp): scripts and styles from
the app itself, or inline with the nonce of that very answer; no inline event handler, no
style attribute, no eval, no plugin, no framing, forms posted to the app only."""

import re

import pytest
from django.test import Client

from organisations.models import Role
from tests.factories import FederationFactory, MembershipFactory, log_entry

HEADER = "Content-Security-Policy"


@pytest.fixture(autouse=True)
def production_policy(settings):
    """The policy of production (the tests' own adds eval, for the browser tests' tool)."""
    settings.CONTENT_SECURITY_POLICY = settings.PRODUCTION_CONTENT_SECURITY_POLICY


_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.I)
_NONCE = re.compile(r"'nonce-([^']+)'")


def directives(response) -> dict[str, list[str]]:
    policy = response[HEADER]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def assert_strict(response, url):
    assert HEADER in response, url
    policy = directives(response)
    assert policy["default-src"] == ["'self'"], url
    for name in ("script-src", "style-src"):
        assert "'self'" in policy[name], url
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "http:"} & set(
            policy[name]
        ), url
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def assert_inline_code_has_the_nonce(response, url):
    page = response.content.decode()
    nonces = set(_NONCE.findall(response[HEADER]))
    for tag, attributes in _TAG.findall(page):
        if tag.lower() == "script" and "src=" in attributes:
            assert "//" not in attributes.split("src=")[1][:3], (url, attributes)
            continue
        if 'type="application/json"' in attributes:
            continue  # data, never run
        nonce = re.search(r'nonce="([^"]*)"', attributes)
        assert nonce and nonce[1] in nonces, f"{url}: <{tag}{attributes}> has no valid nonce"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page), f"{url}: an inline event handler"
    assert not re.search(r"<[^>]+\sstyle\s*=", page), f"{url}: a style attribute"
    assert "https://" not in " ".join(re.findall(r'(?:src|href)="[^"]*"', page)), url


@pytest.fixture
def scene(association):
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    federation = FederationFactory(slug="fed-csp")
    association.federations.add(federation, through_defaults={"shares_aggregates": True})
    analyst = MembershipFactory(organisation=federation, role=Role.ANALYST).user
    entry = log_entry(association)
    return {"director": director, "worker": worker, "analyst": analyst, "entry": entry}


def browser_of(user):
    client = Client()
    client.force_login(user)
    return client


PAGES = {
    "worker": [
        "/",
        "/persons/",
        "/incidents/",
        "/incidents/new/",
        "/entries/{entry}/edit/",
        "/entries/{entry}/receipt/",
        "/account/two-factor/",
        "/api/v1/docs/",
    ],
    "director": [
        "/workload/",
        "/workload/statements/",
        "/workload/imports/",
        "/sharing/",
        "/audit/",
        "/account/settings/",
    ],
    "analyst": ["/federation/"],
}


@pytest.mark.parametrize(
    ("who", "path"), [(who, path) for who, paths in PAGES.items() for path in paths]
)
def test_every_page_has_a_strict_policy_and_no_inline_code_without_its_nonce(scene, who, path):
    url = path.format(entry=scene["entry"].pk)

    response = browser_of(scene[who]).get(url)

    assert response.status_code == 200, url
    assert_strict(response, url)
    assert_inline_code_has_the_nonce(response, url)


def test_the_login_page_and_an_api_answer_have_the_policy_too(client, api_client):
    login = client.get("/login/")
    assert_strict(login, "/login/")
    assert_inline_code_has_the_nonce(login, "/login/")
    assert_strict(api_client.get("/api/v1/taxonomy/"), "/api/v1/taxonomy/")


def test_each_answer_has_its_own_nonce(scene):
    browser = browser_of(scene["director"])

    first, second = (directives(browser.get("/workload/"))["style-src"] for _ in range(2))

    assert first != second
