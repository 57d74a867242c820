"""Importing a log kept elsewhere: a spreadsheet saved as CSV, or the log export of another
instance (the director's "log" export reads back as it is written).

A column is named by the field's name or by its label in French, Dutch or English (the
template's header); a code cell holds the code or its label in any of the three languages,
whatever the case, the accents or the spaces around it.

The file is read whole and every cell of every row is checked, each on its own, before
anything is written: a file with one bad row writes nothing, and the refusal lists every
problem of every line by its line and its column. A file already imported is refused (its
SHA-256 is kept per association); rows that are already in the log, from another file or
typed by hand, are reported and not written twice. Entries are then written through
`assistance_requests_bulk_create`, the one door of bulk writes, which marks the months dirty
so the figures follow.
"""

import csv
import datetime as dt
import hashlib
import io
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from referrals.models import Institution
from rendering.files import ExportFile
from rendering.tables import Sheet, csv_bytes
from taxonomy import LANGUAGES, Code, get_taxonomy

from . import selectors
from .entry_fields import ENTRY_FIELDS, EntryField, Kind, entry_fingerprint
from .services import (
    assistance_request_clean,
    assistance_requests_bulk_create,
    imported_file_record,
)

# The file's columns are the log export's: every exported field of the entry by its name, a
# body by its registry number (`<field>_id`) or else by its exact name (`<field>`).
IMPORTED = tuple(f for f in ENTRY_FIELDS if f.exported)
REQUIRED_COLUMNS = tuple(
    f.name
    for f in IMPORTED
    if (f.required or f.set_by) and f.kind not in (Kind.CODES, Kind.INSTITUTION)
)
REQUIRED_FIELDS = tuple(f for f in IMPORTED if f.name in REQUIRED_COLUMNS)
# The log export's derived columns (and anything else) are read past: they follow from the rest.
FORMULA_GUARD = ("'=", "'+", "'-", "'@")


def _cell(raw: dict, column: str | None) -> str:
    value = (raw.get(column) or "").strip() if column else ""
    # The export writes a leading apostrophe before text a spreadsheet would run as a formula.
    return value[1:] if value.startswith(FORMULA_GUARD) else value


