"""培训覆盖: QD-02 in 2026 on the hand-counted fixture of test_api.py (see its docstring):
population 2, met 1 (M001 21.0 h), 50.00%; QD-02-01 holds M001 (S2 hosted there), QD-02-02 holds
M002 (1.5 h, no session hosted); months 03 (S1: 1 session, 2 participant-times) and 06 (S2: 1,
1); hours by kind 专题讲座 18.0, 年度培训 3.0 + 1.5 = 4.5; M002 is at risk (18.5 h missing with
at most one month left); M002 took a case on 2026-02-01 without pre-service training."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from tests.admin.scope_checks import xlsx_text
from tests.admin.training.test_api import year  # noqa: F401

URL = "/admin/training/coverage/"


@pytest.fixture
def figures(year, people, network, make_case):  # noqa: F811
    make_case(network["room2"], people["m2"], dt.date(2026, 2, 1))


def rows(page: str, table: str) -> list[list[str]]:
    body = page.split(f'id="table-{table}"')[1].split("</table>")[0].split("<tbody>")[1]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_drill_down_figures(figures, auth):
    auth.login("t02")
    page = auth.client.get(f"{URL}?org=QD-02&year=2026").get_data(as_text=True)
    assert rows(page, "units") == [
        ["中山路工作室", "1", "1", "100.00%", "1", "1", "21.0"],
        ["八大峡工作室", "1", "0", "0.00%", "0", "0", "1.5"]]
    assert 'href="/admin/training/coverage/?org=QD-02-01&amp;year=2026"' in page
    months = {r[0]: r[1:] for r in rows(page, "months")}
    assert (months["2026-03"], months["2026-06"], months["2026-01"]) == (
        ["1", "2"], ["1", "1"], ["0", "0"])
    assert rows(page, "kinds") == [["专题讲座", "18.0"], ["年度培训", "4.5"]]
    assert [r[0] for r in rows(page, "risk")] == ["M002"]
    assert [r[:4] for r in rows(page, "preservice")] == [["M002", "王二", "QD-02-02",
                                                          "2026-02-01"]]
    assert [r[0] for r in rows(page, "people")] == ["M001", "M002"]
    # each 工号 opens that mediator's 培训档案
    people = page.split('id="table-people"')[1].split("</table>")[0]
    from org.models import Mediator

    link = f'/admin/training/record/?mediator={Mediator.get(staff_no="M001").id}'
    assert f'href="{link}"' in people
    assert "M001" in auth.client.get(link).get_data(as_text=True)  # the coordinator may open it
    assert "50.00%" in page.split('id="coverage-figures"')[1]
    options = json.loads(page.split('id="coverage-data" type="application/json">')[1]
                         .split("</script>")[0])
    axis = options["units"]["xAxis"]
    assert (axis[0] if isinstance(axis, list) else axis)["name"] == "%"  # a rate, not 件


def test_xlsx_twin(figures, auth):
    auth.login("t02")
    response = auth.client.get(f"{URL}export.xlsx?table=units&org=QD-02&year=2026")
    assert response.status_code == 200
    text = xlsx_text(response.data)
    assert "八大峡工作室" in text
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    room1 = {sheet.cell(1, c.column).value: c for c in sheet[2]}
    assert room1["机构"].value == "中山路工作室"
    rate, hours = room1["覆盖率"], room1["学时"]
    assert (rate.data_type, rate.number_format, rate.value) == ("n", "0.00%", 1.0)
    assert (hours.data_type, hours.value) == ("n", 21.0)
    people = load_workbook(io.BytesIO(auth.client.get(
        f"{URL}export.xlsx?table=preservice&org=QD-02&year=2026").data)).worksheets[0]
    first_case = people.cell(2, 4)  # M002's first case, 2026-02-01: a date cell
    assert first_case.is_date and first_case.value.date() == dt.date(2026, 2, 1)
    assert auth.client.get(f"{URL}export.xlsx?table=nope&org=QD-02").status_code == 404


def test_refusals(figures, auth):
    auth.login("t02")
    for url in (f"{URL}?org=QD-11", f"{URL}?org=QD", f"{URL}export.xlsx?table=people&org=QD-11",
                f"{URL}export.xlsx?table=units&org=QD"):
        assert auth.client.get(url).status_code == 404, url
    assert auth.client.get(f"{URL}?org=QD-99").status_code == 404
    assert auth.client.get(f"{URL}?org=QD-02&year=abc").status_code == 400
    page = auth.client.get(URL).get_data(as_text=True)  # the coordinator's own subtree
    assert "市南区工作站" in page and "黄三" not in page


def test_mediator_is_refused(figures, auth):
    auth.login("med1")
    assert auth.client.get(f"{URL}?org=QD-02-01").status_code == 403
