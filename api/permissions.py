"""Who may call what. The caller's seat (organisation and role) is looked up once per request
and every association-scoped view reads through `request_association`."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from organisations.models import Role
from organisations.selectors import seat_for_user


def request_seat(request):
    if not hasattr(request, "_seat"):
        request._seat = seat_for_user(request.user)
    return request._seat


def request_association(request):
    seat = request_seat(request)
    return seat.association if seat else None


class IsAssociationMember(BasePermission):
    """A worker or director of an association (an analyst gets 403 on association paths)."""

    message = _("Only a worker or director of an association may do this.")

    def has_permission(self, request, view):
        seat = request_seat(request)
        return bool(
            seat and seat.association is not None and seat.role in (Role.WORKER, Role.DIRECTOR)
        )


class IsDirector(BasePermission):
    message = _("Only a director may do this.")

    def has_permission(self, request, view):
        seat = request_seat(request)
        return bool(seat and seat.association is not None and seat.role == Role.DIRECTOR)


class IsAnalyst(BasePermission):
    message = _("Only a federation analyst may do this.")

    def has_permission(self, request, view):
        seat = request_seat(request)
        return bool(seat and seat.federation is not None and seat.role == Role.ANALYST)
