"""Tables as CSV (UTF-8, comma separated, CRLF line ends) and XLSX (typed cells)."""

import csv
import io
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


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV).

    Institution names are typed by users; `=HYPERLINK(...)` must stay text. Numbers are
    never touched: a negative number is a number, not a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def csv_bytes(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")


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
