"""Importing the contact-attempt diary kept elsewhere: a spreadsheet saved as CSV, read as the
log's import reads a file (`cases.imports`).

A column is named by the field's name or its label in French, Dutch or English (the template's
header); a code cell holds the code or its label in any of the three languages. The institution
is named by its exact name, or by its registry number in `institution_id`; the entry the
attempt was for, optionally, by its number in the log (`entry_id`, as the log export writes it).

Every cell of every row is checked before anything is written: one bad row writes nothing, and
the refusal names every problem by its line and its column. A file already imported is refused
(by its SHA-256, with the log's files); rows already in the diary are reported and not written
twice. Attempts are written through `contact_attempts_bulk_create`, which marks their months
for recomputation as an attempt saved by hand does.
"""

from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.entry_fields import EntryField, Group, Kind
from cases.imports import (
    CheckedFile,
    already_imported,
    by_line,
    content_sha256,
    file_parse,
    header_fits,
    imports_dir,
    rows_check,
    rows_split_by_existing,
)
from cases.imports import header_fits as entries_header_fits
from cases.services import imported_file_record
from rendering.files import ExportFile
from rendering.tables import Sheet, csv_bytes
from taxonomy import LANGUAGES, get_taxonomy

from . import selectors
from .fields import ATTEMPT_FIELDS
from .services import contact_attempt_clean, contact_attempts_bulk_create

# The job parameter and the page's choice that say a file holds contact attempts.
FILE_KIND = "attempts"

ENTRY_REFERENCE = EntryField(
    "assistance_request",
    Kind.TEXT,
    gettext_lazy("Entry number"),
    Group.PROCEDURE,
    required=False,
)
# The diary's fields, the entry's number last; the notes are free text and stay out of files.
IMPORTED: tuple[EntryField, ...] = (
    *(f for f in ATTEMPT_FIELDS if f.name != "notes"),
    ENTRY_REFERENCE,
)
# The kind of institution may stay empty on a row that names the institution.
REQUIRED_FIELDS = tuple(
    f for f in IMPORTED if f.required and f.kind is not Kind.INSTITUTION and not f.set_by
)
ENTRY_COLUMN = "entry_id"


def attempts_header_fits(head: bytes) -> bool:
    """Whether a file's first line is the header of a file of attempts."""
    aliases = {ENTRY_COLUMN: ENTRY_REFERENCE.name}
    return header_fits(head, IMPORTED, REQUIRED_FIELDS, aliases=aliases)


ENTRIES_KIND = "entries"
FILE_KINDS = (ENTRIES_KIND, FILE_KIND)


def file_kind_check(file_kind, head: bytes) -> str:
    """The kind of file the director chose (entries of the log unless told), refused when the
    file's header is plainly the other kind's: better said at once than as missing columns."""
    if not file_kind:
        file_kind = ENTRIES_KIND
    if file_kind not in FILE_KINDS:
        raise ValidationError({"file_kind": [_("Choose what the file holds.")]})
    holds_attempts = attempts_header_fits(head)
    holds_entries = entries_header_fits(head)
    if file_kind == ENTRIES_KIND and holds_attempts and not holds_entries:
        raise ValidationError(
            {"file_kind": [_("This file holds contact attempts: choose “Contact attempts”.")]}
        )
    if file_kind == FILE_KIND and holds_entries and not holds_attempts:
        raise ValidationError(
            {"file_kind": [_("This file holds entries of the log: choose “Entries of the log”.")]}
        )
    return file_kind


def _entry_number(row: dict) -> None:
    """The entry's number as the services take it: an int, or the text itself (refused)."""
    text = row.get("assistance_request")
    if not text:
        row.pop("assistance_request", None)
    elif text.isascii() and text.isdigit() and len(text) <= 18:
        row["assistance_request"] = int(text)


def _clean(association, data: dict) -> dict:
    """One row as a save checks it; an entry number that names none is "Unknown entry"."""
    entry = data.get("assistance_request")
    if entry is not None and not isinstance(entry, int):
        data["assistance_request"] = -1  # an id no row has: the service names the field
    return contact_attempt_clean(association, data)


