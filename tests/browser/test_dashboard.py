"""The dashboard in a browser: charts render offline, a click on a child's bar drills down a
level with the same period, and a table downloads as XLSX with the hand-counted figures."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import log_in

D = dt.date
Q1 = "period=custom&from=2024-01-01&to=2024-03-31"


def add_case(no, station, mediator, received, closed=None, result="调解中", agreed=None):
    from evaluation.services import create_case

    create_case({"case_no": no, "station": station, "mediator": mediator, "received": received,
                 "closed": closed, "dispute_type": "信用卡", "amount_involved": "1000",
                 "agreed_amount": agreed, "result": result, "method": "线下",
                 "source": "当事人申请", "judicial_confirmed": "否", "fulfilment": None},
                actor="test", scope=None)


@pytest.fixture
def shinan_cases(network, make_mediator, make_user):
    """Q1 2024 under 市南区: room1 receives 3 (2 closed, 1 succeeded), room2 receives 1 (open)."""
    m1, m2 = make_mediator(network["room1"]), make_mediator(network["room2"])
    add_case("B1", network["room1"], m1, D(2024, 1, 10), D(2024, 1, 20), "调解成功", "10")
    add_case("B2", network["room1"], m1, D(2024, 2, 10), D(2024, 2, 20), "调解不成功")
    add_case("B3", network["room1"], m1, D(2024, 3, 10))
    add_case("B4", network["room2"], m2, D(2024, 3, 11))
    make_user("shinan", role="manager", organization="QD-02")
    return network


def chart_ready(page, box_id: str) -> bool:
    """The box holds a live ECharts instance with a canvas (after the page's script ran)."""
    page.wait_for_selector(f"#{box_id}[data-ready]", state="attached")
    return page.evaluate(
        "id => { const el = document.getElementById(id);"
        " const chart = el && echarts.getInstanceByDom(el);"
        " return !!chart && el.querySelector('canvas') !== null; }", box_id)


def test_dashboard_renders_drills_down_and_exports(page, shinan_cases, tmp_path):
    log_in(page, "shinan", PASSWORD)
    page.goto(f"/admin/dashboard/?{Q1}")
    expect(page.locator("#dash-org")).to_have_text("市南区工作站")
    expect(page.locator("#card-received .value")).to_have_text("4")
    expect(page.locator("#chart-children[data-ready]")).to_have_count(1)
    for box in ("chart-trend", "chart-children", "chart-types", "chart-methods",
                "chart-sources"):
        assert chart_ready(page, box), box

    with page.expect_download() as info:
        page.click("#export-children")
    download = info.value
    assert download.suggested_filename.startswith("下级机构_市南区工作站_2024-01-01_2024-03-31")
    path = tmp_path / "children.xlsx"
    download.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [r[1:5] for r in rows[1:]] == [("QD-02-01", 3, 2, 1), ("QD-02-02", 1, 0, 0)]

    # Click on 中山路工作室's bars in the canvas: the chart's click handler drills down.
    point = page.evaluate(
        "() => { const el = document.getElementById('chart-children');"
        " const chart = echarts.getInstanceByDom(el);"
        " const [x, y] = chart.convertToPixel({seriesIndex: 0}, [1, '中山路工作室']);"
        " const box = el.getBoundingClientRect();"
        " return [box.left + x, box.top + y]; }")
    page.mouse.click(*point)
    page.wait_for_url("**/admin/dashboard/?org=QD-02-01&period=custom&from=2024-01-01&to=2024-03-31")
    expect(page.locator("#dash-org")).to_have_text("中山路工作室")
    expect(page.locator("#card-received .value")).to_have_text("3")
    expect(page.locator("#card-closed .value")).to_have_text("2")
    expect(page.locator("#from")).to_have_value("2024-01-01")
    assert chart_ready(page, "chart-trend")


def test_drill_down_link_in_the_table(page, shinan_cases):
    log_in(page, "shinan", PASSWORD)
    page.goto(f"/admin/dashboard/?{Q1}")
    page.locator("#table-children a.drill", has_text="八大峡工作室").click()
    expect(page.locator("#dash-org")).to_have_text("八大峡工作室")
    expect(page.locator("#card-received .value")).to_have_text("1")
    expect(page.locator("#chart-children")).to_have_count(0)  # a room has no children
    assert chart_ready(page, "chart-types")
