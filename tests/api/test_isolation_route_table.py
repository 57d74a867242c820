"""No association ever sees another's data, on any route of the URL configuration.

The routes are not listed by hand: they are read from the resolver, so a route added later is
walked too. Each API route is classified from its view (every resource built on
`AssociationScopedMixin` is checked without further ado) or from ROUTE_ACCESS below; a route
the walker cannot classify fails the suite until someone says who may call it.

For each route and each method it offers, callers of another association (a worker and a
director of `other`), a federation analyst and an anonymous caller try it against the rows of
`mine`; the test then checks what they got (404 on mine's objects, lists without mine's rows,
403 where the role is not allowed, 401 without a token, 405 for a method not offered) and
that nothing of `mine` changed.
"""

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize
from rest_framework.test import APIClient

from api.middleware import allowed_methods
from api.scoping import AssociationScopedMixin, AssociationScopedRelatedField
from attempts.models import ContactAttempt
from cases.models import AssistanceRequest, IncidentSheet, Person
from cases.services import incident_sheet_create
from complaints.models import CompetentBody, Complaint
from dossiers.models import Dossier
from dossiers.services import dossier_create
from mandates import services as mandate_services
from mandates.models import Mandate
from organisations.models import FederationMembership, ReferenceAmount, Role
from orientations.models import Orientation
from orientations.services import orientation_send
from tests.api.conftest import seat
from tests.factories import MembershipFactory, log_attempt
from workload.models import Job
from workload.services import job_create, rollups_sweep_dirty

PUBLIC = "public"  # no token needed (the token itself)
REFERENCE = "reference"  # any signed-in seat; holds no association data
MEMBER = "member"  # workers and directors, of their own association only
DIRECTOR = "director"  # directors, of their own association only
ANALYST = "analyst"  # federation analysts only
OWN_TOKEN = "own-token"  # any token holder, acting on the token sent and nothing else
DOSSIER = "dossier"  # directors (their association's) and analysts (their federation's)

# Every API route that is not an AssociationScopedMixin resource, by URL name. A new route
# must be added here (or be built on the mixin), or test_every_route_is_classified fails.
ROUTE_ACCESS = {
    "api:root": PUBLIC,  # the index of the endpoints
    "api:token": PUBLIC,
    "api:logout": OWN_TOKEN,
    "api:taxonomy": REFERENCE,
    "api:schema": REFERENCE,
    "api:docs": REFERENCE,
    "api:institution-list": MEMBER,  # the shared registry: public bodies, no personal data
    "api:workload-monthly": MEMBER,
    "api:workload-statements": MEMBER,
    "api:workload-recompute": DIRECTOR,
    "api:job-detail": MEMBER,
    "api:sharing-list": MEMBER,
    "api:sharing-detail": DIRECTOR,
    "api:dossier-list": DOSSIER,
    "api:dossier-detail": DOSSIER,
    "api:dossier-pdf": DOSSIER,
}
# Association resources that a federation analyst may read too (the shared sheets of the
# federation's sharing members, masked): mine's sheets are not shared, so they stay unseen.
ANALYST_READS = {"api:incident-list"}
# Paths under these prefixes are the federation's: association seats get 403 there.
FEDERATION_PREFIXES = ("api/v1/federation/",)
# URL kwargs that name one of mine's objects, by route name (mixin routes: from the view).
OBJECT_MODELS = {"api:job-detail": Job, "api:dossier-detail": Dossier, "api:dossier-pdf": Dossier}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
EVERY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    template: str  # "api/v1/persons/%(pk)s/"
    params: tuple  # ((name, converter), ...)
    name: str | None
    view: object

    @property
    def view_class(self):
        return getattr(self.view, "cls", None) or getattr(self.view, "view_class", None)

    @property
    def is_api(self):
        return self.template.startswith("api/")

    def url(self, **values) -> str:
        return "/" + self.template % values


_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _piece(pattern) -> tuple[str, list]:
    """A URL pattern as a %-format string and its parameters (name, converter)."""
    route = getattr(pattern, "_route", None)
    if route is not None:
        params = [(m["name"], m["converter"] or "str") for m in _ROUTE_PARAMETER.finditer(route)]
        return _ROUTE_PARAMETER.sub(lambda m: f"%({m['name']})s", route), params
    template, names = normalize(pattern.regex.pattern)[0]
    converters = {name: "regex" for name in names}
    for name in names:
        group = re.search(rf"\(\?P<{name}>([^)]*)\)", pattern.regex.pattern)
        if group and re.fullmatch(r"\[0-9\](\{[0-9,]+\}|\+)|\\d\+", group[1]):
            converters[name] = "int"
    return template, list(converters.items())


