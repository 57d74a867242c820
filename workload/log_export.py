"""The association's own log as a file (CSV or XLSX), one row per entry: what a director
keeps elsewhere or imports into another instance (`cases.imports` reads it back).

Deliberately without the person (not even the pseudonymous code: the figures never need it,
and a file travels), without the worker who logged it (no surveillance of workers) and
without notes (free text may hold identifiers); `selectors.log_entries_for_association`
reads nothing else.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _

from cases.entry_fields import Kind
from organisations.models import Association
from rendering.files import ExportFile
from rendering.tables import Sheet

from . import selectors
from .presentation import TABLE_FORMATS, ExportError, export_language, export_stem, table_file

LOG_FORMATS = TABLE_FORMATS
# The file's columns are the selector's keys, a few under a plainer name.
RENAMED = {
    "pk": "entry_id",
    "is_transferred": "transferred",
    "is_referred_transferred": "referred_transferred",
}
LOG_HEADER = [RENAMED.get(key, key) for key in selectors.LOG_KEYS]
# Codes of a many-valued field share one cell, as `cases.imports` reads them back.
LIST_COLUMNS = tuple(f.name for f in selectors.EXPORTED if f.kind is Kind.CODES)


def log_rows(
    association: Association, period, on_progress: Callable[[int], None] | None = None
) -> list[list]:
    """The log of one association, one row per entry in the order of LOG_HEADER."""

    def on_batch(done: int, total: int) -> None:
        on_progress(round(90 * done / total))

    rows = []
    for entry in selectors.log_entries_for_association(
        association=association, period=period, on_batch=on_batch if on_progress else None
    ):
        for name in LIST_COLUMNS:
            entry[name] = ";".join(entry[name])
        rows.append(list(entry.values()))
    return rows


def log_export(
    *,
    association: Association,
    period,
    fmt: str,
    language: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ExportFile:
    """The log as the plain CSV (the codes as header: what `cases.imports` reads back), the
    Excel CSV or the workbook, these two headed in `language`."""
    language = export_language(language)
    with translation.override(language):
        if fmt not in LOG_FORMATS:
            raise ExportError(
                {"format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(LOG_FORMATS)}]}
            )
        sheet = Sheet(_("Log"), LOG_HEADER, log_rows(association, period, on_progress))
        return table_file(export_stem("log", period, language), fmt, [sheet])
