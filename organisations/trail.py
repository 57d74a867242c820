"""The director's view of their association's audit trail (the trail itself is the audit
app's: it stores ids and labels and knows no role, so the page that decides who reads it
lives here)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from audit.models import Action, ObjectType
from audit.selectors import audit_events_list_for_director
from organisations.access import Rule, seat_required

PAGE_SIZE = 50


@require_GET
@seat_required(Rule.DIRECTOR, message=_("Only a director of an association may see this."))
def trail(request):
    action = request.GET.get("action", "")
    object_type = request.GET.get("object", "")
    events = audit_events_list_for_director(
        association=request.association,
        action=action if action in Action.values else "",
        object_type=object_type if object_type in ObjectType.values else "",
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            "association": request.association,
            "page": page,
            "actions": Action.choices,
            "objects": ObjectType.choices,
            "action": action,
            "object": object_type,
        },
    )
