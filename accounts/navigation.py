"""Where each role starts, and the links of the main menu.

A link is shown only to a session that the linked page itself would let in: the page's own
`seat_required` rules are read from the view the URL resolves to (`access.view_allows`), so a
page that changes who may open it changes the menu with it. A link may narrow its audience
further (the statements are a director's report, though a worker may open them), never
widen it.
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import admin
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from organisations.access import Rule, SeatRule, request_seat, view_allows

from .two_factor import SessionStage, session_stage

# The first rule the seat passes names its home page: a director's is the dashboard, though
# a director may also log entries on the Today page like a worker.
HOMES = (
    (Rule.DIRECTOR, "workload:dashboard"),
    (Rule.ASSOCIATION_MEMBER, "cases:today"),
    (Rule.ANALYST, "evidence:dashboard"),
)
ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Link:
    view_name: str
    label: str | Promise
    # The views, by name prefix, for which this link is the current page (longest wins).
    sections: tuple[str, ...]
    audience: SeatRule | None = None


LINKS = (
    Link("cases:today", _("Today"), ("cases:today", "cases:entry_")),
    Link("cases:person_list", _("Persons"), ("cases:person_",)),
    Link("cases:incident_list", _("Incident sheets"), ("cases:incident_",)),
    Link("workload:dashboard", _("Workload"), ("workload:",)),
    Link(
        "workload:statements",
        _("Subcontracting statements"),
        ("workload:statement",),
        audience=Rule.DIRECTOR,
    ),
    Link("complaints:list", _("Once-Only complaints"), ("complaints:",), audience=Rule.DIRECTOR),
    Link(
        "accounts:settings",
        _("Settings"),
        ("accounts:settings", "accounts:reference_amount", "evidence:sharing"),
    ),
    Link("audit:trail", _("Audit trail"), ("audit:",)),
    Link(
        "evidence:dashboard", _("Federation figures"), ("evidence:dashboard", "evidence:release-")
    ),
    Link(
        "dossiers:shared_incident_list",
        _("Shared incident sheets"),
        ("dossiers:shared_incident_",),
    ),
    Link("dossiers:dossier_list", _("Dossiers"), ("dossiers:dossier_",)),
    Link(
        "evidence:open-data",
        _("Open data"),
        ("evidence:open-data", "evidence:releases", "evidence:release"),
        audience=Rule.ANALYST,
    ),
    Link("admin:index", _("Administration"), ("admin:",)),
)


@dataclass(frozen=True)
class MenuItem:
    url: str
    label: str | Promise
    current: bool


def _is_admin(request) -> bool:
    return admin.site.has_permission(request)


def _opens(request, url: str) -> bool:
    match = resolve(url)
    if match.namespace == ADMIN_NAMESPACE:
        return _is_admin(request)
    return view_allows(match.func, request_seat(request))


def home_url(request) -> str | None:
    """The page a logged-in user starts on, or None for an account without a role."""
    seat = request_seat(request)
    for rule, view_name in HOMES:
        if rule.allows(seat):
            return reverse(view_name)
    if _is_admin(request):
        return reverse("admin:index")
    return None


def menu(request) -> list[MenuItem]:
    """The links of the main menu for this request's session, the current page marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    # A session between the password and the code reaches none of these pages yet.
    if session_stage(user) != SessionStage.COMPLETE:
        return []
    here = getattr(getattr(request, "resolver_match", None), "view_name", None) or ""
    shown = []
    for link in LINKS:
        try:
            url = reverse(link.view_name)
        except NoReverseMatch:  # a URL configuration without that part (a test's)
            continue
        if link.audience is not None and not link.audience.allows(request_seat(request)):
            continue
        if _opens(request, url):
            shown.append((link, url))
    depth = {
        link.view_name: max((len(p) for p in link.sections if here.startswith(p)), default=0)
        for link, _url in shown
    }
    deepest = max(depth.values(), default=0)
    return [
        MenuItem(url, link.label, current=deepest > 0 and depth[link.view_name] == deepest)
        for link, url in shown
    ]


class Navigation:
    """Looked up only when a template reads it: fragments and files never pay for it."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def links(self) -> list[MenuItem]:
        return menu(self.request)

    @cached_property
    def home_url(self) -> str | None:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return home_url(self.request)


def navigation(request) -> dict:
    """Context processor: `navigation.links` and `navigation.home_url` for every page."""
    return {"navigation": Navigation(request)}
