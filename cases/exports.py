"""A person's record as they may ask for it (right of access): the export document, answered
by the API and downloaded as JSON, or laid out for people to read on the page and in a PDF.

`person_document` builds the document once, as plain JSON data, so every format holds the
same data. `person_record` only labels it: taxonomy codes become labels in the reader's
language and institution ids become names.
"""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from referrals.models import Institution
from rendering import pdf
from taxonomy import get_taxonomy

from . import selectors
from .entry_fields import MORE_FIELDS, Kind, entry_document, fields_of
from .presentation import PERSON_LANGUAGES

PDF_TEMPLATE = "cases/pdf/person_record.html"


def _json_datetime(value: dt.datetime) -> str:
    # As the API writes every other time (ISO 8601 in the current time zone, UTC as "Z"), so
    # the export reads like the rest of the API.
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _entry_data(entry) -> dict:
    return {"id": entry.pk, **entry_document(entry)}


def _incident_data(sheet) -> dict:
    return {
        "id": sheet.pk,
        "occurred_on": sheet.occurred_on.isoformat(),
        "title": sheet.title,
        "narrative": sheet.narrative,
        # An optional code that was not given is null, not an empty string.
        "procedure_domain": sheet.procedure_domain or None,
        "responsible_kind": sheet.responsible_kind or None,
        "responsible_institution": sheet.responsible_institution_id,
        "barriers": list(sheet.barriers),
        "entries": [entry.pk for entry in sheet.entries.all()],
        "shared": sheet.shared,
    }


def person_document(*, association, person_id) -> dict | None:
    """Everything the association holds about one person, as JSON data (right of access), or
    None when it holds no such person: the person, their entries and the incident sheets that
    link them. The API answers with this document and the pages download it, so the person
    gets the same data whichever way it was asked for."""
    held = selectors.person_export_for_association(association=association, person_id=person_id)
    if held is None:
        return None
    person = held["person"]
    return {
        "id": person.pk,
        "code": person.code,
        "birth_year": person.birth_year,
        "postcode": person.postcode,
        "language": person.language,
        "created_at": _json_datetime(person.created_at),
        "assistance_requests": [_entry_data(entry) for entry in held["entries"]],
        "incidents": [_incident_data(sheet) for sheet in held["incidents"]],
    }


def person_language_label(code: str) -> str:
    if code == "other":
        return _("another language")
    return dict(PERSON_LANGUAGES).get(code, code)


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def _datetime(value):
    if not value:
        return None
    return timezone.localtime(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))


class _Labels:
    """Labels in the reader's language for the codes and bodies of one document."""

    def __init__(self, document: dict, language: str):
        self.taxonomy = get_taxonomy()
        self.language = language
        ids = {
            entry[f.name]
            for entry in document["assistance_requests"]
            for f in fields_of(Kind.INSTITUTION)
        } | {sheet["responsible_institution"] for sheet in document["incidents"]}
        bodies = Institution.objects.in_bulk([pk for pk in ids if pk is not None])
        self.names = {pk: institution.name for pk, institution in bodies.items()}

    def code(self, section: str, code) -> str:
        return self.taxonomy.label(section, code, self.language) if code else ""

    def codes(self, section: str, codes) -> list[str]:
        return [self.code(section, c) for c in codes]

    def body(self, kind, institution_id) -> str:
        if institution_id is not None:
            return self.names.get(institution_id, str(institution_id))
        return self.code("referrer_types", kind)

    def value(self, f, value) -> str:
        """Any field of the definition, as text."""
        if f.kind is Kind.CODE:
            return self.code(f.section, value)
        if f.kind is Kind.CODES:
            return ", ".join(self.codes(f.section, value or []))
        if f.kind is Kind.INSTITUTION:
            return self.body("", value)
        return "" if value is None else str(value)


def _person_header(document: dict) -> dict:
    return {
        "id": document["id"],
        "code": document["code"],
        "birth_year": document["birth_year"],
        "postcode": document["postcode"],
        "language": person_language_label(document["language"]),
        "created_at": _datetime(document["created_at"]),
    }


def _entry_record(entry: dict, labels: _Labels) -> dict:
    return {
        "id": entry["id"],
        "occurred_on": _date(entry["occurred_on"]),
        "duration_minutes": entry["duration_minutes"],
        "channel": labels.code("channels", entry["channel"]),
        "procedure": labels.code("procedure_domains", entry["procedure_domain"]),
        "referrer": labels.body(entry["referrer_kind"], entry["referred_by"]),
        "responsible": labels.body(entry["responsible_kind"], entry["responsible_institution"]),
        "barriers": labels.codes("digital_barriers", entry["barriers"]),
        "mode": labels.code("assistance_modes", entry["mode"]),
        "outcome": labels.code("outcomes", entry["outcome"]),
        "consent": labels.code("consent_types", entry["consent"]),
        "sensitive_flags": labels.codes("sensitive_data_flags", entry["sensitive_flags"]),
        "notes": entry["notes"],
        "more": [labels.value(f, entry.get(f.name)) for f in MORE_FIELDS],
    }


def _incident_record(sheet: dict, labels: _Labels, entry_dates: dict) -> dict:
    named = sheet["responsible_kind"] or sheet["responsible_institution"]
    return {
        "id": sheet["id"],
        "occurred_on": _date(sheet["occurred_on"]),
        "title": sheet["title"],
        "narrative": sheet["narrative"],
        "procedure": labels.code("procedure_domains", sheet["procedure_domain"]),
        "responsible": (
            labels.body(sheet["responsible_kind"], sheet["responsible_institution"])
            if named
            else ""
        ),
        "barriers": labels.codes("digital_barriers", sheet["barriers"]),
        "entry_dates": sorted(
            entry_dates[pk] for pk in sheet["entries"] if entry_dates.get(pk) is not None
        ),
        "shared": sheet["shared"],
    }


def person_record(document: dict, language: str) -> dict:
    """The document with a label for every code, for the page and the PDF."""
    labels = _Labels(document, language)
    entries = document["assistance_requests"]
    entry_dates = {entry["id"]: _date(entry["occurred_on"]) for entry in entries}
    return {
        "person": _person_header(document),
        "more_headers": [f.label for f in MORE_FIELDS],
        "entries": [_entry_record(entry, labels) for entry in entries],
        "incidents": [
            _incident_record(sheet, labels, entry_dates) for sheet in document["incidents"]
        ],
    }


def person_json_bytes(document: dict) -> bytes:
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def pdf_available() -> bool:
    return pdf.pdf_available()


def pdf_unavailable_message() -> str:
    # The workload exports' message, with the format that still works here.
    return _(
        "PDF export is not available on this server: its system packages are missing "
        "(an administrator installs them with “make pdf-deps”). The JSON export still works."
    )


def person_pdf_bytes(document: dict, *, association, language: str) -> bytes:
    """The record in the reader's language (fr, nl or en), titled, with the association's name
    and the day it was made. Raises rendering.pdf.PdfUnavailable without WeasyPrint."""
    with translation.override(language):
        context = {
            "record": person_record(document, language),
            "association": association,
            "language": language,
            "generated_on": timezone.localdate(),
        }
        return pdf.pdf_bytes(PDF_TEMPLATE, context)


def person_file_name(document: dict, extension: str) -> str:
    # The database id, not the code: a file name travels (mail subjects, download folders).
    return f"person-{document['id']}.{extension}"
