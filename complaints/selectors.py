"""Reads of the complaints: every query starts from the caller's association."""

from django.db.models import Count, Prefetch, Q

from cases.models import AssistanceRequest

from .models import CompetentBody, Complaint

ENTRIES_LISTED = 200


def competent_body_list():
    return CompetentBody.objects.all()


def once_only_entry_list_for_association(*, association, limit: int = ENTRIES_LISTED):
    """The association's Once-Only entries, newest first, with what a complaint quotes."""
    return (
        AssistanceRequest.objects.for_association(association)
        .filter(has_once_only=True)
        .select_related("responsible_institution", "once_only_holder", "person")
        .prefetch_related("once_only_complaints")[:limit]
    )


def complaint_list_for_association(*, association):
    return (
        Complaint.objects.for_association(association)
        .select_related("addressed_to")
        .annotate(entry_count=Count("entries"))
    )


def complaint_get_for_association(*, association, pk) -> Complaint | None:
    """One complaint of the association, or None (the caller answers 404)."""
    entries = AssistanceRequest.objects.for_association(association).select_related(
        "responsible_institution", "once_only_holder", "person"
    )
    return (
        Complaint.objects.for_association(association)
        .select_related("addressed_to", "association")
        .prefetch_related(Prefetch("entries", queryset=entries.order_by("occurred_on", "pk")))
        .filter(pk=pk)
        .first()
    )


def complaint_counts_by_institution(*, association, months=None) -> dict[int, dict]:
    """institution id -> {"complaints", "answers"}: the complaints that quote at least one
    entry whose responsible body is that institution (of the period's months, if given), and
    how many of them were answered."""
    entries = AssistanceRequest.objects.for_association(association).filter(
        responsible_institution__isnull=False, once_only_complaints__isnull=False
    )
    if months:
        entries = entries.filter(month__in=list(months))
    rows = entries.values("responsible_institution").annotate(
        complaints=Count("once_only_complaints", distinct=True),
        answers=Count(
            "once_only_complaints",
            distinct=True,
            filter=Q(once_only_complaints__answered_on__isnull=False),
        ),
    )
    return {
        row["responsible_institution"]: {
            "complaints": row["complaints"],
            "answers": row["answers"],
        }
        for row in rows
    }
