"""Every XLSX export is a sheet a bureau can use as is: typed numbers and dates, fitted
widths, a frozen header, a sheet named after the list, codes with names, and the conditions
that produced it on a second sheet."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

D = dt.date


@pytest.fixture
def ledger(network, make_mediator, make_case, make_user):
    li = make_mediator(network["room1"], staff_no="S0201", name="李四")
    make_case(network["room1"], li, D(2024, 3, 1), D(2024, 3, 11), "调解成功",
              "12000.50", "9000.00", case_no="IN-0001")
    make_case(network["room1"], li, D(2024, 3, 5), None, "调解中", "800.00", case_no="IN-0002")
    make_case(network["room3"], make_mediator(network["room3"], staff_no="H1101", name="王五"), D(2024, 3, 2), None, "调解中", "5.00", case_no="OUT-0001")
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    return network


def book_of(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.get_data()))


def header_index(sheet, row=1) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[row]}


def notes_of(book) -> dict:
    sheet = book["筛选条件"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_case_list_export_is_typed_and_named(ledger, auth):
    auth.login("m02")
    book = book_of(auth.client.get("/admin/cases/export/xlsx/?flt0_1=2024-03-02"))
    sheet = book.worksheets[0]
    assert sheet.title == "案件"
    assert sheet.freeze_panes == "B2"
    columns = header_index(sheet)
    assert {"机构编码", "机构名称", "调解员工号", "调解员姓名"} <= set(columns)
    rows = list(sheet.iter_rows(min_row=2))
    # Filtered on 受理 from 03-02, in QD-02's subtree: only IN-0002.
    assert len(rows) == 1
    row = rows[0]
    amount = row[columns["标的金额"] - 1]
    assert amount.value == 800.0 and amount.data_type == "n"
    assert amount.number_format == "#,##0.00"
    received = row[columns["受理日期"] - 1]
    assert received.is_date and received.value.date() == D(2024, 3, 5)
    assert row[columns["机构编码"] - 1].value == "QD-02-01"
    assert row[columns["机构名称"] - 1].value == "中山路工作室"
    assert row[columns["调解员姓名"] - 1].value == "李四"
    # The name column is wide enough for 中山路工作室 (6 wide characters = 12 columns).
    letter = row[columns["机构名称"] - 1].column_letter
    assert sheet.column_dimensions[letter].width >= 12
    notes = notes_of(book)
    assert notes["管辖范围"] == "QD-02 市南区工作站"
    assert any(str(k).startswith("受理日期") and v == "2024-03-02" for k, v in notes.items())


def test_unfiltered_export_says_so_and_keeps_formula_guard(ledger, auth, make_mediator):
    make_mediator(ledger["room1"], staff_no="S0299", name="=1+1")
    auth.login("root")
    book = book_of(auth.client.get("/admin/mediators/export/xlsx/"))
    sheet = book.worksheets[0]
    assert sheet.title == "调解员" and sheet.freeze_panes == "B2"
    names = [c.value for c in sheet[1]]
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert "'=1+1" in values and "=1+1" not in values
    assert "机构名称" in names and "中山路工作室" in values
    assert notes_of(book)["筛选条件"] == "无"
    assert notes_of(book)["管辖范围"] == "全部机构"


def test_dashboard_table_export(ledger, auth):
    auth.login("root")
    response = auth.client.get("/admin/dashboard/export/children.xlsx?org=QD-02"
                               "&period=custom&from=2024-03-01&to=2024-03-31")
    book = book_of(response)
    sheet = book.worksheets[0]
    assert sheet.title.startswith("下级机构")
    assert sheet.freeze_panes == "B2"
    columns = header_index(sheet)
    row = {c: sheet.cell(row=2, column=i).value for c, i in columns.items()}
    # QD-02-01: 2 received, 1 closed, succeeded: 100 %.
    assert row["机构编码"] == "QD-02-01" and row["受理数"] == 2 and row["结案数"] == 1
    rate = sheet.cell(row=2, column=columns["调解成功率（%）"])
    assert rate.value == 1.0 and rate.number_format == "0.00%"  # a rate, shown 100.00%
    notes = notes_of(book)
    assert notes["机构"] == "QD-02 市南区工作站"
    assert notes["统计期间"] == "2024-03-01 — 2024-03-31"


def test_report_columns_fit(ledger, auth):
    auth.login("root")
    book = book_of(auth.client.get("/admin/reports/download?org=QD&period=2024-03"))
    sheet = book.worksheets[0]
    # 青岛市中心 … 报表 in A1 must not widen column A: widths count from the header row.
    assert sheet.column_dimensions["B"].width >= 12  # 市南区工作站 is 6 wide characters
    amount = [r for r in sheet.iter_rows(min_row=4) if r[0].value == "QD-02"][0][8]
    # 标的金额 counts the cases closed in the period: IN-0001 only.
    assert amount.value == 12000.5 and amount.number_format == "#,##0.00"


def test_coordinates_keep_their_six_decimals(ledger, auth):
    """Only yuan are 2-place money: a station's 经度/纬度 (6 places) must not be rounded to
    the cent (120.38 is a kilometre off 120.382613)."""
    from network.services import update_org

    update_org(ledger["room1"], {"longitude": "120.382613", "latitude": "36.067105"},
               actor="test", scope=None)
    auth.login("root")
    sheet = book_of(auth.client.get("/admin/stations/export/xlsx/")).worksheets[0]
    columns = header_index(sheet)
    room1 = next(r for r in sheet.iter_rows(min_row=2) if r[columns["机构编码"] - 1].value
                 == "QD-02-01")
    longitude, latitude = room1[columns["经度"] - 1], room1[columns["纬度"] - 1]
    assert (longitude.data_type, longitude.value) == ("n", 120.382613)
    assert latitude.value == 36.067105
    assert longitude.number_format != "#,##0.00"
