"""The statistical report: rows per child, total == kpis(), type breakdown, periods."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from .q1_ledger import q1_ledger  # noqa: F401


def _rows(sheet) -> dict[str, list]:
    """{name: row values} of the data rows (below the header on row 3)."""
    return {row[1]: list(row) for row in sheet.iter_rows(min_row=4, values_only=True)}


def _book(org, text):
    from evaluation.periods import parse_period
    from evaluation.report import build_report

    buffer = io.BytesIO()
    build_report(org, parse_period(text)).save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def test_quarter_report_of_a_county_by_hand(q1_ledger):  # noqa: F811
    from evaluation.kpis import kpis

    book = _book(q1_ledger["shinan"], "2024Q1")
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[3]][:4] == ["机构编码", "机构名称", "受理数", "结案数"]
    rows = _rows(sheet)
    assert list(rows) == ["中山路工作室", "八大峡工作室", "合计"]  # no QD-11-01, no own row
    # received closed ok fail wd rate amount agreed days online confirmed fulfilment
    assert rows["中山路工作室"][2:] == [6, 6, 5, 1, 0, 0.8333, 9400.0, 5000.0, 7.7, 0, 0, 0.75]
    assert rows["八大峡工作室"][2:] == [2, 1, 0, 1, 0, 0.0, 1000.0, 0.0, 20.0, 0, 0, 0.0]
    assert rows["合计"][2:] == [8, 7, 5, 2, 0, 0.7143, 10400.0, 5000.0, 9.4, 0, 0, 0.75]
    total = kpis(q1_ledger["shinan"], dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert rows["合计"][8] == float(total["amount_involved"])
    assert rows["合计"][2] == total["received"]
    last = sheet.max_row
    assert sheet.cell(row=last, column=9).number_format == "#,##0.00"
    assert sheet.cell(row=last, column=8).number_format == "0.00%"


def test_case_type_sheet(q1_ledger):  # noqa: F811
    sheet = _book(q1_ledger["shinan"], "2024Q1").worksheets[1]
    headers = [c.value for c in sheet[3]]
    rows = _rows(sheet)
    pick = {name: dict(zip(headers, row, strict=True)) for name, row in rows.items()}
    assert pick["中山路工作室"]["个人贷款"] == 1 and pick["中山路工作室"]["信用卡"] == 5
    assert pick["八大峡工作室"]["保险理赔"] == 1 and pick["八大峡工作室"]["信用卡"] == 1
    assert pick["合计"]["合计"] == 8


def test_city_report_has_an_own_row_and_the_total_includes_everything(  # noqa: F811
        q1_ledger, make_mediator, make_case):  # noqa: F811
    from evaluation.kpis import kpis

    city = q1_ledger["city"]
    make_case(city, make_mediator(city), dt.date(2024, 1, 8), dt.date(2024, 1, 9), "调解成功",
              "500.00", "500.00")
    rows = _rows(_book(city, "2024-01").worksheets[0])
    assert list(rows) == ["市南区工作站", "黄岛区工作站", "青岛市中心（本级）", "合计"]
    # January: received and closed 1, 2, 7 (QD-02), 9 (QD-11) and the city's own case
    assert rows["市南区工作站"][2:4] == [3, 3]
    assert rows["黄岛区工作站"][2:4] == [1, 1]
    assert rows["青岛市中心（本级）"][2:4] == [1, 1]
    january = kpis(city, dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert rows["合计"][2:4] == [january["received"], january["closed"]] == [5, 5]
    assert rows["合计"][8] == 15500.0  # 2000 + 2000 + 1000 + 10000 + 500


@pytest.mark.parametrize("text", ["2024Q5", "2024-13", "24", "2024/01", "", "3000"])
def test_bad_periods_are_explained(text):
    from evaluation.periods import parse_period

    with pytest.raises(ValueError) as exc:
        parse_period(text)
    assert "统计期间" in str(exc.value.args[0])


def test_periods():
    from evaluation.periods import parse_period

    p = parse_period("2024Q1")
    assert (p.start, p.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    p = parse_period("2024-02")
    assert (p.start, p.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert parse_period("2025").end == dt.date(2025, 12, 31)
