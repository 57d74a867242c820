"""Importing a log kept elsewhere: a spreadsheet saved as CSV, or the log export of another
instance (the director's "log" export reads back as it is written).

The file is read whole and every row is checked before anything is written: a file with
one bad row writes nothing, and each problem names its line and its column. Entries are then
written through `assistance_requests_bulk_create`, the one door of bulk writes, which marks
the months dirty so the figures follow.
"""

import csv
import datetime as dt
import io
import secrets
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from referrals.models import Institution

from .entry_fields import ENTRY_FIELDS, EntryField, Kind
from .services import assistance_requests_bulk_create, assistance_requests_clean

# The file's columns are the log export's: every exported field of the entry by its name, a
# body by its registry number (`<field>_id`) or else by its exact name (`<field>`).
IMPORTED = tuple(f for f in ENTRY_FIELDS if f.exported)
REQUIRED_COLUMNS = tuple(
    f.name
    for f in IMPORTED
    if (f.required or f.set_by) and f.kind not in (Kind.CODES, Kind.INSTITUTION)
)
# The log export's derived columns (and anything else) are read past: they follow from the rest.
FORMULA_GUARD = ("'=", "'+", "'-", "'@")


def _cell(raw: dict, column: str) -> str:
    value = (raw.get(column) or "").strip()
    # The export writes a leading apostrophe before text a spreadsheet would run as a formula.
    return value[1:] if value.startswith(FORMULA_GUARD) else value


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


class _Institutions:
    """The registry, looked up once per file."""

    def __init__(self):
        self.by_id = {str(i.pk): i for i in Institution.objects.all()}
        self.by_name = {}
        for institution in self.by_id.values():
            self.by_name.setdefault(institution.name.casefold(), institution)

    def find(self, number: str, name: str) -> Institution | None | bool:
        """The institution named, None when no column names one, False when unknown."""
        if number:
            return self.by_id.get(number, False)
        if name:
            return self.by_name.get(name.casefold(), False)
        return None


def _records(reader: csv.DictReader):
    """(line, record) of each row; a row the csv module cannot read (a cell over its size
    limit, a quote never closed) is a refusal naming its line, not a failed job."""
    line = 1
    try:
        for line, record in enumerate(reader, start=2):
            yield line, record
    except csv.Error:
        raise ValidationError(
            {
                f"{line + 1}.file": [
                    _(
                        "This line cannot be read: a cell is longer than %(limit)d characters "
                        "or a quote is not closed."
                    )
                    % {"limit": csv.field_size_limit()}
                ]
            }
        ) from None


def _value(f: EntryField, text: str):
    """One cell as the services take the field; ValueError says what is wrong, as the
    worker reads it."""
    if f.kind is Kind.DATE:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("Enter a valid date (YYYY-MM-DD).")) from None
    if f.kind is Kind.INTEGER:
        if text.isascii() and text.isdigit() and len(text) <= 5:
            return int(text)
        if not text and not f.required:
            return None
        raise ValueError(f.message("invalid"))
    if f.kind is Kind.DECIMAL:
        if not text and not f.required:
            return None
        try:
            # A spreadsheet of a Belgian office writes a decimal comma.
            return Decimal(text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise ValueError(f.message("invalid")) from None
    if f.kind is Kind.CODES:
        # ";" in the log export; "," where the file itself is separated by semicolons.
        codes = text.replace(",", ";").split(";")
        return [code.strip() for code in codes if code.strip()]
    if f.optional_code:
        return text or None
    return text


def log_file_parse(content: bytes) -> list[dict]:
    """The rows of a CSV log as the fields of entries; raise a ValidationError whose keys are
    `<line>.<column>` for every cell that cannot be read."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file must be a CSV file in UTF-8.")]}) from None
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    header = {(name or "").strip() for name in reader.fieldnames or []}
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValidationError(
            {"file": [_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}]}
        )
    institutions = _Institutions()
    rows, errors = [], {}
    for line, raw in _records(reader):
        raw = {(key or "").strip(): value for key, value in raw.items()}
        row = {}
        for f in IMPORTED:
            if f.kind is Kind.INSTITUTION:
                found = institutions.find(_cell(raw, f.attribute), _cell(raw, f.name))
                if found is False:
                    errors[f"{line}.{f.name}"] = [_("Unknown institution.")]
                elif found is not None:
                    row[f.name] = found
            elif f.name in REQUIRED_COLUMNS or f.kind is Kind.CODES or f.name in raw:
                try:
                    row[f.name] = _value(f, _cell(raw, f.name))
                except ValueError as exc:
                    errors[f"{line}.{f.name}"] = [str(exc)]
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


def _by_line(exc: ValidationError) -> ValidationError:
    """The services number rows from 1; in the file, row 1 is line 2 (after the header)."""
    return ValidationError(
        {
            f"{int(position) + 1}.{field}": messages
            for key, messages in exc.message_dict.items()
            for position, field in [key.split(".", 1)]
        }
    )


def log_rows_check(*, association, rows: list[dict]) -> None:
    """Check every row as a save would, writing nothing (a dry run of the import)."""
    try:
        assistance_requests_clean(association, rows)
    except ValidationError as exc:
        raise _by_line(exc) from None


def log_rows_import(
    *, association, rows: list[dict], actor=None, on_batch: Callable[[int], None] | None = None
) -> int:
    """Write the rows of a parsed file, all or none; errors name the file's lines."""
    try:
        return assistance_requests_bulk_create(
            association=association, rows=rows, actor=actor, on_batch=on_batch
        )
    except ValidationError as exc:
        raise _by_line(exc) from None


# --- From the web: the file waits for its job, then is deleted -------------------------------

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def import_file_store(*, association, upload) -> str:
    """Keep an uploaded log until its job reads it; the name is unguessable and the file is
    never served. Returns its path under imports_dir()."""
    if upload is None:
        raise ValidationError({"file": [_("Choose a CSV file.")]})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": [_("The file is too large (20 MB at most): split it by year.")]}
        )
    folder = imports_dir() / str(association.pk)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.csv"
    with (folder / name).open("wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
    return f"{association.pk}/{name}"


def import_job_work(job, on_progress: Callable[[int], None]) -> dict:
    """The body of an import job: read the stored file, check every row, write them all, then
    delete the file (it holds the association's log)."""
    path = imports_dir() / job.params["file"]
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise ValidationError({"file": [_("The file is gone: upload it again.")]}) from None
        try:
            rows = log_file_parse(content)
            on_progress(10)
            written = 0

            def on_batch(count):
                nonlocal written
                written += count
                on_progress(10 + round(90 * written / max(len(rows), 1)))

            count = log_rows_import(
                association=job.association, rows=rows, actor=job.created_by, on_batch=on_batch
            )
        finally:
            # The file holds the association's log: gone once read, whether the import was
            # written, refused or failed (docs/security.md). A failed job asks for a new upload.
            path.unlink(missing_ok=True)
    return {"imported": count}


def imports_expire(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete uploaded logs no job is going to read any more: a job reads and deletes its
    file at once, so what is left a day later belongs to a job that never started."""
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    removed = 0
    for path in imports_dir().glob("*/*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
