"""Reads of an association's persons, log and incident sheets.

Every function starts from `Model.objects.for_association(association)`: another
association's rows are never in the result, so looking one up by id gives "not found". A
`*_get_*` selector answers None both for a row that does not exist and for another
association's row: the caller answers 404 either way.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, QuerySet, Sum
from django.utils import timezone

from referrals.selectors import institutions_list_for_association, referrals_for_person

from .entry_fields import ENTRY_FIELDS, Kind, entry_fingerprint
from .models import (
    AssistanceRequest,
    ImportedFile,
    IncidentSheet,
    Person,
)


def person_list_for_association(*, association) -> QuerySet[Person]:
    return Person.objects.for_association(association).order_by("code", "id")


def person_get_for_association(*, association, pk) -> Person | None:
    return person_list_for_association(association=association).filter(pk=pk).first()


def person_get_by_code_for_association(*, association, code: str) -> Person | None:
    """The association's person with this code, whatever its case."""
    return Person.objects.for_association(association).filter(code__iexact=code).first()


def _code_typed(text: str) -> str:
    # What was typed in a search box, as a code could hold it: PostgreSQL refuses a NUL in a
    # text comparison, and no code holds one.
    return text.replace("\x00", "").strip()


def person_summaries_for_association(*, association, code_search: str = "") -> QuerySet[Person]:
    """The association's persons with `entry_count` and `last_entry_on`, those whose code
    contains `code_search` (any case) when it is given."""
    persons = person_list_for_association(association=association)
    code_search = _code_typed(code_search)
    if code_search:
        persons = persons.filter(code__icontains=code_search)
    # Annotated in the one query of the page, not one count per row.
    return persons.annotate(
        entry_count=Count("assistance_requests"),
        last_entry_on=Max("assistance_requests__occurred_on"),
    )


def person_summary_get_for_association(*, association, pk) -> Person | None:
    """One person with `entry_count` and `last_entry_on`, as the list shows them."""
    return person_summaries_for_association(association=association).filter(pk=pk).first()


def persons_with_code_starting(*, association, typed: str, limit: int = 10) -> list[Person]:
    """The first persons, by code, whose code starts with what was typed (any case)."""
    typed = _code_typed(typed)
    if not typed:
        return []
    persons = person_list_for_association(association=association)  # ordered by code
    return list(persons.filter(code__istartswith=typed)[:limit])


def assistance_request_list_for_association(*, association) -> QuerySet[AssistanceRequest]:
    # Barriers and flags are read for every row of a page: two queries, not two per row.
    return (
        AssistanceRequest.objects.for_association(association)
        .prefetch_related("barriers", "sensitive_flags")
        .order_by("-occurred_on", "-id")
    )


def assistance_request_get_for_association(*, association, pk) -> AssistanceRequest | None:
    """One entry with the institutions and the person its page names."""
    return (
        AssistanceRequest.objects.for_association(association)
        .select_related("referred_by", "responsible_institution", "person")
        .filter(pk=pk)
        .first()
    )


def assistance_request_list_for_worker(
    *, association, worker, on=None, since=None
) -> QuerySet[AssistanceRequest]:
    """The entries a worker logged in their association, newest first, of one day (`on`) or
    since a day (`since`), with what a row of their page shows."""
    entries = AssistanceRequest.objects.for_association(association).filter(created_by=worker)
    if on is not None:
        entries = entries.filter(occurred_on=on)
    if since is not None:
        entries = entries.filter(occurred_on__gte=since)
    return (
        entries.select_related("referred_by", "responsible_institution", "person")
        .prefetch_related("barriers")
        .order_by("-occurred_on", "-id")
    )


def assistance_request_totals_get_for_worker(*, association, worker, month_from, month_to) -> dict:
    """A worker's own `requests` and `minutes` over some months ("YYYY-MM", inclusive)."""
    return (
        AssistanceRequest.objects.for_association(association)
        .filter(created_by=worker, month__gte=month_from, month__lte=month_to)
        .aggregate(requests=Count("pk"), minutes=Sum("duration_minutes", default=0))
    )


def entry_carry_over_get_for_worker(*, association, worker, today) -> dict:
    """What the worker's next entry takes from their last one: its channel, and its date when
    that entry was logged today and is of another day (the worker catching up on a past day);
    a new day starts on its own date."""
    last = (
        AssistanceRequest.objects.for_association(association)
        .filter(created_by=worker)
        .order_by("-id")
        .values("channel", "occurred_on", "created_at")
        .first()
    )
    if last is None:
        return {}
    carried = {"channel": last["channel"]}
    logged_on = timezone.localdate(last["created_at"])
    if logged_on == today and last["occurred_on"] != today:
        carried["occurred_on"] = last["occurred_on"]
    return carried


