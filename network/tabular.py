"""Spreadsheet files in and out: CSV (UTF-8 with or without BOM, GBK/GB18030) and XLSX.

Imports see every file the same way: a list of headers and a stream of (spreadsheet row
number, {header: text}) pairs. Cells come back as text whatever the file stored, because
Excel turns codes such as 370202 or 工号 0012 into numbers and dates into datetimes; the
importers then parse text only. Rows are generated one at a time so a 100k-row file is never
held in memory twice.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cells import safe_row
from .errors import FileProblem, Msg
from .limits import Limits

CSV_EXTENSIONS = (".csv", ".txt")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    """An opened file: its headers and a way to stream its data rows."""

    path: Path
    fmt: str  # "csv" or "xlsx"
    encoding: str | None
    headers: list[str]
    limits: Limits = field(default_factory=Limits)
    _count: int | None = field(default=None, repr=False)

    def _read(self) -> Iterator[tuple[int, list[Any]]]:
        """Every row as read, refused as soon as the file passes a limit (columns in any row,
        cells in all): a hostile file costs a bounded amount before its refusal."""
        limits = self.limits
        width = max(1, len(self.headers))
        if self.fmt == "csv":
            rows = _csv_rows(self.path, self.encoding, limits.max_columns * LINE_PER_COLUMN)
        else:
            rows = _xlsx_rows(self.path, self.encoding)
        for number, cells in rows:
            if len(cells) > width:
                while len(cells) > width and (cells[-1] is None or cells[-1] == ""):
                    cells.pop()
                limits.check_columns(len(cells), number)
            if number % 1024 == 0:
                limits.check_cells(number, width)
            yield number, cells

    def _cells(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cell texts) of each non-blank data row, padded to the headers."""
        width = len(self.headers)
        for number, cells in self._read():
            if number == 1:
                continue
            # CSV cells are always text: strip them without the type ladder of cell_text
            values = ([c.strip() for c in cells] if self.fmt == "csv"
                      else [cell_text(c) for c in cells])
            if not any(values):
                continue
            if len(values) < width:
                values += [""] * (width - len(values))
            yield number, values

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(1-based spreadsheet row number, {header: text}) for each non-blank data row."""
        named = [(i, h) for i, h in enumerate(self.headers) if h]
        for number, values in self._cells():
            yield number, {h: values[i] for i, h in named}

    def count(self) -> int:
        """Number of data rows (one streaming pass, nothing kept; remembered)."""
        if self._count is None:
            self._count = sum(1 for _ in self._cells())
        return self._count

    def scan(self, headers: list[str | tuple[str, ...]]) -> dict[Any, set]:
        """The distinct values of a few columns, in the pass that also counts the rows, so an
        importer can load what the file refers to before reading it for real. A tuple of
        headers scans their values together (an attendance file's (场次, 工号) pairs)."""
        seen: dict[Any, set] = {h: set() for h in headers}
        text = str.strip if self.fmt == "csv" else cell_text
        single = [(seen[h], self.headers.index(h)) for h in headers
                  if isinstance(h, str) and h in self.headers]
        combined = [(seen[h], [self.headers.index(part) for part in h]) for h in headers
                    if isinstance(h, tuple) and all(part in self.headers for part in h)]
        count = 0
        for cells in self._raw_cells():
            count += 1
            for values, index in single:
                values.add(text(cells[index]) if index < len(cells) else "")
            for values, indexes in combined:
                values.add(tuple(text(cells[i]) if i < len(cells) else "" for i in indexes))
        self._count = count
        return seen

    def _raw_cells(self) -> Iterator[list[Any]]:
        """The cells of each non-blank data row as read: for a CSV, blank rows are found with
        one join instead of stripping every cell (the scan reads only a few columns)."""
        if self.fmt != "csv":
            yield from (cells for _, cells in self._cells())
            return
        for number, cells in self._read():
            if number > 1 and "".join(cells).strip():
                yield cells


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: 370202.0 → "370202", a midnight datetime → a date."""
    if type(value) is str:  # every CSV cell: the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _format_of(path: Path, filename: str | None) -> str:
    name = (filename or path.name).lower()
    if name.endswith(XLSX_EXTENSIONS):
        return "xlsx"
    if name.endswith(CSV_EXTENSIONS):
        return "csv"
    with open(path, "rb") as fh:
        if fh.read(4) == ZIP_MAGIC:
            return "xlsx"
    raise FileProblem(Msg("只支持 CSV（.csv）或 Excel（.xlsx）文件"))


def _csv_encoding(path: Path) -> str:
    """utf-8-sig when the whole file decodes as UTF-8 (BOM or not), else GB18030 (⊃ GBK)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


# The longest CSV line read, per column allowed: a line of a million empty cells, or one
# without a line break, is refused after this much instead of being read whole.
LINE_PER_COLUMN = 4096


def _lines(fh: Any, longest: int) -> Iterator[str]:
    while line := fh.readline(longest + 1):
        if len(line) > longest:
            raise FileProblem(Msg("文件中有一行超过%(n)d个字符，不像是表格数据", n=longest))
        yield line


def _csv_rows(path: Path, encoding: str | None,
              longest: int = 200 * LINE_PER_COLUMN) -> Iterator[tuple[int, list[Any]]]:
    try:
        with open(path, encoding=encoding, newline="") as fh:
            yield from enumerate(csv.reader(_lines(fh, longest)), start=1)
    except UnicodeDecodeError as exc:
        raise FileProblem(Msg("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV")) from exc
    except csv.Error as exc:
        raise FileProblem(Msg("CSV 文件格式错误：%(reason)s", reason=str(exc))) from exc


def _xlsx_rows(path: Path, encoding: str | None) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    broken = Msg("Excel 文件已损坏或不是 .xlsx 格式")
    with open(path, "rb") as fh:  # a file object: openpyxl then ignores the file's name
        try:
            book = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:
            # openpyxl reports a damaged archive through whatever its parsers raise (zip,
            # XML, KeyError, ValueError, ...): any of them means the same to the person
            raise FileProblem(broken) from exc
        try:
            if not book.worksheets:
                return
            rows = book.worksheets[0].iter_rows(values_only=True)
            number = 0
            while True:
                try:
                    cells = next(rows)
                except StopIteration:
                    return
                except Exception as exc:  # a damaged sheet, found while reading it
                    raise FileProblem(broken) from exc
                number += 1
                yield number, list(cells)
        finally:
            book.close()


def open_table(path: str | Path, filename: str | None = None,
               limits: Limits | None = None) -> Table:
    """Open a CSV/XLSX file and read its header row; FileProblem when it cannot be used or
    passes the limits (size, an XLSX's unpacked size, columns; cells are counted as it is
    read).

    `filename` is the name the user gave the file (uploads are stored under random names).
    """
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file() or path.stat().st_size == 0:
        raise FileProblem(Msg("文件为空"))
    limits.check_size(path)
    fmt = _format_of(path, filename)
    if fmt == "xlsx":
        limits.check_xlsx(path)
    encoding = _csv_encoding(path) if fmt == "csv" else None
    table = Table(path=path, fmt=fmt, encoding=encoding, headers=[], limits=limits)
    header: list[str] | None = None
    rows = table._read()
    try:
        for number, cells in rows:
            if number == 1:
                header = [cell_text(c).lstrip("\ufeff").strip() for c in cells]
            break
    finally:
        rows.close()
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem(Msg("文件为空或第一行不是表头"))
    table.headers = header
    return table


def write_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """CSV with a BOM, so Excel on Windows shows the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_row(headers))
    writer.writerows([safe_row(cell_text(c) for c in row) for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(headers: list[str], rows: list[list[Any]], title: str = "Sheet1",
               notes: tuple[list[str], list[list[str]]] | None = None) -> bytes:
    """XLSX whose cells are all text-formatted, so Excel keeps codes like 0012 as typed;
    `notes` (headers, rows) becomes a second sheet 说明, which imports never read."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(safe_row(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(cell_text(c) for c in row))
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
        sheet.column_dimensions[letter].number_format = "@"
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = "@"
    if notes is not None:
        _notes_sheet(book.create_sheet("说明"), *notes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _notes_sheet(sheet: Any, headers: list[str], rows: list[list[str]]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, _header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        longest = max(len(str(sheet.cell(row=r, column=index).value or ""))
                      for r in range(1, len(rows) + 2))
        sheet.column_dimensions[letter].width = min(60, max(8, longest * 2 + 2))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