def attempts_file_check(*, association, content: bytes) -> CheckedFile:
    """Read and check a whole file of attempts, writing nothing; raise one ValidationError
    listing every problem of every line (`<line>.<column>`), or the file's own refusal."""
    digest = content_sha256(content)
    already_imported(association, digest)
    parsed = file_parse(
        content, IMPORTED, REQUIRED_FIELDS, aliases={ENTRY_COLUMN: ENTRY_REFERENCE.name}
    )
    for row in parsed.rows:
        _entry_number(row)
    cleaned = rows_check(association, parsed, IMPORTED, _clean)
    if not cleaned:
        raise ValidationError({"file": [_("The file holds no contact attempt.")]})
    return CheckedFile(digest, *_new_rows(association, cleaned, parsed.lines))


def _new_rows(association, cleaned: list[dict], lines: list[int]):
    """The rows not in the diary yet, their lines, and the lines of the rows already there; a
    row counts as there as many times as the diary holds attempts like it."""
    days = [row["occurred_on"] for row in cleaned]
    existing: Counter = selectors.contact_attempt_fingerprints_for_association(
        association=association, first_day=min(days), last_day=max(days)
    )
    return rows_split_by_existing(cleaned, lines, existing, selectors.attempt_fingerprint)


def attempts_file_write(
    *,
    association,
    checked: CheckedFile,
    filename: str = "",
    actor=None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Write a checked file's new attempts and remember the file, in one transaction."""
    with transaction.atomic():
        imported_file_record(
            association=association,
            content_sha256=checked.content_sha256,
            filename=filename,
            actor=actor,
            attempts_imported=len(checked.rows),
            rows_already_there=len(checked.already_there),
        )
        try:
            return contact_attempts_bulk_create(
                association=association, rows=checked.rows, actor=actor, on_batch=on_batch
            )
        except ValidationError as exc:
            raise by_line(exc, checked.lines) from None


def attempts_import_job_work(job, on_progress: Callable[[int], None]) -> dict:
    """The body of an import job for a file of attempts: read the stored file, check every
    row, write the new ones, then delete the file (it holds the association's diary)."""
    path = imports_dir() / job.params["file"]
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise ValidationError({"file": [_("The file is gone: upload it again.")]}) from None
        try:
            checked = attempts_file_check(association=job.association, content=content)
            on_progress(10)
            written = 0

            def on_batch(count):
                nonlocal written
                written += count
                on_progress(10 + round(90 * written / max(len(checked.rows), 1)))

            count = attempts_file_write(
                association=job.association,
                checked=checked,
                filename=job.params.get("filename", ""),
                actor=job.created_by,
                on_batch=on_batch,
            )
        finally:
            path.unlink(missing_ok=True)
    return {"imported": count, "already_there": checked.already_there, "file_kind": FILE_KIND}


# --- The template and the code list the import page offers -----------------------------------

EXAMPLE = {
    "institution_kind": "pub_fed",
    "channel": "phone",
    "result": "line_saturated",
    "waited_minutes": 35,
}


def _example(f: EntryField, language: str):
    if f.kind is Kind.DATE:
        return timezone.localdate().isoformat()
    value = EXAMPLE.get(f.name)
    if value is None:
        return ""
    if f.kind is Kind.CODE:
        return get_taxonomy().label(f.section, value, language)
    return value


def attempts_import_template(language: str) -> ExportFile:
    """A CSV file of attempts to fill in: the header in the user's language and one example
    row, labels where the diary holds codes. Semicolons and a BOM: Excel opens it as it is."""
    with translation.override(language):
        header = [str(f.label) for f in IMPORTED]
        example = [_example(f, language) for f in IMPORTED]
        name = _("import-template-attempts")
    return ExportFile(
        f"{name}.csv", csv_bytes(Sheet("", header, [example]), separator=";", bom=True)
    )


def attempts_import_code_list(language: str) -> ExportFile:
    """The codes a column of the attempts file takes, with their labels in three languages."""
    taxonomy = get_taxonomy()
    with translation.override(language):
        header = [_("Column"), _("Field"), _("Code"), "fr", "nl", "en"]
        rows = [
            [str(f.label), f.name, c.code, *(c.labels[lang] for lang in LANGUAGES)]
            for f in IMPORTED
            if f.section
            for c in taxonomy.sections[f.section]
        ]
        name = _("import-codes-attempts")
    return ExportFile(f"{name}.csv", csv_bytes(Sheet("", header, rows), separator=";", bom=True))
