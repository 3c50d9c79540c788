"""No export writes a text cell that Excel or WPS would run as a formula (OWASP CSV injection).

Each export is opened as the spreadsheet program would see it: the hostile text comes back
with a leading apostrophe, never as a formula cell, while figures stay numbers.
"""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from network.dates import local_today

HOSTILE_NAME = "=HYPERLINK(\"http://evil.example\",\"点我\")"
HOSTILE_ROOM = "@SUM(1+1)*cmd|' /C calc'!A0"


def xlsx_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_neutralised(cells, hostile: str) -> None:
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell"
    values = [c.value for c in cells]
    assert "'" + hostile in values
    assert hostile not in values


@pytest.mark.parametrize(("value", "shown"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("张三", "张三"), ("a=b", "a=b"), ("", ""),
    ("-12.50", "-12.50"), ("+3", "+3"), (-12, -12), (3.5, 3.5), (None, None),
])
def test_the_one_rule(value, shown):
    from network.cells import safe_cell

    assert safe_cell(value) == shown


@pytest.fixture
def hostile(network, make_org, make_mediator, make_user, auth):
    """A mediator whose name is a formula, in a room whose name is another one."""
    room = make_org("QD-02-09", parent=network["shinan"], name=HOSTILE_ROOM,
                    longitude=120.38, latitude=36.07)
    make_mediator(room, staff_no="S0209", name=HOSTILE_NAME)
    make_user("root", "admin")
    auth.login("root")
    return room


def test_list_exports_csv_and_xlsx(hostile, auth):
    csv_text = auth.client.get("/admin/mediators/export/csv/").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK(" in csv_text
    assert ",=HYPERLINK(" not in csv_text and "\n=HYPERLINK(" not in csv_text
    assert_neutralised(xlsx_cells(auth.client.get("/admin/mediators/export/xlsx/").get_data()),
                       HOSTILE_NAME)


def test_audit_log_export(hostile, auth):
    cells = xlsx_cells(auth.client.get("/admin/audit/export/xlsx/").get_data())
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert f"'{HOSTILE_NAME} (S0209)" in [c.value for c in cells]
    csv_text = auth.client.get("/admin/audit/export/csv/").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK(" in csv_text


def test_xlsx_pages_map_and_dashboard(hostile, auth):
    cells = xlsx_cells(auth.client.get("/admin/map/export.xlsx").get_data())
    assert_neutralised(cells, HOSTILE_ROOM)
    response = auth.client.get("/admin/dashboard/export/children.xlsx?org=QD-02")
    assert response.status_code == 200
    cells = xlsx_cells(response.get_data())
    assert_neutralised(cells, HOSTILE_ROOM)
    assert any(c.data_type == "n" for c in cells), "figures stay numbers"


def test_statistical_report(hostile):
    from evaluation.models import Case  # noqa: F401  (the report reads cases)
    from evaluation.periods import parse_period
    from evaluation.report import build_report
    from network.models import Organization

    shinan = Organization.get(Organization.code == "QD-02")
    buffer = io.BytesIO()
    build_report(shinan, parse_period(str(local_today().year))).save(buffer)
    cells = xlsx_cells(buffer.getvalue())
    assert_neutralised(cells, HOSTILE_ROOM)
    assert any(c.data_type == "n" for c in cells), "figures stay numbers"

