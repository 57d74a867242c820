"""Tables as CSV (UTF-8, CRLF line ends; comma separated, or semicolon separated with a BOM
for Excel in Belgium) and XLSX (typed cells)."""

import io
import re
from dataclasses import dataclass

# Text starting with one of these is run as a formula by spreadsheet programs.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list]
    # Columns holding fractions, shown as percentages in XLSX (the value stays the fraction).
    share_columns: tuple[str, ...] = ()


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


def _csv_cell(value) -> str:
    text = "" if value is None else str(neutralise(value))
    if any(mark in text for mark in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_bytes(sheet: Sheet, *, separator: str = ",", bom: bool = False) -> bytes:
    """The sheet as CSV. Every cell holding either separator, a quote or a line break is
    quoted, whichever separator the file uses, so it reads the same split either way.
    `separator=";", bom=True` is the file Excel opens directly in Belgium."""
    lines = [separator.join(_csv_cell(v) for v in row) for row in [sheet.header, *sheet.rows]]
    text = "".join(line + "\r\n" for line in lines)
    return ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook with a bold header row on each sheet and typed cells: numbers are numbers,
    text is text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        header = []
        for name in sheet.header:
            cell = WriteOnlyCell(worksheet, value=name)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        share_indexes = {sheet.header.index(c) for c in sheet.share_columns}
        for row in sheet.rows:
            # Plain values are written as they are (a cell object per value costs ten times
            # more on a 100,000-row log); only text that would be read as a formula and
            # shares that need a number format get a cell of their own.
            cells = list(row)
            for index, value in enumerate(cells):
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.data_type = "s"  # text, never a formula
                    cells[index] = cell
                elif index in share_indexes and value is not None:
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.number_format = "0.0%"
                    cells[index] = cell
            worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
