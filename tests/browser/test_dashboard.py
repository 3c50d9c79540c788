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


# --- pages that fit the data (issue 13), at desk and phone width -------------------------------

DESK, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
SPRING = "period=custom&from=2024-03-01&to=2024-04-30"


@pytest.fixture
def room_cases(network, make_mediator, make_case, make_user):
    """中山路工作室 (QD-02-01), March–April 2024, and one big case at 八大峡工作室 (QD-02-02):

    case  unit      mediator  受理   结案   result  标的             协议
    R1    QD-02-01  李四 S0201 04-02  04-10  成功    12,000.00        9,000.00
    R2    QD-02-01  李四 S0201 04-03  -      调解中    1,000.00        -
    R3    QD-02-01  王芳 S0202 03-15  -      调解中    3,000.00        -
    R4    QD-02-01  王芳 S0202 04-05  04-20  不成功  250,000.00        -
    R5    QD-02-02  孙强 S0299 04-01  04-11  成功    150,000,000.00   1,000,000.00

    QD-02-01: March received 1, closed 0 (no rate: a gap); April received 3, closed 2,
    succeeded 1 (50 %). 标的 of the closed 12,000 + 250,000 = 262,000.00 → 26.20万元.
    李四: received 2, closed 1, succeeded 1, 100.00 %, 协议 9,000.00, 8 days.
    王芳: received 2, closed 1, succeeded 0, 0.00 %, 协议 0.00, 15 days.
    QD-02: 标的 of the closed 262,000 + 150,000,000 = 150,262,000.00 → 1.50亿元.
    """
    li = make_mediator(network["room1"], staff_no="S0201", name="李四")
    wang = make_mediator(network["room1"], staff_no="S0202", name="王芳")
    sun = make_mediator(network["room2"], staff_no="S0299", name="孙强")
    make_case(network["room1"], li, D(2024, 4, 2), D(2024, 4, 10), "调解成功", "12000.00",
              "9000.00", case_no="R1")
    make_case(network["room1"], li, D(2024, 4, 3), None, "调解中", "1000.00", case_no="R2")
    make_case(network["room1"], wang, D(2024, 3, 15), None, "调解中", "3000.00", case_no="R3")
    make_case(network["room1"], wang, D(2024, 4, 5), D(2024, 4, 20), "调解不成功",
              "250000.00", case_no="R4")
    make_case(network["room2"], sun, D(2024, 4, 1), D(2024, 4, 11), "调解成功",
              "150000000.00", "1000000.00", case_no="R5")
    make_user("shinan", role="manager", organization="QD-02")
    return network


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1440", "390"])
def test_month_without_closed_cases_is_a_gap_in_the_line(page, room_cases, viewport):
    page.set_viewport_size(viewport)
    log_in(page, "shinan", PASSWORD)
    page.goto(f"/admin/dashboard/?org=QD-02-01&{SPRING}")
    assert chart_ready(page, "chart-trend")
    line = page.evaluate(
        "() => { const chart = echarts.getInstanceByDom(document.getElementById('chart-trend'));"
        " const series = chart.getOption().series.find(s => s.type === 'line');"
        " const data = chart.getModel().getSeriesByType('line')[0].getData();"
        " return {data: series.data.map(p => Array.isArray(p) ? p[1] : p),"
        "         connectNulls: series.connectNulls,"
        "         drawn: [0, 1].map(i => !isNaN(data.getLayout('points')[2 * i + 1]))}; }")
    assert line["data"][0] in (None, "-") and line["data"][1] == 50
    assert line["connectNulls"] is False
    assert line["drawn"] == [False, True]  # March: no point at all, not a point at 0 %
    # The table twin says the same: an empty cell, not 0.00.
    march = page.locator("#table-trend tbody tr").first.locator("td")
    expect(march).to_have_text(["2024-03", "1", "0", ""])


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1440", "390"])
def test_amounts_in_wan_and_yi_with_the_exact_figure_on_hover(page, room_cases, viewport):
    page.set_viewport_size(viewport)
    log_in(page, "shinan", PASSWORD)
    for org, short, exact in [("QD-02-01", "26.20万元", "262,000.00"),
                              ("QD-02", "1.50亿元", "150,262,000.00")]:
        page.goto(f"/admin/dashboard/?org={org}&{SPRING}")
        value = page.locator("#card-amount_involved .value")
        expect(value).to_have_text(short)
        value.hover()
        expect(value).to_have_attribute("title", exact)
        # The short figure fits its card, at phone width too.
        assert value.evaluate("el => el.scrollWidth <= el.clientWidth + 1"
                              " && el.getBoundingClientRect().right"
                              " <= el.closest('.card').getBoundingClientRect().right + 1")
        assert no_sideways_scroll(page)
    agreed = page.locator("#card-agreed_amount .value")  # QD-02: 9,000 + 1,000,000
    expect(agreed).to_have_text("100.90万元")
    expect(agreed).to_have_attribute("title", "1,009,000.00")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1440", "390"])
