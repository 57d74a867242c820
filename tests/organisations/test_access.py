"""The access module: one rule per kind of caller, one seat lookup per request, and the same
answers from the pages' decorator and the API's permission classes."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.request import Request

from api import permissions
from organisations import access
from organisations.access import Rule, request_seat, seat_check, seat_required
from organisations.models import Role
from organisations.selectors import Seat
from tests.api.conftest import client_for
from tests.factories import (
    AssociationFactory,
    FederationFactory,
    MembershipFactory,
    UserFactory,
)

SEATS = ("worker", "director", "analyst", "no_membership", "anonymous")
GRANTED = {
    "ASSOCIATION_MEMBER": {"worker", "director"},
    "DIRECTOR": {"director"},
    "ANALYST": {"analyst"},
}
RULES = {name: getattr(Rule, name) for name in GRANTED}


@pytest.fixture
def users():
    association = AssociationFactory(slug="access-asbl")
    federation = FederationFactory(slug="access-fed")
    return {
        "worker": MembershipFactory(organisation=association, role=Role.WORKER).user,
        "director": MembershipFactory(organisation=association, role=Role.DIRECTOR).user,
        "analyst": MembershipFactory(organisation=federation, role=Role.ANALYST).user,
        "no_membership": UserFactory(),
        "anonymous": AnonymousUser(),
    }


def page_request(user, path="/somewhere/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def api_request(user):
    """The request DRF hands to permissions, its user authenticated as by a token."""
    request = Request(page_request(user))
    request.user = user
    return request


def ok(request):
    return HttpResponse("ok")


def _cases():
    return [(rule, who) for rule in GRANTED for who in SEATS]


# --- the rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "who"), _cases())
def test_each_rule_grants_exactly_its_seats(users, rule, who):
    seat = request_seat(page_request(users[who]))

    assert RULES[rule].allows(seat) is (who in GRANTED[rule])


@pytest.mark.parametrize("role", [Role.WORKER, Role.DIRECTOR])
def test_an_association_role_held_in_a_federation_grants_no_association_rule(role):
    seat = Seat(organisation=FederationFactory(slug="odd-fed"), role=role)

    assert not Rule.ASSOCIATION_MEMBER.allows(seat)
    assert not Rule.DIRECTOR.allows(seat)


def test_the_analyst_role_held_in_an_association_is_not_an_analyst():
    seat = Seat(organisation=AssociationFactory(slug="odd-asbl"), role=Role.ANALYST)

    assert not Rule.ANALYST.allows(seat)
    assert not Rule.ASSOCIATION_MEMBER.allows(seat)


def test_a_refused_check_raises_permission_denied_with_the_rules_message(users):
    with pytest.raises(PermissionDenied) as refused:
        seat_check(page_request(users["worker"]), Rule.DIRECTOR)

    with translation.override("en"):
        assert str(refused.value) == "Only a director may do this."


# --- one lookup per request -------------------------------------------------------------------


@pytest.fixture
def lookups(monkeypatch):
    """The users whose seat the access module looked up in the database."""
    looked_up = []
    real = access.seat_for_user

    def counting(user):
        looked_up.append(user)
        return real(user)

    monkeypatch.setattr(access, "seat_for_user", counting)
    return looked_up


def test_the_seat_is_looked_up_once_per_request(users, django_assert_num_queries):
    request = page_request(users["director"])

    with django_assert_num_queries(1):
        seats = {request_seat(request) for _ in range(3)}
        access.request_association(request)
        access.request_federation(request)

    assert len(seats) == 1


def test_the_apis_request_shares_the_lookup_of_the_request_it_wraps(users, lookups):
    request = page_request(users["worker"])
    request_seat(request)

    drf_request = Request(request)
    drf_request.user = request.user

    assert request_seat(drf_request).association.slug == "access-asbl"
    assert lookups == [users["worker"]]


def test_a_user_set_after_a_first_lookup_is_looked_up_afresh(users, lookups):
    # The API reads its token inside the view, after middleware saw an anonymous caller.
    request = page_request(AnonymousUser())
    assert request_seat(request) is None

    request.user = users["analyst"]

    assert request_seat(request).federation.slug == "access-fed"
    assert lookups[1:] == [users["analyst"]]


def test_a_page_behind_two_rules_looks_the_seat_up_once(users, lookups):
    browser = Client()
    browser.force_login(users["director"])

    response = browser.get("/workload/imports/")

    assert response.status_code == 200
    assert lookups == [users["director"]]


def test_an_api_list_looks_the_seat_up_once(users, lookups):
    # Permission, scoped queryset and filters all read the caller's association.
    response = client_for(users["worker"]).get("/api/v1/persons/")

    assert response.status_code == 200
    assert lookups == [users["worker"]]


# --- the pages' decorator ---------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "who"), [c for c in _cases() if c[1] != "anonymous"])
def test_a_page_serves_the_seats_of_its_rule_and_refuses_the_others(users, rule, who):
    view = seat_required(RULES[rule])(ok)
    request = page_request(users[who])

    if who in GRANTED[rule]:
        assert view(request).status_code == 200
    else:
        with pytest.raises(PermissionDenied) as refused:
            view(request)
        assert str(refused.value) == str(RULES[rule].message)


@pytest.mark.parametrize("rule", GRANTED)
def test_a_page_sends_an_anonymous_caller_to_the_login_page(rule):
    response = seat_required(RULES[rule])(ok)(page_request(AnonymousUser(), "/here/"))

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/here/"


def test_a_page_sets_the_same_request_attributes_for_every_rule(users):
    seen = {}

    def view(request):
        seen[request.seat.role] = (request.seat, request.association, request.federation)
        return HttpResponse()

    seat_required(Rule.ASSOCIATION_MEMBER)(view)(page_request(users["worker"]))
    seat_required(Rule.ANALYST)(view)(page_request(users["analyst"]))

    worker_seat, association, federation = seen[Role.WORKER]
    assert association == worker_seat.organisation.association and federation is None
    analyst_seat, association, federation = seen[Role.ANALYST]
    assert association is None and federation == analyst_seat.organisation.federation


def test_a_page_may_word_its_refusal_for_itself(users):
    view = seat_required(Rule.DIRECTOR, message="Only a director of this page.")(ok)

    with pytest.raises(PermissionDenied, match="Only a director of this page."):
        view(page_request(users["worker"]))


@pytest.mark.parametrize("who", ["analyst", "no_membership", "anonymous"])
def test_a_json_endpoint_refuses_in_json_and_never_redirects(users, who):
    view = seat_required(Rule.ASSOCIATION_MEMBER, message="Log in here.", json=True)(ok)

    response = view(page_request(users[who]))

    assert response.status_code == 403
    assert json.loads(response.content) == {"detail": "Log in here."}


def test_a_json_endpoint_serves_the_seats_of_its_rule(users):
    view = seat_required(Rule.ASSOCIATION_MEMBER, json=True)(ok)

    assert view(page_request(users["director"])).status_code == 200


# --- the API's permission classes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("permission", "rule"),
    [
        (permissions.IsAssociationMember, "ASSOCIATION_MEMBER"),
        (permissions.IsDirector, "DIRECTOR"),
        (permissions.IsAnalyst, "ANALYST"),
    ],
)
@pytest.mark.parametrize("who", SEATS)
def test_the_apis_permissions_grant_what_the_pages_rules_grant(users, permission, rule, who):
    request = api_request(users[who])

    assert permission.rule is RULES[rule]
    assert permission.message == RULES[rule].message
    assert permission().has_permission(request, view=None) is (who in GRANTED[rule])


def test_a_permission_built_from_a_rule_is_named_after_it():
    built = permissions.seat_permission(Rule.DIRECTOR)

    assert built.__name__ == "IsDirector" and issubclass(built, permissions.SeatPermission)
