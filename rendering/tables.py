"""Tables as CSV (UTF-8, CRLF line ends) and XLSX (typed cells).

Two CSV dialects: `PLAIN`, for other software (comma, dot decimal, ISO dates, the stable
codes as header), and `EXCEL_BE`, the file Excel opens directly in French- and
Dutch-speaking Belgium (semicolon, decimal comma, dd/mm/yyyy, a BOM so it reads UTF-8, the
header in people's words)."""

import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

# Text starting with one of these is run as a formula by spreadsheet programs.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# How a date cell shows in the workbook: as people in Belgium read dates.
XLSX_DATE_FORMAT = "DD/MM/YYYY"


@dataclass
class Sheet:
    title: str
    # The stable codes of the columns: the header of the plain CSV, what software reads.
    header: list[str]
    rows: list[list]
    # Columns holding fractions, shown as percentages in XLSX (the value stays the fraction).
    share_columns: tuple[str, ...] = ()
    # The columns in people's words (same order as `header`): the header of the workbook and
    # of the Excel CSV. Without them, the codes serve.
    labels: list[str] | None = None

    @property
    def people_header(self) -> list[str]:
        return [str(label) for label in self.labels] if self.labels else list(self.header)


@dataclass(frozen=True)
class CsvDialect:
    separator: str = ","
    bom: bool = False
    decimal: str = "."
    date_format: str = "%Y-%m-%d"
    # The header in people's words (`Sheet.labels`) rather than the codes.
    labelled: bool = False


PLAIN = CsvDialect()
EXCEL_BE = CsvDialect(separator=";", bom=True, decimal=",", date_format="%d/%m/%Y", labelled=True)


# Either separator may split a cell: Excel in French- and Dutch-speaking Belgium reads CSV
# with semicolons, so a comma file's unquoted "x;=cmd" becomes a formula in its second cell.
_SEPARATORS = re.compile(r"([,;])")
_NEEDS_QUOTES = (",", ";", '"', "\n", "\r")


def _guard(piece: str) -> str:
    stripped = piece.lstrip(" ")
    if stripped.startswith(DANGEROUS_PREFIXES):
        return piece[: len(piece) - len(stripped)] + "'" + stripped
    return piece


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets an apostrophe before it (CSV), at
    the start of the cell and after every comma or semicolon in it, since a program reading
    the file with the other separator starts a cell there.

    Institution names are typed by users; `=HYPERLINK(...)` must stay text. Numbers are
    never touched: a negative number is a number, not a formula."""
    if not isinstance(value, str):
        return value
    return "".join(_guard(piece) for piece in _SEPARATORS.split(value))


def _csv_cell(value, dialect: CsvDialect) -> str:
    if isinstance(value, bool) or value is None:
        text = "" if value is None else str(value)
    elif isinstance(value, int | float | Decimal):
        # A number is written bare, even with a decimal comma: Excel reads a bare "12,5" as
        # a number where the locale's separator is the comma, and a number holds no formula.
        return str(value).replace(".", dialect.decimal)
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime(dialect.date_format)
    else:
        text = str(neutralise(value))
    if any(mark in text for mark in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_bytes(sheet: Sheet, dialect: CsvDialect = PLAIN, **changes) -> bytes:
    """The sheet as CSV in `dialect` (a field of it may be changed by keyword, e.g.
    `separator=";"`). Every text cell holding either separator, a quote or a line break is
    quoted, whichever separator the file uses, so it reads the same split either way."""
    dialect = dataclasses.replace(dialect, **changes) if changes else dialect
    header = sheet.people_header if dialect.labelled else sheet.header
    lines = [
        dialect.separator.join(_csv_cell(v, dialect) for v in row)
        for row in [[str(name) for name in header], *sheet.rows]
    ]
    text = "".join(line + "\r\n" for line in lines)
    return ("\ufeff" if dialect.bom else "").encode("utf-8") + text.encode("utf-8")


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook with a bold header row in people's words on each sheet (frozen, with a
    filter) and typed cells: numbers are numbers, dates are dates, text is text (never a
    formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        worksheet.freeze_panes = "A2"
        if sheet.header:
            last = get_column_letter(len(sheet.header))
            worksheet.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
        header = []
        for name in sheet.people_header:
            cell = WriteOnlyCell(worksheet, value=name)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        share_indexes = {sheet.header.index(c) for c in sheet.share_columns}
        for row in sheet.rows:
            # Plain values are written as they are (a cell object per value costs ten times
            # more on a 100,000-row log); only text that would be read as a formula, dates
            # and shares that need a number format get a cell of their own.
            cells = list(row)
            for index, value in enumerate(cells):
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.data_type = "s"  # text, never a formula
                    cells[index] = cell
                elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.number_format = XLSX_DATE_FORMAT
                    cells[index] = cell
                elif index in share_indexes and value is not None:
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.number_format = "0.0%"
                    cells[index] = cell
            worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
