"""Who may see what, in one place: the caller's seat, looked up once per request, and one rule
per kind of caller.

Pages use `seat_required(rule)`, which sets `request.seat`, `request.association` and
`request.federation` the same way for every view; the API builds its permission classes from
the same rules (`api.permissions.seat_permission`) and reads the seat through `request_seat`.
"""

import functools
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from .models import ASSOCIATION_ROLES, FEDERATION_ROLES, Association, Federation, Role
from .selectors import Seat, seat_for_user

# Stored on the Django request, which DRF's request wraps: pages, permissions, scoping and
# serializers of one request all share one lookup.
_CACHE_ATTRIBUTE = "_access_seat"


def _user_key(user):
    return user.pk if getattr(user, "is_authenticated", False) else None


def request_seat(request) -> Seat | None:
    """The caller's seat, looked up at most once per request and user.

    The API's token is only read inside the view, after middleware may already have asked:
    the cache remembers whose seat it holds, so a user set later is looked up afresh."""
    user = getattr(request, "user", None)
    holder = getattr(request, "_request", request)
    cached = getattr(holder, _CACHE_ATTRIBUTE, None)
    if cached is None or cached[0] != _user_key(user):
        cached = (_user_key(user), seat_for_user(user))
        setattr(holder, _CACHE_ATTRIBUTE, cached)
    return cached[1]


def request_association(request) -> Association | None:
    seat = request_seat(request)
    return seat.association if seat else None


def request_federation(request) -> Federation | None:
    seat = request_seat(request)
    return seat.federation if seat else None


@dataclass(frozen=True)
class SeatRule:
    """Seats with one of `roles` in an organisation of `kind` (an association or a federation).
    `message` is the refusal, unless a page words it for itself."""

    name: str
    kind: str
    roles: tuple[str, ...]
    message: str = field(compare=False)

    def allows(self, seat: Seat | None) -> bool:
        return bool(
            seat is not None and getattr(seat, self.kind) is not None and seat.role in self.roles
        )


@dataclass(frozen=True)
class AnyOfRule:
    """Seats that any of `rules` allows (a director or an analyst, for what both may do)."""

    name: str
    rules: tuple[SeatRule, ...]
    message: str = field(compare=False)

    def allows(self, seat: Seat | None) -> bool:
        return any(rule.allows(seat) for rule in self.rules)


class Rule:
    """The rules of the product. An analyst is refused on association pages and a worker or
    director on the federation's, whatever the object."""

    ASSOCIATION_MEMBER = SeatRule(
        "AssociationMember",
        "association",
        tuple(ASSOCIATION_ROLES),
        _("Only a worker or director of an association may do this."),
    )
    DIRECTOR = SeatRule(
        "Director", "association", (Role.DIRECTOR,), _("Only a director may do this.")
    )
    ANALYST = SeatRule(
        "Analyst",
        "federation",
        tuple(FEDERATION_ROLES),
        _("Only a federation analyst may do this."),
    )


# Dossiers addressed to an institution: a director's for the association, an analyst's for the
# federation.
Rule.DIRECTOR_OR_ANALYST = AnyOfRule(
    "DirectorOrAnalyst",
    (Rule.DIRECTOR, Rule.ANALYST),
    _("Only a director of an association or a federation analyst may do this."),
)


def seat_check(request, rule: SeatRule, *, message=None) -> Seat:
    """The caller's seat if `rule` allows it, else PermissionDenied (a 403)."""
    seat = request_seat(request)
    if not rule.allows(seat):
        raise PermissionDenied(message or rule.message)
    return seat


def seat_required(rule: SeatRule, *, message=None, json=False):
    """A page for the seats `rule` allows, refused with `message` (the rule's own by default).

    A page sends an anonymous caller to the login page and refuses other seats with a 403.
    With `json`, for the small endpoints that scripts of the pages call, anyone refused
    (anonymous included) gets a JSON 403 `{"detail": message}` instead."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                seat = seat_check(request, rule, message=message)
            except PermissionDenied as refusal:
                if not json:
                    raise
                return JsonResponse({"detail": str(refusal)}, status=403)
            request.seat = seat
            request.association = seat.association
            request.federation = seat.federation
            return view(request, *args, **kwargs)

        page = wrapper if json else login_required(wrapper)
        # Read back by `view_allows`: the navigation links a page only for the seats it
        # allows. Stacked decorators all apply, so the rules of the inner ones are kept.
        page.seat_rules = (rule, *getattr(view, "seat_rules", ()))
        return page

    return decorator


def view_allows(view, seat: Seat | None) -> bool:
    """Whether `seat` passes every `seat_required` rule `view` was built with, also through
    decorators that keep the view's attributes (functools.wraps: require_GET…). A view with
    no rule is not refused by seat (a public page, or one for any logged-in user)."""
    return all(rule.allows(seat) for rule in getattr(view, "seat_rules", ()))
