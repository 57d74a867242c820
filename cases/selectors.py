"""Reads of an association's persons, log and incident sheets.

Every function starts from `Model.objects.for_association(association)`: another
association's rows are never in the result, so looking one up by id gives "not found".
"""

from django.db.models import Count, Max, Prefetch, QuerySet

from .models import AssistanceRequest, IncidentSheet, Person


def person_list_for_association(*, association) -> QuerySet[Person]:
    return Person.objects.for_association(association).order_by("code", "id")


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


def incident_sheet_list_for_association(*, association) -> QuerySet[IncidentSheet]:
    return (
        IncidentSheet.objects.for_association(association)
        .prefetch_related(Prefetch("entries", queryset=AssistanceRequest.objects.only("id")))
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
