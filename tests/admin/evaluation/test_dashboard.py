"""The dashboard against hand counts: cards, year-on-year change, children, breakdowns, XLSX,
scope refusals, bad periods and a query count that does not grow with the children.

Hand counts of the `ledger` fixture (conftest) for 2024-01-01 … 2024-03-31, city QD:
received 7 (A–G); closed 6 (A B C E F G); succeeded 4 (A E F G) → 66.67 %; 标的 of the closed
10000 + 5000.50 + 2000 + 1000.25 + 600 + 100 = 18,700.75; 协议 8000 + 1000.25 + 500 + 50
= 9,550.25; days 10+21+1+30+5+2 = 69 / 6 = 11.5; 履行 1 of 3 recorded → 33.33 %.
Children: QD-02 (A B C D F G) received 6, closed 5, succeeded 3 → 60.00 %; QD-11 (E) 1, 1, 1.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from evaluation.periods import PeriodError, resolve
from network.dates import local_today, year_before

D = dt.date
Q1 = "period=custom&from=2024-01-01&to=2024-03-31"
APRIL = "period=custom&from=2024-04-01&to=2024-04-30"


def card(html: str, key: str) -> dict:
    match = re.search(rf'id="card-{key}"(.*?)</div>\s*</div>\s*</div>', html, re.S)
    assert match, f"no card {key}"
    body = match.group(1)
    light = re.match(r'\s*data-light="(\w+)"', body)
    value = re.search(r'class="value"(?: title="([^"]*)")?>([^<]*)<', body)
    # The exact figure: a card shows big amounts in 万元 with the exact one on hover.
    return {"value": (value.group(1) or value.group(2)).strip(),
            "change": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.search(
                r'class="small change">(.*?)</div>', body, re.S).group(1))).strip(),
            "light": light.group(1) if light else None}


def page_data(html: str) -> dict:
    return json.loads(re.search(r'<script id="dash-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    return list(book.active.iter_rows(values_only=True))


@pytest.fixture
def city(ledger, make_user):
    make_user("root", role="admin")
    make_user("shinan", role="manager", organization="QD-02")
    make_user("huangdao", role="manager", organization="QD-11")
    return ledger


@pytest.fixture
def year_before_cases(city, make_case):
    """Q1 2023: two at room1 (one success, one failure, both closed), one open at room3:
    received 3, closed 2, succeeded 1 → 50.00 %."""
    m1, _, m3, _ = city["mediators"]
    make_case(city["room1"], m1, D(2023, 1, 5), D(2023, 1, 15), "调解成功", agreed="500.00")
    make_case(city["room1"], m1, D(2023, 2, 1), D(2023, 2, 11), "调解不成功")
    make_case(city["room3"], m3, D(2023, 3, 1))
    return city


@pytest.fixture
def april(network, make_mediator, make_case, make_user):
    """April 2024 (P5 received in March):

    case station   受理   结案   result  method 纠纷类型   来源
    P1   QD-02-01  04-02  04-10  成功    线上   个人贷款   法院委派
    P2   QD-02-01  04-03  -      调解中  线下   个人贷款   (none)
    P3   QD-02-02  04-05  04-20  不成功  线下   保险理赔   法院委派
    P4   QD-11-01  04-06  04-08  撤回    线上   理财产品   投诉转办
    P5   QD-02-02  03-30  04-15  成功    线下   信用卡     当事人申请
    """
    m1, m2, m3 = (make_mediator(network[k]) for k in ("room1", "room2", "room3"))
    make_case(network["room1"], m1, D(2024, 4, 2), D(2024, 4, 10), "调解成功", agreed="100",
              method="线上", dispute_type="个人贷款", source="法院委派")
    make_case(network["room1"], m1, D(2024, 4, 3), dispute_type="个人贷款", source=None)
    make_case(network["room2"], m2, D(2024, 4, 5), D(2024, 4, 20), "调解不成功",
              dispute_type="保险理赔", source="法院委派")
    make_case(network["room3"], m3, D(2024, 4, 6), D(2024, 4, 8), "撤回", method="线上",
              dispute_type="理财产品", source="投诉转办")
    make_case(network["room2"], m2, D(2024, 3, 30), D(2024, 4, 15), "调解成功", agreed="50",
              dispute_type="信用卡", source="当事人申请")
    make_user("shinan", role="manager", organization="QD-02")
    return network


# --- cards -------------------------------------------------------------------------------------

def test_cards_show_the_hand_counted_figures(city, auth):
    auth.login("root")
    html = auth.client.get(f"/admin/dashboard/?org=QD&{Q1}").get_data(as_text=True)
    expected = {"received": "7", "closed": "6", "succeeded": "4", "failed": "1", "withdrawn": "1",
                "success_rate": "66.67%", "amount_involved": "18,700.75",
                "agreed_amount": "9,550.25", "avg_days": "11.5", "online": "2",
                "judicial_confirmed": "2", "fulfilment_rate": "33.33%"}
    assert {key: card(html, key)["value"] for key in expected} == expected


def test_cards_match_the_api_to_the_yuan(city, auth):
    auth.login("shinan")
    html = auth.client.get(f"/admin/dashboard/?{Q1}").get_data(as_text=True)
    api = auth.client.get("/api/v1/kpis?from=2024-01-01&to=2024-03-31").get_json()
    assert api["station"] == "QD-02"
    # QD-02 by hand: 标的 10000 + 5000.50 + 2000 + 600 + 100; 协议 8000 + 500 + 50.
    assert api["amount_involved"] == "17700.50" and api["agreed_amount"] == "8550.00"
    assert card(html, "amount_involved")["value"] == "17,700.50"
    assert card(html, "agreed_amount")["value"] == "8,550.00"
    assert card(html, "received")["value"] == str(api["received"]) == "6"


def test_year_on_year_change_by_hand(year_before_cases, auth):
    auth.login("root")
    html = auth.client.get(f"/admin/dashboard/?org=QD&{Q1}").get_data(as_text=True)
    assert card(html, "received")["change"] == "▲ +133.3%"  # 7 against 3
    assert card(html, "closed")["change"] == "▲ +200.0%"  # 6 against 2
    assert card(html, "success_rate")["change"] == "▲ +16.67 个百分点"  # 66.67 − 50.00
    assert card(html, "withdrawn")["change"] == "去年同期 —"  # none a year before
    assert "2023-01-01 ~ 2023-03-31" in html


def test_success_card_light_follows_the_thresholds(city, auth):
    from network.settings import update_settings

    auth.login("root")
    url = f"/admin/dashboard/?org=QD&{Q1}"
    assert card(auth.client.get(url).get_data(as_text=True), "success_rate")["light"] == "green"
    update_settings({"traffic.success_green": "0.70"}, actor="test")  # 66.67 % < 70 % ≥ 50 %
    assert card(auth.client.get(url).get_data(as_text=True), "success_rate")["light"] == "yellow"
    update_settings({"traffic.success_yellow": "0.68"}, actor="test")
    assert card(auth.client.get(url).get_data(as_text=True), "success_rate")["light"] == "red"


# --- children ----------------------------------------------------------------------------------

def test_children_bars_hold_each_childs_hand_count(city, auth):
    auth.login("root")
    data = page_data(auth.client.get(f"/admin/dashboard/?org=QD&{Q1}").get_data(as_text=True))
    bars = data["options"]["children"]
    names = bars["yAxis"][0]["data"]
    by_series = {s["name"]: dict(zip(names, s["data"], strict=True)) for s in bars["series"]}
    assert by_series["受理数"] == {"市南区工作站": 6, "黄岛区工作站": 1}
    assert by_series["结案数"] == {"市南区工作站": 5, "黄岛区工作站": 1}
    assert by_series["调解成功"] == {"市南区工作站": 3, "黄岛区工作站": 1}
    assert dict(zip(names, data["bar_links"], strict=True)) == {
        "市南区工作站": "/admin/dashboard/?org=QD-02&period=custom&from=2024-01-01&to=2024-03-31",
        "黄岛区工作站": "/admin/dashboard/?org=QD-11&period=custom&from=2024-01-01&to=2024-03-31"}


def test_drill_down_page_of_a_child(city, auth):
    auth.login("root")
    html = auth.client.get(f"/admin/dashboard/?org=QD-02&{Q1}").get_data(as_text=True)
    assert card(html, "received")["value"] == "6"
    assert card(html, "success_rate")["value"] == "60.00%"
    names = page_data(html)["options"]["children"]["yAxis"][0]["data"]
    assert sorted(names) == ["中山路工作室", "八大峡工作室"]
    room = auth.client.get(f"/admin/dashboard/?org=QD-02-01&{Q1}").get_data(as_text=True)
    assert card(room, "received")["value"] == "3"  # A B F
    # A room has no children: it shows its mediators instead (see test_leaf_unit_...).
    assert "children" not in page_data(room)["options"] and "mediators-panel" in room


# --- breakdowns --------------------------------------------------------------------------------

def test_breakdowns_against_hand_counts(april):
    from evaluation.breakdowns import by_dispute_type, by_method, by_source

    shinan, city_org = april["shinan"], april["city"]
    start, end = D(2024, 4, 1), D(2024, 4, 30)
    assert by_dispute_type(shinan, start, end) == {"个人贷款": 2, "保险理赔": 1}
    assert by_source(shinan, start, end) == {"法院委派": 2, "": 1}
    assert by_method(shinan, start, end) == {"online": 1, "offline": 2}  # P1 | P3 P5
    assert by_dispute_type(city_org, start, end) == {"个人贷款": 2, "保险理赔": 1, "理财产品": 1}
    assert by_method(city_org, start, end) == {"online": 2, "offline": 2}
    assert by_method(april["room1"], D(2024, 4, 11), end) == {"online": 0, "offline": 0}


def test_breakdowns_add_up_to_the_kpis(april):
    from evaluation.breakdowns import by_dispute_type, by_method, by_source
    from evaluation.kpis import kpis

    org, start, end = april["city"], D(2024, 3, 15), D(2024, 4, 30)
    figures = kpis(org, start, end)
    assert sum(by_dispute_type(org, start, end).values()) == figures["received"] == 5
    assert sum(by_source(org, start, end).values()) == figures["received"]
    assert sum(by_method(org, start, end).values()) == figures["closed"] == 4
    assert by_method(org, start, end)["online"] == figures["online"] == 2


# --- XLSX --------------------------------------------------------------------------------------

def test_xlsx_export_has_the_same_numbers_and_no_outsiders(april, auth):
    auth.login("shinan")
    response = auth.client.get(f"/admin/dashboard/export/children.xlsx?{APRIL}")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = xlsx_rows(response)
    assert rows[0][:6] == ("机构名称", "机构编码", "受理数", "结案数", "调解成功", "调解成功率（%）")
    # room1: P1 P2 received, P1 closed and succeeded; room2: P3 received, P3 P5 closed, P5 won.
    assert [r[1:5] for r in rows[1:]] == [("QD-02-01", 2, 1, 1), ("QD-02-02", 1, 2, 1)]
    assert rows[2][5] == pytest.approx(0.5)  # 50 %, a rate cell (see test_xlsx_rates_...)
    types = xlsx_rows(auth.client.get(f"/admin/dashboard/export/types.xlsx?{APRIL}"))
    assert {r[0]: r[1] for r in types[1:]} == {"个人贷款": 2, "保险理赔": 1}  # not P4's 理财产品
    sources = xlsx_rows(auth.client.get(f"/admin/dashboard/export/sources.xlsx?{APRIL}"))
    assert {r[0]: r[1] for r in sources[1:]} == {"法院委派": 2, "未填写": 1}


def test_kpi_table_export_matches_the_cards(city, auth):
    auth.login("root")
    rows = xlsx_rows(auth.client.get(f"/admin/dashboard/export/kpis.xlsx?org=QD&{Q1}"))
    by_label = {r[0]: r[1:] for r in rows[1:]}
    assert by_label["受理数"] == (7, 0, "—") and by_label["调解成功率"][0] == pytest.approx(0.6667)
    assert float(by_label["协议金额（元）"][0]) == 9550.25
    assert float(by_label["平均办理天数"][0]) == 11.5


def sheet_cells(response) -> dict[str, list]:
    """{first cell of a row: the row's cells} of the table sheet, with their types."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return {row[0].value: list(row[1:]) for row in sheet.iter_rows(min_row=2)}


def test_kpi_table_export_types_rates_and_amounts(city, auth):
    """Rates are numbers shown as 0.00 % (4 of 6 closed succeeded: 0.6667; 履行 1 of 3
    recorded: 0.3333), amounts numbers with two decimals; Q1 2023 closed nothing, so it has
    no rate at all (an empty cell, not 0 %)."""
    auth.login("root")
    cells = sheet_cells(auth.client.get(f"/admin/dashboard/export/kpis.xlsx?org=QD&{Q1}"))
    for name, value in [("调解成功率", 0.6667), ("履行率", 0.3333)]:
        now, before, _change = cells[name]
        assert (now.data_type, now.number_format) == ("n", "0.00%")
        assert now.value == pytest.approx(value)
        assert before.value is None
    for name, value in [("标的金额（元）", 18700.75), ("协议金额（元）", 9550.25)]:
        now, before, _change = cells[name]
        assert (now.data_type, now.number_format, now.value) == ("n", "#,##0.00", value)
        assert (before.data_type, before.value) == ("n", 0)
    received = cells["受理数"][0]
    assert (received.data_type, received.value) == ("n", 7)
    assert (cells["平均办理天数"][0].data_type, cells["平均办理天数"][0].value) == ("n", 11.5)


@pytest.mark.parametrize("table, first, column, value", [
    ("children", "市南区工作站", 5, 0.6),       # QD-02: 3 of 5 closed succeeded
    ("trend", "2024-02", 3, 0.3333),            # closed in February: B, C, F; F won
    ("types", "信用卡", 2, 1.0),                # every case of the ledger is 信用卡
])
def test_every_dashboard_rate_column_is_a_rate_cell(city, auth, table, first, column, value):
    auth.login("root")
    cells = sheet_cells(auth.client.get(f"/admin/dashboard/export/{table}.xlsx?org=QD&{Q1}"))
    cell = cells[first][column - 1]
    assert (cell.data_type, cell.number_format) == ("n", "0.00%")
    assert cell.value == pytest.approx(value)


def test_a_room_mediators_export_types_rate_amount_and_days(april, auth):
    """QD-02-01 in April: m1 received P1 and P2, closed P1 (success, 协议 100) after 8 days."""
    auth.login("shinan")
    response = auth.client.get(f"/admin/dashboard/export/mediators.xlsx?org=QD-02-01&{APRIL}")
    (row,) = sheet_cells(response).values()
    rate, agreed, days = row[4], row[5], row[6]
    assert (rate.data_type, rate.number_format, rate.value) == ("n", "0.00%", 1.0)
    assert (agreed.data_type, agreed.number_format, agreed.value) == ("n", "#,##0.00", 100)
    assert (days.data_type, days.value) == ("n", 8.0)


# --- scope and input ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    f"/admin/dashboard/?org=QD-11&{Q1}", f"/admin/dashboard/?org=QD&{Q1}",
    f"/admin/dashboard/?org=QD-11-01&{Q1}", f"/admin/dashboard/export/children.xlsx?org=QD&{Q1}",
    f"/admin/dashboard/export/types.xlsx?org=QD-11&{Q1}"])
