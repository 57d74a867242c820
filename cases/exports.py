"""A person's record as they may ask for it (right of access): the API's export document,
downloaded as JSON, or laid out for people to read on the page and in a PDF.

The document itself comes from `api.cases.person_export_document`, the function the API
answers with, so every format holds the same data. Here it is only labelled: taxonomy codes
become labels in the reader's language and institution ids become names.
"""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from api.cases import person_export_document
from referrals.models import Institution
from taxonomy import get_taxonomy

from .presentation import PERSON_LANGUAGES

PDF_TEMPLATE = "cases/pdf/person_record.html"


def person_document(*, association, person_id) -> dict | None:
    """The export document of one of the association's persons, or None (not held)."""
    return person_export_document(association=association, person_id=person_id)


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
    from workload.exports import pdf_available as weasyprint_available

    return weasyprint_available()


def pdf_unavailable_message() -> str:
    # The workload exports' message, with the format that still works here.
    return _(
        "PDF export is not available on this server: its system packages are missing "
        "(an administrator installs them with “make pdf-deps”). The JSON export still works."
    )


def person_pdf_bytes(document: dict, *, association, language: str) -> bytes:
    """The record in the reader's language (fr, nl or en), titled, with the association's name
    and the day it was made. Raises workload.exports.PdfUnavailable without WeasyPrint."""
    # The one PDF machinery of the project, and its check for WeasyPrint's system packages.
    from workload.exports import pdf_bytes

    with translation.override(language):
        context = {
            "record": person_record(document, language),
            "association": association,
            "language": language,
            "generated_on": timezone.localdate(),
        }
        return pdf_bytes(PDF_TEMPLATE, context)


def person_file_name(document: dict, extension: str) -> str:
    # The database id, not the code: a file name travels (mail subjects, download folders).
    return f"person-{document['id']}.{extension}"