def walk(patterns=None, template="", params=(), namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        piece, piece_params = _piece(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from walk(pattern.url_patterns, template + piece, (*params, *piece_params), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(template + piece, (*params, *piece_params), name, pattern.callback)


ROUTES = list(walk())
API_ROUTES = [r for r in ROUTES if r.is_api]
PAGE_ROUTES = [r for r in ROUTES if not r.is_api]


def route_id(route):
    return route.name or route.template


def classify(route) -> str:
    if route.view_class is not None and issubclass(route.view_class, AssociationScopedMixin):
        return "scoped-object" if route.params else "scoped-list"
    if route.template.startswith(FEDERATION_PREFIXES):
        return ANALYST
    if route.name in ROUTE_ACCESS:
        return ROUTE_ACCESS[route.name]
    raise AssertionError(
        f"The route {route.template!r} ({route.name}) is not classified: build it on "
        "AssociationScopedMixin or say who may call it in ROUTE_ACCESS."
    )


def test_the_walker_finds_every_published_path():
    templates = {r.template for r in API_ROUTES}
    for path in (
        "api/v1/institutions/",
        "api/v1/persons/",
        "api/v1/persons/%(pk)s/",
        "api/v1/persons/%(pk)s/export/",
        "api/v1/assistance-requests/",
        "api/v1/assistance-requests/%(pk)s/",
        "api/v1/incidents/",
        "api/v1/incidents/%(pk)s/",
        "api/v1/orientations/",
        "api/v1/orientations/%(pk)s/",
        "api/v1/orientations/figures/",
        "api/v1/taxonomy/",
        "api/v1/auth/token/",
        "api/v1/workload/monthly/",
        "api/v1/jobs/%(pk)s/",
        "api/v1/schema/",
        "api/v1/docs/",
    ):
        assert path in templates, path


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_every_route_is_classified(route):
    classify(route)
    assert allowed_methods(route.view) is not None, "the methods of the route cannot be told"


def test_an_unclassified_route_fails_the_walker():
    stray = Route("api/v1/stray/", (), "api:stray", object())
    with pytest.raises(AssertionError, match="not classified"):
        classify(stray)


# --- The world the callers try ---------------------------------------------------------------


def once_only_complaint(association, entry):
    """A complaint quoting the side's entry (written as rows: the scene's entry has no
    Once-Only barrier, which the service would ask for)."""
    complaint = Complaint.objects.create(
        association=association, addressed_to=CompetentBody.objects.get(level="federal")
    )
    complaint.entries.add(entry)
    return complaint


@pytest.fixture
def scene(world):
    mine = world.mine
    mine.job = job_create(kind=Job.Kind.RECOMPUTE, association=mine.association)
    mine.attempt = log_attempt(
        mine.association, notes="attempt of mine", assistance_request=mine.entry
    )
    for side in (mine, world.other):
        side.complaint = once_only_complaint(side.association, side.entry)
    # A dossier of mine's director, holding a sheet of mine (unshared) naming the CPAS.
    mine.named_sheet = incident_sheet_create(
        association=mine.association,
        occurred_on=mine.incident.occurred_on,
        title="incident of mine naming a body",
        narrative="A narrative.",
        responsible_institution=world.cpas,
    )
    mine.dossier = dossier_create(
        association=mine.association,
        institution=world.cpas,
        period_from="2025-01",
        period_to="2025-12",
        sheets=[mine.named_sheet],
        title="dossier of mine",
    )
    mine.orientation = orientation_send(
        association=mine.association,
        assistance_request=mine.entry.pk,
        recipient_name="Permanence sociale",
        recipient_email="accueil@permanence.example.be",
        recipient_language="fr",
        need="orientation of mine",
        shares=["postcode"],
        consent=True,
    )
    mine.mandate = mandate_services.mandate_create(
        association=mine.association,
        person=mine.person.pk,
        scopes=["tax"],
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        form="paper",
    )
    rollups_sweep_dirty()
    # A reference amount of mine's table (the director's settings page edits and deletes it).
    mine.reference_amount = ReferenceAmount.objects.for_association(mine.association).first()
    mine.reference_amount.situation = "amount of mine"
    mine.reference_amount.save()
    world.other_director = seat(world.other.association, Role.DIRECTOR)
    world.anonymous = APIClient()
    # Markers of mine's data: none may appear in an answer to a caller of `other`.
    world.markers = [
        mine.person.code,
        "notes of mine",
        "incident of mine",
        "attempt of mine",
        "amount of mine",
        "dossier of mine",
        "orientation of mine",
    ]
    world.association_markers = [*world.markers, mine.association.slug]
    return world


def fingerprint(world):
    """Everything of `mine` a caller could change."""
    association = world.mine.association
    return (
        sorted(Person.objects.for_association(association).values_list()),
        sorted(AssistanceRequest.objects.for_association(association).values_list()),
        sorted(IncidentSheet.objects.for_association(association).values_list()),
        sorted(
            IncidentSheet.entries.through.objects.filter(
                incidentsheet__association=association
            ).values_list()
        ),
        sorted(FederationMembership.objects.filter(association=association).values_list()),
        sorted(Job.objects.filter(association=association).values_list()),
        sorted(ContactAttempt.objects.for_association(association).values_list()),
        sorted(Complaint.objects.for_association(association).values_list()),
        sorted(
            Complaint.entries.through.objects.filter(
                complaint__association=association
            ).values_list()
        ),
        sorted(
            ReferenceAmount.objects.for_association(association)
            .values_list()
            .order_by()
            .values_list("pk", "procedure_domain", "situation", "monthly_eur", "source_name")
        ),
        sorted(Dossier.objects.filter(association=association).values_list()),
        sorted(
            Dossier.sheets.through.objects.filter(
                incidentsheet__association=association
            ).values_list()
        ),
        sorted(Orientation.objects.for_association(association).values_list()),
        sorted(Mandate.objects.for_association(association).values_list()),
    )


def scoped_related_fields(route) -> set[str]:
    """The body fields of a resource that name rows of the caller's association."""
    serializer = route.view_class.serializer_class()
    return {
        name
        for name, field in serializer.fields.items()
        if isinstance(getattr(field, "child_relation", field), AssociationScopedRelatedField)
    }


def url_values(route, world) -> dict:
    values = {}
    for name, converter in route.params:
        if converter in ("int", "regex"):
            if route.view_class is not None and issubclass(
                route.view_class, AssociationScopedMixin
            ):
                model = route.view_class.model
            else:
                model = OBJECT_MODELS.get(route.name)
            assert model is not None, f"{route.name}: which of mine's objects does {name} name?"
            values[name] = {
                Person: world.mine.person,
                AssistanceRequest: world.mine.entry,
                IncidentSheet: world.mine.incident,
                Job: world.mine.job,
                ContactAttempt: world.mine.attempt,
                Dossier: world.mine.dossier,
                Orientation: world.mine.orientation,
                Mandate: world.mine.mandate,
            }[model].pk
        elif converter in ("slug", "str") and "federation" in name:
            values[name] = world.federation.slug
        else:
            raise AssertionError(f"{route.name}: no value for the URL parameter {name}")
    return values


def body_with_mines_rows(world) -> dict:
    """A write body that tries to attach mine's rows to the caller's."""
    return {
        "person": world.mine.person.pk,
        "entries": [world.mine.entry.pk],
        "assistance_request": world.mine.entry.pk,
        "shares": False,
        "code": "stolen",
        "title": "stolen",
        "sheets": [world.mine.named_sheet.pk],
        "institution": world.cpas.pk,
        "period_from": "2025-01",
        "period_to": "2025-12",
    }


def call(client, method, url, world):
    if method in WRITE_METHODS:
        return getattr(client, method.lower())(url, body_with_mines_rows(world), format="json")
    query = {"from": "2025-01", "to": "2025-12", "page_size": 500}
    return getattr(client, method.lower())(url, query if method == "GET" else None)


def assert_no_marker(response, markers, context):
    body = response.content.decode("utf-8", "replace")
    for marker in markers:
        assert marker not in body, f"{context}: the answer shows {marker!r} of another association"


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_no_caller_of_another_association_gets_anything_of_mine(route, scene):
    access = classify(route)
    url = route.url(**url_values(route, scene))
    offered = allowed_methods(route.view)
    before = fingerprint(scene)

    for method in EVERY_METHOD:
        if method not in offered:
            # A method the path does not offer: 405 from everyone, nothing looked up.
            for who in ("anonymous", "other_worker", "analyst", "worker"):
                response = call(getattr(scene, who), method, url, scene)
                assert response.status_code == 405, (method, url, who, response.status_code)
            continue

        response = call(scene.anonymous, method, url, scene)
        if access == PUBLIC:
            assert response.status_code < 500, (method, url)
        else:
            assert response.status_code == 401, (method, url, "anonymous", response.status_code)

        for who in ("other_worker", "other_director", "analyst"):
            client = getattr(scene, who)
            response = call(client, method, url, scene)
            status = response.status_code
            context = f"{who} {method} {url} -> {status}"
            assert status < 500, context
            markers = scene.markers if who == "analyst" else scene.association_markers
            assert_no_marker(response, markers, context)
            is_analyst = who == "analyst"
            if access == "scoped-object":
                assert status == 404, context
            elif access == "scoped-list":
                if is_analyst and method == "GET" and route.name in ANALYST_READS:
                    assert status == 200, context
                elif is_analyst:
                    assert status == 403, context
                elif method == "POST" and scoped_related_fields(route):
                    # Mine's person or entry is unknown to the caller, never attached.
                    assert status == 400, context
                    assert scoped_related_fields(route) <= set(response.json()), context
                else:
                    assert status in (200, 201, 400), context
            elif access == ANALYST:
                assert status == 403 or is_analyst, context
            elif access == MEMBER:
                assert status == 403 if is_analyst else status != 403, context
                if route.name in OBJECT_MODELS:
                    assert status == 404 or is_analyst, context
            elif access == DIRECTOR:
                if who == "other_director":
                    assert status != 403, context
                else:
                    assert status == 403, context
            elif access == REFERENCE:
                assert status in (200, 400), context
            elif access == OWN_TOKEN:
                assert status == 204, context
            elif access == DOSSIER:
                if who == "other_worker":
                    assert status == 403, context
                elif route.params:
                    assert status == 404, context
                else:
                    assert status in (200, 400), context

    # A worker of `mine` is refused where the role is not theirs.
    if access in (ANALYST, DIRECTOR, DOSSIER):
        for method in offered & set(EVERY_METHOD):
            response = call(scene.worker, method, url, scene)
            assert response.status_code == 403, (method, url, "worker")

    assert fingerprint(scene) == before, f"a caller of another association changed mine: {url}"


# --- Web pages: the same walk, over the browser session --------------------------------------


def page_url(route, world):
    values = {}
    for name, converter in route.params:
        if converter in ("int", "regex") and not route.template.startswith("admin/"):
            values[name] = "%(id)s"
        elif "federation" in name:
            values[name] = world.federation.slug
        elif converter in ("slug", "str", "path", "regex"):
            # A neutral value: mine's slug would come back in the page's own links.
            values[name] = "cpas"
        else:
            raise AssertionError(f"{route.template}: no value for the URL parameter {name}")
    return route.url(**values)


def test_no_page_shows_a_member_of_another_association_anything_of_mine(scene):
    # One scene for every page (the admin alone has a hundred routes): the walk stays fast.
    mine = scene.mine
    candidate_ids = {
        mine.person.pk,
        mine.entry.pk,
        mine.incident.pk,
        mine.job.pk,
        mine.complaint.pk,
        mine.attempt.pk,
        mine.reference_amount.pk,
        mine.named_sheet.pk,
        mine.dossier.pk,
        mine.orientation.pk,
    }
    other_director = MembershipFactory(organisation=scene.other.association, role=Role.DIRECTOR)
    callers = (
        (scene.other_worker.user, scene.association_markers),
        (other_director.user, scene.association_markers),
        (scene.analyst.user, scene.markers),
    )
    browsers = []
    for user, markers in callers:
        browser = Client(raise_request_exception=False)
        browser.force_login(user)
        browsers.append((user, browser, markers))
    before = fingerprint(scene)
    assert PAGE_ROUTES
    for route in PAGE_ROUTES:
        url = page_url(route, scene)
        urls = {url % {"id": pk} for pk in candidate_ids} if "%(id)s" in url else {url}
        for user, browser, markers in browsers:
            for target in sorted(urls):
                response = browser.get(target)
                context = f"{user.email} GET {target} -> {response.status_code}"
                assert_no_marker(response, markers, context)
    assert fingerprint(scene) == before