# What a sheet shows of the entries it is linked to: their day and procedure.
_LINKED_ENTRIES = AssistanceRequest.objects.only("id", "occurred_on", "procedure_domain")


def incident_sheet_get_for_association(*, association, pk) -> IncidentSheet | None:
    """One of the association's sheets, or None (another association's sheet is not found)."""
    return (
        IncidentSheet.objects.for_association(association)
        .select_related("responsible_institution")
        .filter(pk=pk)
        .first()
    )


def incident_sheet_list_for_association(*, association) -> QuerySet[IncidentSheet]:
    return (
        IncidentSheet.objects.for_association(association)
        .prefetch_related(Prefetch("entries", queryset=_LINKED_ENTRIES))
        .order_by("-occurred_on", "-id")
    )


def person_export_for_association(*, association, person_id) -> dict | None:
    """Everything held about one person (right of access), or None when the association holds
    no such person: the person, their entries and the incident sheets that link them."""
    person = person_list_for_association(association=association).filter(pk=person_id).first()
    if person is None:
        return None
    entries = list(
        assistance_request_list_for_association(association=association).filter(person=person)
    )
    incidents = list(
        incident_sheet_list_for_association(association=association)
        .filter(entries__in=entries)
        .distinct()
    )
    return {"person": person, "entries": entries, "incidents": incidents}


# The person's records beyond entries and incident sheets, by kind, in the order their page
# shows them. A domain that follows a person (mandates, contact attempts...) adds its reader
# here, `reader(association, person) -> list`, and its section to the person's page.
PERSON_RELATED_READERS = {
    "orientations": lambda association, person: list(
        referrals_for_person(association_id=association.pk, person_id=person.pk)
    ),
}


def person_related_for_association(*, association, person) -> dict[str, list]:
    """The person's related records of each kind that has some (a kind without any is left
    out, so that its section is not shown)."""
    if person.association_id != association.pk:
        return {}
    related = {kind: reader(association, person) for kind, reader in PERSON_RELATED_READERS.items()}
    return {kind: rows for kind, rows in related.items() if rows}


def entry_values_from_document(*, association, document: dict) -> dict:
    """The fields of an entry, as the services take them, from its JSON document
    (`entry_fields.entry_document`): ids back to rows the association may see (a body of its
    registry, one of its persons), ISO dates and decimal text back to values."""
    values = {}
    for f in ENTRY_FIELDS:
        value = document.get(f.name)
        if value is None:
            values[f.name] = None
        elif f.kind is Kind.DATE:
            values[f.name] = dt.date.fromisoformat(value)
        elif f.kind is Kind.DECIMAL:
            values[f.name] = Decimal(value)
        elif f.kind is Kind.INSTITUTION:
            bodies = institutions_list_for_association(association_id=association.pk)
            values[f.name] = bodies.filter(pk=value).first()
        elif f.kind is Kind.PERSON:
            values[f.name] = person_get_for_association(association=association, pk=value)
        else:
            values[f.name] = value
    return values


def entry_fingerprints_for_association(
    *, association, first_day: dt.date, last_day: dt.date
) -> Counter:
    """How many of the association's entries between two days carry each fingerprint
    (`entry_fields.entry_fingerprint`): what an import compares its rows with."""
    entries = AssistanceRequest.objects.for_association(association).filter(
        occurred_on__range=(first_day, last_day)
    )
    exported = [f for f in ENTRY_FIELDS if f.exported]
    many = [f for f in exported if f.kind is Kind.CODES]
    codes: dict[str, dict[int, list[str]]] = {f.name: {} for f in many}
    for f in many:
        model = AssistanceRequest._meta.get_field(f.name).related_model
        rows = model.objects.filter(assistance_request__in=entries)
        for pk, code in rows.values_list("assistance_request_id", "code"):
            codes[f.name].setdefault(pk, []).append(code)
    columns = [f.name for f in exported if f.kind is not Kind.CODES]
    found = Counter()
    for entry in entries.values("pk", *columns).iterator(chunk_size=2000):
        for f in many:
            entry[f.name] = codes[f.name].get(entry["pk"], [])
        found[entry_fingerprint(entry)] += 1
    return found


def imported_file_for_association(*, association, content_sha256: str) -> ImportedFile | None:
    return ImportedFile.objects.filter(
        association=association, content_sha256=content_sha256
    ).first()
