"""Each role lands on its own page after logging in, and the menu offers only the pages the
role may open: every link shown answers 200 for that role."""

import html
import re

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.models import Role
from tests.factories import (
    DEFAULT_PASSWORD,
    FederationFactory,
    MembershipFactory,
    UserFactory,
)

VERIFY_URL = "/account/two-factor/verify/"
MENU = re.compile(r'<nav aria-label="[^"]*">\s*<ul class="nav">(.*?)</ul>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


@pytest.fixture
def users(association):
    federation = FederationFactory(slug="fed-landing")
    staff = UserFactory(email="admin@example.be")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    return {
        "worker": MembershipFactory(organisation=association, role=Role.WORKER).user,
        "director": MembershipFactory(organisation=association, role=Role.DIRECTOR).user,
        "analyst": MembershipFactory(organisation=federation, role=Role.ANALYST).user,
        "administrator": staff,
    }


HOMES = {
    "worker": "/",
    "director": "/workload/",
    "analyst": "/federation/",
    "administrator": "/admin/",
}
# What each role finds in the main menu, in this order.
MENUS = {
    "worker": ["/", "/persons/", "/incidents/", "/workload/"],
    "director": [
        "/",
        "/persons/",
        "/incidents/",
        "/workload/",
        "/workload/statements/",
        "/complaints/",
        "/account/settings/",
        "/audit/",
        "/dossiers/",
    ],
    "analyst": ["/federation/", "/federation/incidents/", "/dossiers/", "/open-data/"],
    "administrator": ["/admin/"],
}


def log_in(client, user, **query):
    return client.post(
        "/login/",
        {"username": user.email, "password": DEFAULT_PASSWORD, **query},
        follow=True,
    )


def menu_links(response) -> list[tuple[str, bool, str]]:
    """(href, is the current page, label) of each link of the main menu."""
    found = MENU.search(response.content.decode())
    if found is None:
        return []
    return [
        (href, bool(current), html.unescape(label))
        for href, current, label in LINK.findall(found[1])
    ]


@pytest.mark.parametrize("role", HOMES)
def test_each_role_lands_on_its_own_page_after_logging_in(client, users, role):
    response = log_in(client, users[role])

    assert response.redirect_chain[-1][0] == HOMES[role]
    assert response.status_code == 200


def test_the_director_lands_on_the_dashboard_and_the_menu_links_it(client, users):
    response = log_in(client, users["director"])

    assert response.redirect_chain[-1][0] == "/workload/"
    links = menu_links(response)
    assert ("/workload/", True, "Charge de travail") in links
    assert ("/", False, "Aujourd'hui") in links


def test_the_analyst_lands_on_the_federation_page_with_its_menu_and_not_on_a_refusal(client, users):
    response = log_in(client, users["analyst"])

    assert response.redirect_chain[-1][0] == "/federation/"
    assert [href for href, _current, _label in menu_links(response)] == MENUS["analyst"]


def test_a_safe_next_is_followed_after_logging_in(client, users):
    response = log_in(client, users["director"], next="/workload/statements/")

    assert response.redirect_chain[-1][0] == "/workload/statements/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_a_next_to_another_site_is_ignored_for_the_roles_page(client, users, target):
    response = log_in(client, users["analyst"], next=target)

    assert response.redirect_chain[-1][0] == "/federation/"


def test_the_landing_also_follows_a_safe_next_and_ignores_another_site(client, users):
    client.force_login(users["director"])

    assert client.get("/home/?next=/persons/")["Location"] == "/persons/"
    assert client.get("/home/?next=https://evil.example/")["Location"] == "/workload/"


@pytest.mark.parametrize("target", ["-1", "workload", "99999999999999999999", "a\x00b"])
def test_a_next_that_is_no_path_of_the_site_is_ignored(client, users, target):
    client.force_login(users["director"])

    assert client.get("/home/", {"next": target})["Location"] == "/workload/"


def code_of(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    return str(totp.token()).zfill(device.digits)


def test_with_a_second_factor_the_director_types_the_code_then_lands_on_the_dashboard(
    client, users
):
    device = TOTPDevice.objects.create(user=users["director"], name="phone", confirmed=True)

    asked = log_in(client, users["director"])
    assert asked.redirect_chain[-1][0].startswith(VERIFY_URL)
    # Between the password and the code, the menu offers nothing the session cannot open.
    assert menu_links(asked) == []
    assert asked.redirect_chain[-1][0] == f"{VERIFY_URL}?next=%2Fhome%2F"
    response = client.post(VERIFY_URL, {"token": code_of(device), "next": "/home/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/workload/"


def test_a_logged_in_user_who_opens_the_login_page_is_sent_to_their_page(client, users):
    client.force_login(users["analyst"])

    response = client.get("/login/", follow=True)

    assert response.redirect_chain[-1][0] == "/federation/"


def test_an_anonymous_visitor_of_the_landing_is_asked_to_log_in(client):
    response = client.get("/home/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_account_without_a_role_is_told_so_and_may_log_out(client):
    user = UserFactory(email="nobody@example.be")

    response = log_in(client, user)

    assert response.status_code == 403
    page = response.content.decode()
    assert "pas encore rattaché à une association ou une fédération" in page
    assert 'action="/logout/"' in page
    assert menu_links(response) == []


@pytest.mark.parametrize("role", MENUS)
def test_the_menu_shows_each_role_the_pages_it_may_open_and_each_opens(users, role):
    client = Client()
    client.force_login(users[role])

    # The open-data index is open to all and has the site's header (the admin has its own).
    shown = [href for href, _current, _label in menu_links(client.get("/open-data/"))]

    assert shown == MENUS[role]
    for href in shown:
        assert client.get(href).status_code == 200, href


def test_the_menu_marks_the_page_the_user_is_on(users):
    client = Client()
    client.force_login(users["director"])

    for path, label in [
        ("/", "Aujourd'hui"),
        ("/persons/", "Personnes"),
        ("/workload/", "Charge de travail"),
        ("/workload/statements/", "Relevés de sous-traitance"),
    ]:
        current = [text for _href, is_current, text in menu_links(client.get(path)) if is_current]
        assert current == [label], path


def test_the_menu_is_translated(users):
    client = Client()
    client.force_login(users["analyst"])

    labels = [
        label for *_rest, label in menu_links(client.get("/federation/", HTTP_ACCEPT_LANGUAGE="nl"))
    ]

    assert labels == [
        "Cijfers van de federatie",
        "Gedeelde incidentfiches",
        "Dossiers",
        "Open data",
    ]


def test_the_brand_leads_each_role_to_its_page(users):
    for role, home in HOMES.items():
        if role == "administrator":
            continue  # the admin has its own header
        client = Client()
        client.force_login(users[role])
        page = client.get(home).content.decode()
        assert f'<a class="brand" href="{home}">' in page, role


def test_an_analyst_who_also_holds_staff_rights_sees_the_administration_too(users):
    analyst = users["analyst"]
    analyst.is_staff = True
    analyst.save()
    client = Client()
    client.force_login(analyst)

    shown = [href for href, *_rest in menu_links(client.get("/federation/"))]

    assert shown == [*MENUS["analyst"], "/admin/"]
    assert client.get("/home/")["Location"] == "/federation/"
