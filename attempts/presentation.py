"""The contact attempts as a page shows them: labels in the reader's language."""

from dataclasses import dataclass

from django.utils.translation import get_language

from taxonomy import get_taxonomy

from . import selectors
from .models import ContactAttempt


@dataclass(frozen=True)
class AttemptRow:
    attempt: ContactAttempt
    body: str
    channel: str
    result: str


def attempt_rows(attempts, language: str | None = None) -> list[AttemptRow]:
    taxonomy = get_taxonomy()
    language = (language or get_language() or "fr")[:2]

    def label(section, code):
        return taxonomy.label(section, code, language)

    return [
        AttemptRow(
            attempt=a,
            body=(
                a.institution.display_name(language)
                if a.institution
                else label("referrer_types", a.institution_kind)
            ),
            channel=label("attempt_channels", a.channel),
            result=label("attempt_results", a.result),
        )
        for a in attempts
    ]


def person_attempt_rows(association, person) -> list[AttemptRow]:
    """The reader of the person's page (`cases.selectors.PERSON_RELATED_READERS`)."""
    return attempt_rows(
        selectors.contact_attempt_list_for_person(association=association, person=person)
    )


def undo_document(values: dict) -> dict:
    """A deleted attempt's values as the session keeps them until undone: ids, an ISO date."""
    document = dict(values)
    document["occurred_on"] = values["occurred_on"].isoformat()
    for name in ("institution", "assistance_request"):
        document[name] = getattr(values[name], "pk", None)
    return document
