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
from .presentation import PERSON_LANGUAGES

PDF_TEMPLATE = "cases/pdf/person_record.html"


def _json_datetime(value: dt.datetime) -> str:
    # As the API writes every other time (ISO 8601 in the current time zone, UTC as "Z"), so
    # the export reads like the rest of the API.
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _entry_data(entry) -> dict:
    return {
        "id": entry.pk,
        "occurred_on": entry.occurred_on.isoformat(),
        "duration_minutes": entry.duration_minutes,
        "channel": entry.channel,
        "procedure_domain": entry.procedure_domain,
        "referrer_kind": entry.referrer_kind,
        "referred_by": entry.referred_by_id,
        "responsible_kind": entry.responsible_kind,
        "responsible_institution": entry.responsible_institution_id,
        "barriers": entry.barrier_codes,
        "mode": entry.mode,
        "outcome": entry.outcome,
        "consent": entry.consent,
        "sensitive_flags": entry.sensitive_flag_codes,
        "person": entry.person_id,
        "notes": entry.notes,
    }


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


def person_record(document: dict, language: str) -> dict:
    """The document with a label for every code, for the page and the PDF."""
    taxonomy = get_taxonomy()
    entries, incidents = document["assistance_requests"], document["incidents"]
    institution_ids = {
        entry[name] for entry in entries for name in ("referred_by", "responsible_institution")
    } | {sheet["responsible_institution"] for sheet in incidents}
    names = {
        pk: institution.name
        for pk, institution in Institution.objects.in_bulk(
            [pk for pk in institution_ids if pk is not None]
        ).items()
    }

    def label(section, code):
        return taxonomy.label(section, code, language) if code else ""

    def body(kind, institution_id):
        if institution_id is not None:
            return names.get(institution_id, str(institution_id))
        return label("referrer_types", kind)

    entry_dates = {entry["id"]: _date(entry["occurred_on"]) for entry in entries}
    return {
        "person": {
            "id": document["id"],
            "code": document["code"],
            "birth_year": document["birth_year"],
            "postcode": document["postcode"],
            "language": person_language_label(document["language"]),
            "created_at": _datetime(document["created_at"]),
        },
        "entries": [
            {
                "id": entry["id"],
                "occurred_on": _date(entry["occurred_on"]),
                "duration_minutes": entry["duration_minutes"],
                "channel": label("channels", entry["channel"]),
                "procedure": label("procedure_domains", entry["procedure_domain"]),
                "referrer": body(entry["referrer_kind"], entry["referred_by"]),
                "responsible": body(entry["responsible_kind"], entry["responsible_institution"]),
                "barriers": [label("digital_barriers", c) for c in entry["barriers"]],
                "mode": label("assistance_modes", entry["mode"]),
                "outcome": label("outcomes", entry["outcome"]),
                "consent": label("consent_types", entry["consent"]),
                "sensitive_flags": [
                    label("sensitive_data_flags", c) for c in entry["sensitive_flags"]
                ],
                "notes": entry["notes"],
            }
            for entry in entries
        ],
        "incidents": [
            {
                "id": sheet["id"],
                "occurred_on": _date(sheet["occurred_on"]),
                "title": sheet["title"],
                "narrative": sheet["narrative"],
                "procedure": label("procedure_domains", sheet["procedure_domain"]),
                "responsible": (
                    body(sheet["responsible_kind"], sheet["responsible_institution"])
                    if sheet["responsible_kind"] or sheet["responsible_institution"]
                    else ""
                ),
                "barriers": [label("digital_barriers", c) for c in sheet["barriers"]],
                "entry_dates": sorted(
                    entry_dates[pk] for pk in sheet["entries"] if entry_dates.get(pk) is not None
                ),
                "shared": sheet["shared"],
            }
            for sheet in incidents
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
