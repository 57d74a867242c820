"""Reads of an association's contact attempts; every one starts from `for_association`."""

import datetime as dt
from collections import Counter

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


# What tells an attempt from another in an imported file: every field the file carries (the
# day, the body, the channel, the result, the minutes, the entry), never the notes. Two rows
# alike are the same attempt only once per row: the same line may ring out twice in a day.
FINGERPRINT_FIELDS = (
    "occurred_on",
    "institution_kind",
    "institution",
    "channel",
    "result",
    "waited_minutes",
    "assistance_request",
)


def attempt_fingerprint(values: dict) -> tuple:
    def one(value):
        value = getattr(value, "pk", value)
        return value.isoformat() if isinstance(value, dt.date) else ("" if value is None else value)

    return tuple(one(values.get(name)) for name in FINGERPRINT_FIELDS)


def contact_attempt_fingerprints_for_association(
    *, association, first_day: dt.date, last_day: dt.date
) -> Counter:
    """How many of the association's attempts between two days carry each fingerprint."""
    attempts = ContactAttempt.objects.for_association(association).filter(
        occurred_on__range=(first_day, last_day)
    )
    columns = [
        f"{name}_id" if name in ("institution", "assistance_request") else name
        for name in FINGERPRINT_FIELDS
    ]
    return Counter(
        attempt_fingerprint(dict(zip(FINGERPRINT_FIELDS, values, strict=True)))
        for values in attempts.values_list(*columns).iterator(chunk_size=2000)
    )