def normalise(text: str) -> str:
    """A label as it is compared: without accents, case, typographic apostrophes or runs of
    spaces ("  Téléphone " and "telephone" are one)."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def _dialect(text: str):
    """The separator of the header line. A semicolon or a tab wins over a comma: a label of the
    header may hold a comma ("Frais, amendes…"), never a semicolon or a tab."""
    header = text.split("\n", 1)[0]
    delimiter = next((d for d in (";", "\t") if d in header), ",")
    return type("Dialect", (csv.excel,), {"delimiter": delimiter})


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


class CodeIndex:
    """The codes of one taxonomy section, found by the code or by a label in fr, nl or en.
    A code wins over a label that reads like it; a label two codes share names neither."""

    def __init__(self, codes: Iterable[Code]):
        codes = list(codes)
        self.by_text: dict[str, set[str]] = {normalise(c.code): {c.code} for c in codes}
        labels: dict[str, set[str]] = {}
        for c in codes:
            for label in c.labels.values():
                labels.setdefault(normalise(label), set()).add(c.code)
        for text, found in labels.items():
            self.by_text.setdefault(text, found)

    def find(self, text: str) -> str:
        found = self.by_text.get(normalise(text))
        if not found:
            raise ValueError(
                _("“%(value)s” is neither a code nor a label of this list (see the code list).")
                % {"value": text}
            )
        if len(found) > 1:
            raise ValueError(
                _("“%(value)s” is the label of several codes (%(codes)s): write the code.")
                % {"value": text, "codes": ", ".join(sorted(found))}
            )
        return next(iter(found))

    def find_many(self, text: str) -> list[str]:
        """Codes separated by ";" (the log export), or by "," where the file itself is
        separated by semicolons; a label holding a comma is read whole first."""
        codes = []
        for piece in (p.strip() for p in text.split(";")):
            if not piece:
                continue
            if normalise(piece) in self.by_text or "," not in piece:
                codes.append(self.find(piece))
            else:
                codes.extend(self.find(p.strip()) for p in piece.split(",") if p.strip())
        return codes


def _code_indexes(fields=IMPORTED) -> dict[str, CodeIndex]:
    taxonomy = get_taxonomy()
    return {f.section: CodeIndex(taxonomy.sections[f.section]) for f in fields if f.section}


def _labels(f: EntryField) -> set[str]:
    labels = set()
    for language in LANGUAGES:
        with translation.override(language):
            labels.add(str(f.label))
    return labels


def _header_names(fields=IMPORTED, aliases=None) -> dict[str, tuple[EntryField, bool]]:
    """The names a column may go by: the field's name or label in fr, nl or en, or for a body
    `<field>_id`, its number in the registry. The value says the field and whether the
    column holds a number."""
    names = {}
    for f in fields:
        for name in (f.name, *sorted(_labels(f))):
            names.setdefault(normalise(name), (f, False))
        if f.kind is Kind.INSTITUTION:
            names[normalise(f.attribute)] = (f, True)
    by_name = {f.name: f for f in fields}
    for alias, name in (aliases or {}).items():
        names.setdefault(normalise(alias), (by_name[name], False))
    return names


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    # A spreadsheet of a Belgian office writes 06/10/2026.
    day, _slash, rest = text.partition("/")
    month, _slash, year = rest.partition("/")
    try:
        if len(year) != 4 or not (day + month + year).isdigit():
            raise ValueError
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(_("Enter a valid date (YYYY-MM-DD).")) from None


def _belgian_decimal(text: str) -> str:
    """An amount as a spreadsheet of a Belgian office writes it: a decimal comma, points or
    spaces (plain or non-breaking) between the thousands, a euro sign ("1.234,50 €")."""
    text = "".join(c for c in text if not c.isspace()).removesuffix("€").removeprefix("€")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text


def _value(f: EntryField, text: str, codes: dict[str, CodeIndex]):
    """One cell as the services take the field; ValueError says what is wrong, as the
    worker reads it. An empty cell is left to the services (required or not)."""
    if f.kind is Kind.CODES:
        return codes[f.section].find_many(text)
    if not text:
        return "" if f.kind is Kind.CODE and not f.optional_code else None
    if f.kind is Kind.DATE:
        return _parse_date(text)
    if f.kind is Kind.INTEGER:
        if text.isascii() and text.isdigit() and len(text) <= 5:
            return int(text)
        raise ValueError(f.message("invalid"))
    if f.kind is Kind.DECIMAL:
        try:
            return Decimal(_belgian_decimal(text))
        except InvalidOperation:
            raise ValueError(f.message("invalid")) from None
    if f.kind is Kind.CODE:
        return codes[f.section].find(text)
    return text


class _Problems:
    """Every problem of the file, each keyed `<line>.<column>` as the file names the column."""

    def __init__(self):
        self.by_key: dict[str, list[str]] = {}

    def add(self, line: int | None, column: str, message: str) -> None:
        key = f"{line}.{column}" if line else column
        self.by_key.setdefault(key, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.by_key:
            raise ValidationError(dict(sorted(self.by_key.items(), key=_line_first)))


def _line_first(item) -> tuple:
    line, _dot, _column = item[0].partition(".")
    return (int(line) if line.isdigit() else 0,)


@dataclass
class _Parsed:
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    # Per line, the fields whose cell could not be read (the services do not judge them again).
    unreadable: list[set[str]] = field(default_factory=list)
    # Per line, the column of the file that held each field.
    columns: list[dict[str, str]] = field(default_factory=list)
    problems: _Problems = field(default_factory=_Problems)


def _column_name(f: EntryField) -> str:
    return f"{f.label} ({f.name})"


def file_parse(content: bytes, fields=IMPORTED, required=REQUIRED_FIELDS, aliases=None) -> _Parsed:
    """Read a CSV file's rows as the given fields (the log's entries unless told otherwise):
    a column is named by a field's name, its label in fr, nl or en, or an alias of it."""
    parsed = _Parsed()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file must be a CSV file in UTF-8.")]}) from None
    reader = csv.reader(io.StringIO(text), dialect=_dialect(text))
    try:
        header = next(reader, [])
    except csv.Error:
        header = []
    names = _header_names(fields, aliases)
    value_column: dict[str, str] = {}  # field -> the file's column holding its value
    number_column: dict[str, str] = {}  # body field -> the file's column holding its number
    positions: dict[str, int] = {}
    for position, title in enumerate(header):
        title = title.strip()
        found = names.get(normalise(title))
        if found is None:
            continue  # a derived column of the log export, or a column of the user's own
        f, is_number = found
        chosen = number_column if is_number else value_column
        if f.name not in chosen:
            chosen[f.name] = title
            positions[title] = position
    missing = [f for f in required if f.name not in value_column]
    if missing:
        raise ValidationError(
            {
                "file": [
                    _("Columns missing: %(columns)s.")
                    % {"columns": ", ".join(_column_name(f) for f in missing)}
                ]
            }
        )
    institutions = _Institutions()
    codes = _code_indexes(fields)
    line = 1
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line a spreadsheet leaves at the end
            raw = {title: cells[i] if i < len(cells) else "" for title, i in positions.items()}
            _parse_row(parsed, line, raw, value_column, number_column, institutions, codes, fields)
    except csv.Error:
        parsed.problems.add(
            line + 1,
            _("file"),
            _(
                "This line cannot be read: a cell is longer than %(limit)d characters "
                "or a quote is not closed."
            )
            % {"limit": csv.field_size_limit()},
        )
    return parsed


