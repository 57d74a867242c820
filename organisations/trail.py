"""The director's view of their association's audit trail (the trail itself is the audit
app's: it stores ids and labels and knows no role, so the page that decides who reads it
lives here)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.models import Action, ObjectType
from audit.selectors import audit_events_list_for_director

from .models import Role
from .selectors import seat_for_user

PAGE_SIZE = 50


def director_seat(request):
    seat = seat_for_user(request.user)
    if seat is None or seat.association is None or seat.role != Role.DIRECTOR:
        raise PermissionDenied(_("Only a director of an association may see this."))
    return seat


@require_GET
@login_required
def trail(request):
    seat = director_seat(request)
    action = request.GET.get("action", "")
    object_type = request.GET.get("object", "")
    events = audit_events_list_for_director(
        association=seat.association,
        action=action if action in Action.values else "",
        object_type=object_type if object_type in ObjectType.values else "",
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            "association": seat.association,
            "page": page,
            "actions": Action.choices,
            "objects": ObjectType.choices,
            "action": action,
            "object": object_type,
        },
    )