def test_room_shows_its_mediators_not_empty_child_panels(page, room_cases, viewport):
    page.set_viewport_size(viewport)
    log_in(page, "shinan", PASSWORD)
    page.goto(f"/admin/dashboard/?org=QD-02-01&{SPRING}")
    expect(page.locator("#dash-org")).to_have_text("中山路工作室")
    expect(page.locator("#mediators-panel")).to_be_visible()
    expect(page.locator("#chart-children, #table-children, #map-empty")).to_have_count(0)
    expect(page.get_by_text("下级机构未填写坐标")).to_have_count(0)
    rows = page.locator("#table-mediators tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(
        ["李四", "S0201", "2", "1", "1", "100.00", "9000.00", "8.0"])
    expect(rows.nth(1).locator("td")).to_have_text(
        ["王芳", "S0202", "2", "1", "0", "0.00", "0.00", "15.0"])
    table = page.locator("#table-mediators")
    table.scroll_into_view_if_needed()
    expect(table).to_be_visible()
    assert no_sideways_scroll(page)
    # A name leads to the mediator's record.
    rows.nth(1).locator("a").click()
    expect(page.locator("table").first).to_contain_text("S0202")


@pytest.fixture
def crowded_county(network, make_org, make_mediator, make_case, make_user):
    """市南区 with six rooms a few hundred metres apart (their names would sit on each other)
    and one case each in April 2024."""
    from network.services import update_org

    for key, lng, lat in [("room1", "120.3800", "36.0660"), ("room2", "120.3820", "36.0670")]:
        update_org(network[key], {"longitude": lng, "latitude": lat,
                                  "division_code": "370202"}, actor="test", scope=None)
    rooms = [network["room1"], network["room2"]] + [
        make_org(f"QD-02-0{n}", parent=network["shinan"], name=f"金融街第{n}调解工作室",
                 longitude=f"{120.3800 + n * 0.0015:.4f}", latitude=f"{36.0660 + n * 0.0008:.4f}",
                 division_code="370202") for n in range(3, 7)]
    for n, room in enumerate(rooms):
        make_case(room, make_mediator(room), D(2024, 4, 2 + n), D(2024, 4, 20), "调解成功")
    make_user("shinan", role="manager", organization="QD-02")
    return network


def shown_label_boxes(page) -> list[list[float]]:
    """Screen boxes of the map's station names that ECharts actually draws."""
    return page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
        const boxes = [];
        chart.getZr().storage.getDisplayList(true).forEach(el => {
            const text = el.getTextContent && el.getTextContent();  // a point's name label
            if (!text || text.ignore || text.invisible || !/工作室/.test(text.style.text)) return;
            const r = text.getBoundingRect().clone();
            r.applyTransform(text.getComputedTransform());
            boxes.push([r.x, r.y, r.x + r.width, r.y + r.height]);
        });
        return boxes; }""")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1440", "390"])
def test_map_labels_do_not_overlap(page, crowded_county, viewport):
    page.set_viewport_size(viewport)
    log_in(page, "shinan", PASSWORD)
    page.goto("/admin/dashboard/?org=QD-02&period=custom&from=2024-04-01&to=2024-04-30")
    page.wait_for_selector("#chart-map[data-ready]", state="attached")
    page.wait_for_timeout(800)  # the label layout runs after the first frame
    boxes = shown_label_boxes(page)
    assert boxes, "no station name drawn at all"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)
    # Every unit is still in the table twin, with its code.
    expect(page.locator("#table-map tbody tr")).to_have_count(6)