def header_fits(head: bytes, fields=IMPORTED, required=REQUIRED_FIELDS, aliases=None) -> bool:
    """Whether the first line of a file names every required column of these fields: how an
    upload of one kind of file is told from the other."""
    text = head.decode("utf-8-sig", errors="replace").split("\n", 1)[0]
    header = next(csv.reader([text], dialect=_dialect(text)), [])
    names = _header_names(fields, aliases)
    found = {names[normalise(title)][0].name for title in header if normalise(title) in names}
    return all(f.name in found for f in required)


def _parse_row(parsed, line, raw, value_column, number_column, institutions, codes, fields) -> None:
    row, unreadable, columns = {}, set(), {}
    for f in fields:
        column = value_column.get(f.name)
        columns[f.name] = column or str(f.label)
        if f.kind is Kind.INSTITUTION:
            number = _cell(raw, number_column.get(f.name))
            if number:
                columns[f.name] = number_column[f.name]
            found = institutions.find(number, _cell(raw, column))
            if found is False:
                parsed.problems.add(line, columns[f.name], _("Unknown institution."))
                unreadable.add(f.name)
            elif found is not None:
                row[f.name] = found
        elif column is not None:
            try:
                row[f.name] = _value(f, _cell(raw, column), codes)
            except ValueError as exc:
                parsed.problems.add(line, column, str(exc))
                unreadable.add(f.name)
    parsed.rows.append(row)
    parsed.lines.append(line)
    parsed.unreadable.append(unreadable)
    parsed.columns.append(columns)


def log_file_parse(content: bytes) -> list[dict]:
    """The rows of a CSV log as the fields of entries; raise a ValidationError whose keys are
    `<line>.<column>` for every cell that cannot be read."""
    parsed = file_parse(content)
    parsed.problems.raise_if_any()
    return parsed.rows


def content_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class CheckedFile:
    """A file every row of which can be written: the rows new to the log, and the lines of
    those already in it."""

    content_sha256: str
    rows: list[dict]
    lines: list[int]
    already_there: list[int]


def already_imported(association, digest: str) -> None:
    known = selectors.imported_file_for_association(association=association, content_sha256=digest)
    if known is not None:
        day = formats.date_format(timezone.localtime(known.imported_at), "DATE_FORMAT")
        raise ValidationError(
            {"file": [_("This file was already imported on %(date)s.") % {"date": day}]}
        )


def log_file_check(*, association, content: bytes) -> CheckedFile:
    """Read and check a whole file as a save would, writing nothing; raise one ValidationError
    listing every problem of every line (`<line>.<column>`), or the file's own refusal."""
    digest = content_sha256(content)
    already_imported(association, digest)
    parsed = file_parse(content)
    cleaned = rows_check(association, parsed, IMPORTED, assistance_request_clean)
    if not cleaned:
        raise ValidationError({"file": [_("The file holds no entry.")]})
    return CheckedFile(digest, *_new_rows(association, cleaned, parsed.lines))


def rows_check(association, parsed: _Parsed, fields, clean: Callable) -> list[dict]:
    """Every row of a read file checked by the service's `clean(association, data)`, each
    problem added to the file's by its line and column; raise them all at once."""
    problems = parsed.problems
    cleaned = []
    for row, line, unreadable, columns in zip(
        parsed.rows, parsed.lines, parsed.unreadable, parsed.columns, strict=True
    ):
        # A cell that could not be read is judged once, by the reader; the kind a body sets
        # is not asked for when the body itself was not found.
        skip = unreadable | {f.name for f in fields if f.set_by in unreadable}
        try:
            cleaned.append(clean(association, {k: v for k, v in row.items() if k not in skip}))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name not in skip:
                    for message in messages:
                        problems.add(line, columns.get(name, name), message)
    problems.raise_if_any()
    return cleaned


def _new_rows(association, cleaned: list[dict], lines: list[int]):
    """The rows not in the log yet, their lines, and the lines of the rows already there. A
    row counts as there as many times as the log holds entries like it."""
    days = [row["occurred_on"] for row in cleaned]
    existing = selectors.entry_fingerprints_for_association(
        association=association, first_day=min(days), last_day=max(days)
    )
    return rows_split_by_existing(cleaned, lines, existing, entry_fingerprint)