def test_county_manager_cannot_see_outside(city, auth, url):
    """Answered like an unknown unit (404), so codes cannot be probed (issue 16 #9)."""
    auth.login("shinan")
    assert auth.client.get(url).status_code == 404


def test_unknown_org_is_404_and_mediator_is_refused(city, auth, app, make_user):
    from tests.conftest import Auth

    auth.login("shinan")
    assert auth.client.get("/admin/dashboard/?org=NOPE").status_code == 404
    make_user("med1", role="mediator", mediator=city["mediators"][0].staff_no)
    mediator = Auth(app.test_client())
    mediator.login("med1")
    assert mediator.client.get("/admin/dashboard/").status_code == 403
    assert mediator.client.get("/admin/dashboard/export/kpis.xlsx").status_code == 403


def test_not_logged_in_goes_to_login(city, client):
    response = client.get("/admin/dashboard/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("query, message", [
    ("period=custom&from=2024-13-01&to=2024-03-31", "开始日期应为 YYYY-MM-DD 格式的日期"),
    ("period=custom&from=2024-03-01&to=2024-01-31", "开始日期不能晚于结束日期"),
    ("period=custom&from=2024-01-01", "自定义期间需要填写结束日期"),
    ("period=custom&from=2000-01-01&to=2024-01-31", "统计期间不能超过 120 个月"),
    ("period=someday", "未知的统计期间"),
])
def test_bad_period_is_a_message_on_the_page(city, auth, query, message):
    auth.login("shinan")
    response = auth.client.get(f"/admin/dashboard/?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'id="period-form"' in html
    assert auth.client.get(f"/admin/dashboard/export/kpis.xlsx?{query}").status_code == 400


def test_default_period_is_this_year(city, auth):
    auth.login("shinan")
    html = auth.client.get("/admin/dashboard/").get_data(as_text=True)
    today = local_today()
    assert f"{today.year}-01-01 ~ {today}" in html
    assert re.search(r'<option value="year"\s+selected>', html)


def test_period_presets():
    today = D(2024, 5, 15)
    assert resolve("month", today)[1:3] == (D(2024, 5, 1), today)
    assert resolve("quarter", today)[1:3] == (D(2024, 4, 1), today)
    assert resolve("year", today)[1:3] == (D(2024, 1, 1), today)
    assert resolve(None, today)[1:3] == (D(2024, 1, 1), today)
    assert resolve("last12", today)[1:3] == (D(2023, 6, 1), today)
    assert resolve("last12", D(2024, 12, 2))[1] == D(2024, 1, 1)
    assert resolve("custom", today, "2024-02-03", "2024-02-29").year_before() == (
        D(2023, 2, 3), D(2023, 2, 28))
    assert year_before(D(2024, 2, 29)) == D(2023, 2, 28)
    with pytest.raises(PeriodError):
        resolve("custom", today, "2024-02-03", "2024-2-29")


# --- query count -------------------------------------------------------------------------------

def test_query_count_does_not_grow_with_children(city, auth, make_org, make_mediator, make_case):
    from playhouse.test_utils import count_queries

    auth.login("root")
    # A range with edge days on both sides, so every kind of query runs.
    url = "/admin/dashboard/?org=QD&period=custom&from=2024-01-15&to=2024-03-20"

    def queries() -> int:
        with count_queries() as counter:
            assert auth.client.get(url).status_code == 200
        return counter.count

    before = queries()
    for n in (12, 13, 14):
        county = make_org(f"QD-{n}", parent=city["city"])
        room = make_org(f"QD-{n}-01", parent=county)
        make_case(room, make_mediator(room), D(2024, 1, 16), D(2024, 3, 19), "调解成功",
                  agreed="10")
    assert queries() == before
    html = auth.client.get(url).get_data(as_text=True)
    assert len(page_data(html)["bar_links"]) == 5


def test_home_page_links_to_the_dashboard(city, auth):
    auth.login("shinan")
    html = auth.client.get("/admin/").get_data(as_text=True)
    assert 'id="link-dashboard" href="/admin/dashboard/"' in html


# --- pages that fit the data (issue 13) -----------------------------------------------------

def test_leaf_unit_shows_its_mediators_not_empty_children(april, auth):
    """QD-02-01 in April: m1 received P1 and P2, closed P1 (success, 协议 100) after 8 days."""
    auth.login("shinan")
    html = auth.client.get(f"/admin/dashboard/?org=QD-02-01&{APRIL}").get_data(as_text=True)
    assert 'id="mediators-panel"' in html and 'id="table-mediators"' in html
    assert "下级机构未填写坐标" not in html and 'id="table-children"' not in html
    table = html.split('id="table-mediators"')[1].split("</table>")[0]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", table)]
    assert cells[2:8] == ["2", "1", "1", "100.00", "100.00", "8.0"]
    # A unit with children keeps its children's panel.
    county = auth.client.get(f"/admin/dashboard/?org=QD-02&{APRIL}").get_data(as_text=True)
    assert 'id="table-children"' in county and 'id="mediators-panel"' not in county


def test_month_without_closed_cases_is_a_gap_not_zero(april, auth):
    """QD-02-01 from March: no case there in March (gap), April 1 of 1 closed succeeded."""
    auth.login("shinan")
    html = auth.client.get("/admin/dashboard/?org=QD-02-01&period=custom&from=2024-03-01"
                           "&to=2024-04-30").get_data(as_text=True)
    line = [s for s in page_data(html)["options"]["trend"]["series"] if s["type"] == "line"][0]
    values = [p[1] if isinstance(p, list) else p for p in line["data"]]
    assert values == [None, 100.0]
    assert line.get("connectNulls") is False


def test_amount_cards_in_wan_with_the_exact_figure_on_hover(city, auth):
    auth.login("root")
    html = auth.client.get(f"/admin/dashboard/?org=QD&{Q1}").get_data(as_text=True)
    body = re.search(r'id="card-amount_involved"(.*?)</div>\s*</div>\s*</div>', html, re.S)[1]
    assert '<div class="value" title="18,700.75">1.87万元</div>' in body


def test_this_month_compares_with_the_same_days_of_last_month():
    from evaluation.periods import MONTH, QUARTER, YEAR

    # On the 2nd: the 1st–2nd of last month, not all of it (and not a year before).
    assert resolve(MONTH, D(2026, 12, 2)).compared() == (D(2026, 11, 1), D(2026, 11, 2))
    # On the 31st of March: February has no 31st, so all of February.
    assert resolve(MONTH, D(2026, 3, 31)).compared() == (D(2026, 2, 1), D(2026, 2, 28))
    # 2026-10-01 … 12-02 is 62 days on: 07-01 + 62 days = 09-01.
    assert resolve(QUARTER, D(2026, 12, 2)).compared() == (D(2026, 7, 1), D(2026, 9, 1))
    assert resolve(MONTH, D(2026, 1, 15)).compared() == (D(2025, 12, 1), D(2025, 12, 15))
    assert resolve(YEAR, D(2026, 12, 2)).compared() == (D(2025, 1, 1), D(2025, 12, 2))


def test_this_month_page_says_what_it_compares_with(city, auth):
    auth.login("root")
    html = auth.client.get("/admin/dashboard/?org=QD&period=month").get_data(as_text=True)
    range_line = re.sub(r"<[^>]+>", "", html.split('id="period-range">')[1].split("</span>")[0])
    assert "对比上月同期" in range_line and "（相同天数）" in range_line
    assert "上月同期" in card(html, "received")["change"] or "上月同期" in html
