"""The one XLSX writer of every export (network/sheets.py)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from network.sheets import AMOUNT_FORMAT, DATE_FORMAT, Rate, write_table


def test_rows_keep_their_values_and_formats():
    book = Workbook()
    write_table(book.active, ["编号", "金额", "日期", "比率"],
                [["A1", Decimal("12.346"), dt.date(2025, 3, 1), Rate(0.5)],
                 ["=1+1", None, None, None]], formats={3: AMOUNT_FORMAT})
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[2]] == ["A1", 12.35, dt.datetime(2025, 3, 1), 0.5]
    assert [c.number_format for c in sheet[2][1:]] == [AMOUNT_FORMAT, DATE_FORMAT,
                                                       AMOUNT_FORMAT]  # the override
    assert sheet["A3"].value == "'=1+1"
    assert sheet.freeze_panes == "B2"


def test_writing_rows_never_scans_the_sheet(monkeypatch):
    """`max_row` walks every cell: read once per row it made a 6,700-row export take 20 s."""
    reads = []
    original = Worksheet.max_row

    def counted(self):
        reads.append(1)
        return original.fget(self)

    monkeypatch.setattr(Worksheet, "max_row", property(counted))
    for rows in (10, 1000):
        reads.clear()
        write_table(Workbook().active, ["a", "b"], [[i, f"x{i}"] for i in range(rows)])
        if rows == 10:
            few = len(reads)
    assert len(reads) == few <= 3
