"""Export workbooks a bureau can file or forward as they are.

Every XLSX the portal hands out (list exports, the map, dashboard tables, nominations,
warnings, the statistical report) is written through `write_table`, so they all agree: money is
a number with two decimals, rates are numbers shown as percentages, dates are date cells,
columns are as wide as their content, the header row stays in view, and text goes through
`safe_cell` (formula injection). `export_book` adds a second sheet that records what produced
the table (unit, period, filters), so a sheet forwarded without its e-mail still says what it is.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .cells import safe_cell

AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 6, 60
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class Rate(float):
    """A fraction (0.8567) that the sheet shows as a percentage (85.67%); a page printing it
    shows the same 85.67%."""

    def __str__(self) -> str:
        return f"{self * 100:.2f}%"


class Percent(Decimal):
    """A percentage as a page's table shows it under a "（%）" header (66.67), which the sheet
    writes as the rate it is (0.6667 shown as 66.67%): one row list serves both."""


def typed(value: Any) -> tuple[Any, str | None]:
    """(cell value, number format) of a Python value: numbers and dates stay typed (Decimal is
    money in this portal: two decimals), anything else is text, neutralised."""
    if value is None or isinstance(value, bool):
        return value, None
    if isinstance(value, Rate):
        return float(value), RATE_FORMAT
    if isinstance(value, Percent):
        return float(Decimal(value) / 100), RATE_FORMAT
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01"))), AMOUNT_FORMAT
    if isinstance(value, (int, float)):
        return value, None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    return safe_cell(str(value)), None


def sheet_title(text: str) -> str:
    """A name Excel accepts: 31 characters at most, none of []:*?/\\."""
    return _SHEET_FORBIDDEN.sub("_", str(text)).strip("'")[:31] or "Sheet1"


def shown_width(value: Any, number_format: str | None) -> int:
    """Columns Excel needs for a cell: wide (CJK) characters count twice."""
    if value is None:
        return 0
    if number_format in (DATE_FORMAT, DATETIME_FORMAT):
        return len(number_format)
    if number_format == AMOUNT_FORMAT:
        text = f"{value:,.2f}"
    elif number_format == RATE_FORMAT:
        text = f"{value * 100:.2f}%"
    else:
        text = str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def fit_widths(sheet, first_row: int = 1) -> None:
    """Every column as wide as its widest cell from `first_row` on (plus a margin)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            width = shown_width(cell.value, cell.number_format)
            widths[cell.column] = max(widths.get(cell.column, 0), width)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = \
            min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def append_typed(sheet, values: Iterable[Any], formats: dict[int, str] | None = None) -> None:
    """One row of typed cells; `formats` ({0-based column: format}) overrides the guess.

    The cells are formatted before they are appended: finding the new row afterwards
    (`sheet.max_row`) scans every cell of the sheet, which made exports quadratic (a county's
    6,700 cases took 20 s, and held a server thread all that time)."""
    row = []
    for column, value in enumerate(values):
        value, number_format = typed(value)
        cell = Cell(sheet, value=value)
        number_format = (formats or {}).get(column, number_format)
        if number_format:
            cell.number_format = number_format
        row.append(cell)
    sheet.append(row)


def write_header(sheet, headers: Sequence[Any]) -> None:
    sheet.append([safe_cell(str(h)) for h in headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")


def write_table(sheet, headers: Sequence[Any], rows: Iterable[Sequence[Any]],
                formats: dict[int, str] | None = None) -> None:
    """Header on the sheet's next row, the rows typed below it, the header frozen (with the
    first column: the code or name that says what a row is) and the widths fitted."""
    write_header(sheet, headers)
    header_row = sheet.max_row
    for row in rows:
        append_typed(sheet, row, formats)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2).coordinate
    fit_widths(sheet, header_row)


def write_notes(sheet, heading: str, notes: Sequence[tuple[str, Any]]) -> None:
    """The conditions a table was produced under, one (label, value) per row."""
    sheet.append([safe_cell(heading)])
    sheet["A1"].font = Font(bold=True)
    for name, value in notes:
        append_typed(sheet, [name, value])
    fit_widths(sheet, 2)


def export_book(title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *,
                notes_title: str, notes: Sequence[tuple[str, Any]],
                formats: dict[int, str] | None = None) -> bytes:
    """The table on a sheet named `title`, the conditions on a second sheet `notes_title`."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    write_table(sheet, headers, rows, formats)
    write_notes(book.create_sheet(sheet_title(notes_title)), notes_title, notes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