def rows_split_by_existing(cleaned: list[dict], lines: list[int], existing, fingerprint):
    """The rows whose fingerprint `existing` (a Counter of what is stored) does not hold yet,
    their lines, and the lines of the others: each stored row accounts for one file row."""
    rows, new_lines, already_there = [], [], []
    for row, line in zip(cleaned, lines, strict=True):
        key = fingerprint(row)
        if existing[key] > 0:
            existing[key] -= 1
            already_there.append(line)
        else:
            rows.append(row)
            new_lines.append(line)
    return rows, new_lines, already_there


def log_file_write(
    *,
    association,
    checked: CheckedFile,
    filename: str = "",
    actor=None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Write a checked file's new rows and remember the file, in one transaction."""
    with transaction.atomic():
        imported_file_record(
            association=association,
            content_sha256=checked.content_sha256,
            filename=filename,
            actor=actor,
            entries_imported=len(checked.rows),
            rows_already_there=len(checked.already_there),
        )
        try:
            return assistance_requests_bulk_create(
                association=association, rows=checked.rows, actor=actor, on_batch=on_batch
            )
        except ValidationError as exc:
            raise by_line(exc, checked.lines) from None


def by_line(exc: ValidationError, lines: list[int]) -> ValidationError:
    """The services number rows from 1; the file names them by their line."""
    return ValidationError(
        {
            f"{lines[int(position) - 1]}.{name}": messages
            for key, messages in exc.message_dict.items()
            for position, name in [key.split(".", 1)]
        }
    )


def problem_lines(exc: ValidationError) -> list[str]:
    """A refusal as a terminal prints it: `line 3, column channel: …`, one problem a line."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    lines = []
    for key, messages in exc.message_dict.items():
        line, _dot, column = key.partition(".")
        for message in messages:
            if line.isdigit() and column:
                lines.append(
                    _("line %(line)s, column %(column)s: %(message)s")
                    % {"line": line, "column": column, "message": message}
                )
            else:
                lines.append(message)
    return lines


# --- The template and the code list the import page offers -----------------------------------

EXAMPLE = {
    "duration_minutes": 30,
    "channel": "on_site",
    "procedure_domain": "tax.pit_return",
    "referrer_kind": "cpas",
    "responsible_kind": "pub_fed",
    "barriers": ["itsme"],
    "mode": "do_with",
    "outcome": "resolved",
    "consent": "oral",
}


def _example(f: EntryField, language: str):
    taxonomy = get_taxonomy()
    if f.kind is Kind.DATE:
        return timezone.localdate().isoformat()
    value = EXAMPLE.get(f.name)
    if value is None:
        return ""
    if f.kind is Kind.CODE:
        return taxonomy.label(f.section, value, language)
    if f.kind is Kind.CODES:
        return "; ".join(taxonomy.label(f.section, code, language) for code in value)
    return value


def import_template(language: str) -> ExportFile:
    """A CSV file to fill in: the header in the user's language and one example row, with
    labels where the log holds codes. Semicolons and a BOM: Excel opens it as it is."""
    with translation.override(language):
        header = [str(f.label) for f in IMPORTED]
        example = [_example(f, language) for f in IMPORTED]
        name = _("import-template")
    return ExportFile(
        f"{name}.csv", csv_bytes(Sheet("", header, [example]), separator=";", bom=True)
    )


def import_code_list(language: str) -> ExportFile:
    """The codes a code column takes, with their labels in the three languages."""
    taxonomy = get_taxonomy()
    with translation.override(language):
        header = [_("Column"), _("Field"), _("Code"), "fr", "nl", "en"]
        rows = [
            [str(f.label), f.name, c.code, *(c.labels[lang] for lang in LANGUAGES)]
            for f in IMPORTED
            if f.section
            for c in taxonomy.sections[f.section]
        ]
        name = _("import-codes")
    return ExportFile(f"{name}.csv", csv_bytes(Sheet("", header, rows), separator=";", bom=True))


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
    """The body of an import job: read the stored file, check every row, write the new ones,
    then delete the file (it holds the association's log)."""
    path = imports_dir() / job.params["file"]
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise ValidationError({"file": [_("The file is gone: upload it again.")]}) from None
        try:
            checked = log_file_check(association=job.association, content=content)
            on_progress(10)
            written = 0

            def on_batch(count):
                nonlocal written
                written += count
                on_progress(10 + round(90 * written / max(len(checked.rows), 1)))

            count = log_file_write(
                association=job.association,
                checked=checked,
                filename=job.params.get("filename", ""),
                actor=job.created_by,
                on_batch=on_batch,
            )
        finally:
            # The file holds the association's log: gone once read, whether the import was
            # written, refused or failed (docs/security.md). A failed job asks for a new upload.
            path.unlink(missing_ok=True)
    return {"imported": count, "already_there": checked.already_there}


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
