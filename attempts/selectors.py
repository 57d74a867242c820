"""Reads of an association's contact attempts; every one starts from `for_association`."""

import datetime as dt

from django.db.models import QuerySet

from .models import ContactAttempt


def contact_attempt_list_for_association(*, association) -> QuerySet[ContactAttempt]:
    return (
        ContactAttempt.objects.for_association(association)
        .select_related("institution")
        .order_by("-occurred_on", "-id")
    )


def contact_attempt_get_for_association(*, association, pk) -> ContactAttempt | None:
    return contact_attempt_list_for_association(association=association).filter(pk=pk).first()


def contact_attempt_list_for_worker_day(
    *, association, worker, day: dt.date
) -> QuerySet[ContactAttempt]:
    """The attempts a worker logged for one day, as the Today page lists them."""
    return contact_attempt_list_for_association(association=association).filter(
        created_by=worker, occurred_on=day
    )


def contact_attempt_list_for_person(*, association, person) -> list[ContactAttempt]:
    """The attempts made for a person: those tied to one of the person's entries."""
    return list(
        contact_attempt_list_for_association(association=association).filter(
            assistance_request__person=person
        )
    )


def contact_attempt_list_for_months(*, association, month_from: str, month_to: str):
    """The association's attempts of a period of months (YYYY-MM, both inclusive): what the
    subcontracting statement counts by body, channel and result."""
    return ContactAttempt.objects.for_association(association).filter(
        month__gte=month_from, month__lte=month_to
    )
