"""Reads of the institution registry, always from one association's point of view."""

from .models import Institution


def institutions_list_for_association(*, association_id: int | None):
    """The bodies an association may see and choose (the shared registry and its own)."""
    return Institution.objects.visible_to(association_id).order_by("name", "id")


def institutions_list_awaiting_validation(*, association_ids):
    """Bodies added by these associations that no one has validated for everyone yet."""
    return (
        Institution.objects.awaiting_validation()
        .filter(added_by_id__in=association_ids)
        .select_related("added_by")
        .order_by("created_at", "id")
    )
