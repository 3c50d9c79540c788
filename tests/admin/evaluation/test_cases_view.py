"""The case ledger in the portal: scope on every path, domain errors on the form, KPI effect."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.admin.scope_checks import assert_outsider_refused, xlsx_text

D = dt.date


@pytest.fixture
def ledger_pages(network, make_mediator, make_case, make_user):
    inside_m = make_mediator(network["room1"], staff_no="S0201", name="李四")
    outside_m = make_mediator(network["room3"], staff_no="H1101", name="王五")
    inside = make_case(network["room1"], inside_m, D(2024, 3, 1), D(2024, 3, 11), "调解成功",
                       "12000.00", "9000.00", case_no="IN-0001")
    outside = make_case(network["room3"], outside_m, D(2024, 3, 2), None, "调解中", "800.00",
                        case_no="OUT-0001")
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    return {**network, "inside": inside, "outside": outside, "inside_m": inside_m,
            "outside_m": outside_m}


def form(case_no, station, mediator, received, closed="", result="open", amount="1000",
         agreed="", method="offline"):
    return {"case_no": case_no, "station": str(station.id), "mediator": str(mediator.id),
            "received": received, "closed": closed, "dispute_type": "信用卡",
            "amount_involved": amount, "agreed_amount": agreed, "result": result,
            "method": method, "source": "法院委派", "fulfilment": ""}


def test_manager_lists_only_own_subtree(ledger_pages, auth):
    auth.login("m02")
    page = auth.client.get("/admin/cases/").get_data(as_text=True)
    assert "IN-0001" in page and "中山路工作室" in page and "李四" in page
    assert "12,000.00" in page and "调解成功" in page
    assert "OUT-0001" not in page


def test_outside_case_refused_everywhere(ledger_pages, auth):
    from evaluation.models import Case

    outside = ledger_pages["outside"]
    auth.login("m02")
    data = form("OUT-0001", ledger_pages["room3"], ledger_pages["outside_m"], "2024-03-02",
                amount="1")
    assert_outsider_refused(auth, "cases", outside.id, "OUT-0001", edit_data=data,
                            lookups=[("station", "QD-11", "QD-11-01"),
                                     ("mediator", "H1101", "H1101"),
                                     ("mediator", "王五", "王五")])
    stored = Case.get_by_id(outside.id)
    assert stored.amount_involved == stored.amount_involved.__class__("800.00")
    assert Case.select().count() == 2


def test_manager_lookups_offer_own_subtree(ledger_pages, auth):
    auth.login("m02")
    stations = auth.client.get("/admin/cases/ajax/lookup/?name=station&query=QD").get_json()
    assert {str(ledger_pages[k].id) for k in ("shinan", "room1", "room2")} == {
        str(row[0]) for row in stations}
    mediators = auth.client.get("/admin/cases/ajax/lookup/?name=mediator&query=S").get_json()
    assert [row[0] for row in mediators] == [ledger_pages["inside_m"].id]


def test_manager_cannot_create_case_outside(ledger_pages, auth):
    from evaluation.models import Case

    auth.login("m02")
    response = auth.post("/admin/cases/new/", form(
        "NEW-OUT", ledger_pages["room3"], ledger_pages["outside_m"], "2024-04-01"))
    assert response.status_code == 200
    assert "超出您的管辖范围" in response.get_data(as_text=True)
    assert not Case.select().where(Case.case_no == "NEW-OUT").exists()


def test_closed_before_received_is_a_field_error(ledger_pages, auth):
    from evaluation.models import Case

    auth.login("m02")
    response = auth.post("/admin/cases/new/", form(
        "NEW-0002", ledger_pages["room1"], ledger_pages["inside_m"], "2024-04-10",
        closed="2024-04-01", result="success", amount="500", agreed="400"))
    assert response.status_code == 200
    assert "结案日期不能早于受理日期" in response.get_data(as_text=True)
    assert not Case.select().where(Case.case_no == "NEW-0002").exists()


def test_manager_edits_and_deletes_own_case(ledger_pages, auth):
    from evaluation.models import Case

    inside = ledger_pages["inside"]
    auth.login("m02")
    data = form("IN-0001", ledger_pages["room1"], ledger_pages["inside_m"], "2024-03-01",
                closed="2024-03-11", result="failure", amount="12000.00")
    response = auth.post(f"/admin/cases/edit/?id={inside.id}", data)
    assert response.status_code == 302
    assert Case.get_by_id(inside.id).result == "failure"
    response = auth.post("/admin/cases/delete/", {"id": str(inside.id)})
    assert response.status_code == 302
    assert not Case.select().where(Case.id == inside.id).exists()


def test_admin_form_moves_kpis(ledger_pages, auth):
    auth.login("root")
    url = "/api/v1/kpis?station=QD-02&from=2024-04-01&to=2024-04-30"
    before = auth.client.get(url).get_json()
    assert (before["received"], before["closed"], before["agreed_amount"]) == (0, 0, "0.00")
    response = auth.post("/admin/cases/new/", form(
        "NEW-0003", ledger_pages["room2"], ledger_pages["inside_m"], "2024-04-02",
        closed="2024-04-06", result="success", amount="2500.50", agreed="2000.25",
        method="online"))
    # The mediator serves room1, not room2: the form says so and nothing is counted.
    assert response.status_code == 200
    assert "未在" in response.get_data(as_text=True)
    assert auth.client.get(url).get_json()["received"] == 0
    response = auth.post("/admin/cases/new/", form(
        "NEW-0003", ledger_pages["room1"], ledger_pages["inside_m"], "2024-04-02",
        closed="2024-04-06", result="success", amount="2500.50", agreed="2000.25",
        method="online"))
    assert response.status_code == 302
    after = auth.client.get(url).get_json()
    # One case received 04-02 and closed 04-06: 4 days, online, succeeded.
    assert (after["received"], after["closed"], after["succeeded"], after["online"]) == (
        1, 1, 1, 1)
    assert (after["amount_involved"], after["agreed_amount"]) == ("2500.50", "2000.25")
    assert (after["avg_days"], after["success_rate"]) == (4.0, 1.0)
    city_march = auth.client.get(
        "/api/v1/kpis?station=QD&from=2024-03-01&to=2024-03-31").get_json()
    # March: IN-0001 and OUT-0001 received, IN-0001 closed after 10 days.
    assert (city_march["received"], city_march["closed"], city_march["avg_days"]) == (2, 1, 10.0)


def test_export_has_codes_and_scope(ledger_pages, auth):
    auth.login("m02")
    text = auth.client.get("/admin/cases/export/csv/").get_data().decode("utf-8-sig")
    assert "IN-0001" in text and "QD-02-01" in text and "S0201" in text and "12000.00" in text
    assert "OUT-0001" not in text
    book = xlsx_text(auth.client.get("/admin/cases/export/xlsx/").get_data())
    assert "IN-0001" in book and "调解成功" in book and "OUT-0001" not in book


def test_filters(ledger_pages, auth):
    auth.login("root")
    page = auth.client.get("/admin/cases/").get_data(as_text=True)
    assert "IN-0001" in page and "OUT-0001" in page
    # Filter indexes follow CaseView.column_filters: 0 subtree, 1 受理 from, 2 受理 to.
    page = auth.client.get("/admin/cases/?flt0_0=QD-11").get_data(as_text=True)
    assert "OUT-0001" in page and "IN-0001" not in page
    page = auth.client.get("/admin/cases/?flt0_1=2024-03-02").get_data(as_text=True)
    assert "OUT-0001" in page and "IN-0001" not in page
    page = auth.client.get("/admin/cases/?flt0_2=2024-03-01").get_data(as_text=True)
    assert "IN-0001" in page and "OUT-0001" not in page
    page = auth.client.get("/admin/cases/?flt0_1=2024-13-45").get_data(as_text=True)
    assert "IN-0001" in page  # an impossible date is ignored, not a 500
    search = auth.client.get("/admin/cases/?search=IN-00").get_data(as_text=True)
    assert "IN-0001" in search and "OUT-0001" not in search


def test_list_query_count_does_not_grow_with_rows(ledger_pages, auth, make_case):
    from playhouse.test_utils import count_queries

    auth.login("root")

    def list_queries():
        with count_queries() as counter:
            assert auth.client.get("/admin/cases/").status_code == 200
        return counter.count

    before = list_queries()
    for n in range(3):
        make_case(ledger_pages["room1"], ledger_pages["inside_m"], D(2024, 5, n + 1),
                  case_no=f"MORE-{n}")
    assert list_queries() == before


def test_trainer_reads_but_cannot_write(ledger_pages, make_user, auth):
    from evaluation.models import Case

    make_user("t01", role="trainer", organization=ledger_pages["shinan"])
    auth.login("t01")
    page = auth.client.get("/admin/cases/").get_data(as_text=True)
    assert "IN-0001" in page and "OUT-0001" not in page
    assert "/admin/cases/new/" not in page
    inside = ledger_pages["inside"]
    auth.post("/admin/cases/delete/", {"id": str(inside.id)})
    auth.post("/admin/cases/action/", {"action": "delete", "rowid": str(inside.id)})
    auth.post("/admin/cases/new/", form("T-NEW", ledger_pages["room1"], ledger_pages["inside_m"],
                                        "2024-04-01"))
    assert [c.case_no for c in Case.select().order_by(Case.case_no)] == ["IN-0001", "OUT-0001"]


def test_cases_import_through_the_portal(ledger_pages, auth, app, monkeypatch):
    """The import page takes the case kind: a manager's file lands in their own subtree."""
    import io
    import re

    from evaluation.models import Case

    monkeypatch.setitem(app.config, "IMPORT_SYNC", True)
    auth.login("m02")
    page = auth.client.get("/admin/cases/").get_data(as_text=True)
    assert "/admin/imports/" in page
    template = auth.client.get("/admin/imports/template/cases.csv")
    assert template.status_code == 200
    assert template.get_data().decode("utf-8-sig").startswith("案件编号,机构编码,调解员工号")
    rows = ("案件编号,机构编码,调解员工号,受理日期,结案日期,纠纷类型,标的金额,协议金额,"
            "调解结果,调解方式,案件来源,司法确认,履行情况\n"
            "IMP-0001,QD-02-01,S0201,2024-06-03,2024-06-13,信用卡,3000,2500,调解成功,线上,"
            "法院委派,否,已履行\n")
    preview = auth.post("/admin/imports/", data={
        "kind": "cases", "file": (io.BytesIO(rows.encode("utf-8")), "案件.csv")},
        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert 'id="preview-ok"' in preview
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', preview).group(1)
    auth.post("/admin/imports/confirm", data={"token": token})
    case = Case.get(Case.case_no == "IMP-0001")
    assert (case.station_id, case.result, str(case.agreed_amount)) == (
        ledger_pages["room1"].id, "success", "2500.00")


@pytest.mark.parametrize("index", range(10))
def test_every_sort_index_answers(ledger_pages, auth, make_mediator, make_case, index):
    """Sorting by any column of the list (as typed into the URL) works, scope included."""
    other = make_mediator(ledger_pages["room2"], staff_no="S0202", name="阿福")
    make_case(ledger_pages["room2"], other, D(2024, 2, 1), D(2024, 2, 3), "撤回", "99.00",
              case_no="IN-0002")
    auth.login("m02")
    for desc in ("0", "1"):
        page = auth.client.get(f"/admin/cases/?sort={index}&desc={desc}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "IN-0001" in text and "IN-0002" in text and "OUT-0001" not in text


def test_sort_by_station_name(ledger_pages, auth, make_mediator, make_case):
    other = make_mediator(ledger_pages["room2"], staff_no="S0202", name="阿福")
    make_case(ledger_pages["room2"], other, D(2024, 2, 1), D(2024, 2, 3), "撤回", "99.00",
              case_no="IN-0002")
    auth.login("m02")
    # Column 1 is the station, sorted by name: 中 (U+4E2D, 中山路工作室, IN-0001) comes before
    # 八 (U+516B, 八大峡工作室, IN-0002).
    text = auth.client.get("/admin/cases/?sort=1").get_data(as_text=True)
    assert text.index("IN-0001") < text.index("IN-0002")
    text = auth.client.get("/admin/cases/?sort=1&desc=1").get_data(as_text=True)
    assert text.index("IN-0002") < text.index("IN-0001")


@pytest.mark.parametrize("field, value, message", [
    ("amount_involved", "abc", "金额格式不正确"),
    ("amount_involved", "-5", "金额应在0到999999999999.99元之间"),
    ("agreed_amount", "1.234", "金额最多两位小数"),
    ("case_no", "A\x00B", "不能含控制字符"),
    ("station", "99999999999999999999", "超出您的管辖范围"),
    ("mediator", "abc", "超出您的管辖范围"),
    ("received", "2024-02-30", ""),
    ("dispute_type", "赌债", ""),
])
def test_odd_form_values_are_field_errors(ledger_pages, auth, field, value, message):
    from evaluation.models import Case

    auth.login("m02")
    data = form("NEW-ODD", ledger_pages["room1"], ledger_pages["inside_m"], "2024-04-01")
    data[field] = value
    response = auth.post("/admin/cases/new/", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert Case.select().count() == 2
