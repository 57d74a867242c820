from .models import AuditEvent


def audit_events_list_for_director(*, association, action: str = "", object_type: str = ""):
    """The association's trail, newest first; never another association's events."""
    events = AuditEvent.objects.filter(association_id=association.pk)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    return events.order_by("-at", "-pk")


def audit_events_list_for_object(*, association, object_type: str, object_id) -> list:
    """One row's history in the association's trail, oldest first (a sheet's page shows it)."""
    return AuditEvent.objects.filter(
        association_id=association.pk, object_type=object_type, object_id=str(object_id)
    ).order_by("at", "pk")
