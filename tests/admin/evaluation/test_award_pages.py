"""Awards, nominations and reports in the portal: scope on every path, exports, CLI."""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from network.dates import local_today
from tests.admin.scope_checks import assert_outsider_refused, xlsx_text
from tests.evaluation.q1_ledger import q1_ledger  # noqa: F401


@pytest.fixture
def pages(q1_ledger, make_user):  # noqa: F811
    from evaluation.awards import create_award

    make_user("root", role="admin")
    make_user("m02", role="manager", organization=q1_ledger["shinan"])
    make_user("m11", role="manager", organization=q1_ledger["huangdao"])
    make_user("t02", role="trainer", organization=q1_ledger["shinan"])
    outside = create_award({"award_type": "金牌调解员", "level": "county", "period": "2023",
                            "doc_no": "黄司〔2024〕9号", "awarded_on": dt.date(2024, 1, 5),
                            "mediator": q1_ledger["md"]}, actor="t", scope=None)
    return {**q1_ledger, "outside": outside}


@pytest.fixture
def no_minimum(pages):
    """q1_ledger's mediators close 4, 2 and 1 cases: below the default minimum caseload."""
    from network.settings import update_settings

    update_settings({"award.min_closed": 0}, actor="t")
    return pages


def award_form(**extra):
    return {"award_type": "年度优秀调解员", "level": "county", "period": "2024",
            "doc_no": "南司〔2025〕1号", "awarded_on": "2025-01-10", "note": "",
            "mediator": "", "station": "", **extra}


def test_manager_records_an_award_for_own_mediator(pages, auth):
    from evaluation.models import Award

    auth.login("m02")
    response = auth.post("/admin/awards/new/", award_form(mediator=str(pages["ma"].id)))
    assert response.status_code == 302
    award = Award.get(Award.doc_no == "南司〔2025〕1号")
    assert award.mediator_id == pages["ma"].id and award.station_id is None
    page = auth.client.get("/admin/awards/").get_data(as_text=True)
    assert "南司〔2025〕1号" in page and "甲（MA01）" in page
    assert "黄司〔2024〕9号" not in page


def test_outside_recipient_through_the_form_is_refused(pages, auth):
    from evaluation.models import Award

    auth.login("m02")
    for data in (award_form(mediator=str(pages["md"].id)),
                 award_form(station=str(pages["room3"].id))):
        page = auth.post("/admin/awards/new/", data, follow_redirects=True).get_data(
            as_text=True)
        assert "超出您的管辖范围" in page
    both = auth.post("/admin/awards/new/", award_form(mediator=str(pages["ma"].id),
                                                      station=str(pages["room1"].id)))
    assert "不能同时填写" in both.get_data(as_text=True)
    assert Award.select().count() == 1  # only the fixture's outsider award


def test_outside_award_refused_by_id_and_export(pages, auth):
    from evaluation.models import Award

    auth.login("m02")
    outside = pages["outside"]
    assert_outsider_refused(auth, "awards", outside.id, "黄司〔2024〕9号",
                            edit_data=award_form(mediator=str(pages["ma"].id)),
                            lookups=[("mediator", "MD01", "MD01"),
                                     ("station", "QD-11", "QD-11-01")])
    stored = Award.get_by_id(outside.id)
    assert stored.mediator_id == pages["md"].id and stored.doc_no == "黄司〔2024〕9号"


def test_export_holds_own_awards(pages, auth):
    from evaluation.awards import create_award

    create_award({"award_type": "先进调解组织", "level": "city", "period": "2024Q1",
                  "doc_no": "青司〔2024〕5号", "awarded_on": dt.date(2024, 4, 2),
                  "station": pages["room1"]}, actor="t", scope=None)
    auth.login("m02")
    text = xlsx_text(auth.client.get("/admin/awards/export/xlsx/").get_data())
    # The XLSX gives the unit's code and name as two columns.
    assert "青司〔2024〕5号" in text and "\nQD-02-01\n中山路工作室\n" in text and "市级" in text
    assert "黄司〔2024〕9号" not in text


def test_trainer_reads_but_cannot_write(pages, auth):
    auth.login("t02")
    assert auth.client.get("/admin/awards/").status_code == 200
    response = auth.post("/admin/awards/new/", award_form(mediator=str(pages["ma"].id)))
    assert response.status_code in (302, 403)
    from evaluation.models import Award

    assert Award.select().count() == 1
    assert auth.client.get("/admin/nominations/").status_code == 403


def test_create_form_prefilled_only_inside_scope(pages, auth):
    auth.login("m02")
    page = auth.client.get(f"/admin/awards/new/?mediator={pages['ma'].id}&period=2024Q1"
                           "&award_type=季度优秀调解员").get_data(as_text=True)
    assert f'name="mediator" type="hidden" value="{pages["ma"].id}"' in page
    assert 'value="2024Q1"' in page
    assert '<option selected value="季度优秀调解员">' in page or (
        'value="季度优秀调解员" selected' in page)
    outsider = auth.client.get(f"/admin/awards/new/?mediator={pages['md'].id}").get_data(
        as_text=True)
    assert 'name="mediator" type="hidden">' in outsider


def test_nomination_page_ranks_and_links_to_the_award_form(pages, no_minimum, auth):
    auth.login("m02")
    response = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1&target=mediators")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("MA01") < page.index("MB01") < page.index("MC01")
    assert "MD01" not in page
    assert "75.00%" in page and "4,000.00" in page and "10.0" in page
    link = f"/admin/awards/new/?period=2024Q1&amp;award_type={quote('季度优秀调解员')}&amp;mediator="
    assert page.index(link + str(pages["ma"].id)) < page.index(link + str(pages["mb"].id))


def test_nomination_export(pages, no_minimum, auth):
    auth.login("m02")
    response = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("排名", "工号/编码", "名称", "所属机构编码", "所属机构名称", "调解成功率")
    assert sheet.cell(row=2, column=6).number_format == "0.00%"
    assert [r[1] for r in rows[1:]] == ["MA01", "MB01", "MC01"]
    assert rows[2][-2] == pytest.approx(0.40 + 0.25 / 3 + 0.025 + 0.15 + 0.10, abs=1e-4)


def test_nomination_page_minimum_caseload_scores_on_demand_and_unit(pages, auth):
    """Default minimum 5: MA01 (4 closed), MB01 (2), MC01 (1) are all listed, unranked."""
    auth.login("m02")
    page = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1").get_data(as_text=True)
    assert page.count("below-minimum") == 3 and "record-award" not in page
    assert "3 名结案数不足 5 件，列在最后、不参与排名" in page
    assert "中山路工作室" in page  # 所属机构
    assert "得分" not in page.split('id="nomination-table"')[1]
    with_scores = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1&scores=1")
    assert "调解成功率得分" in with_scores.get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(auth.client.get(
        "/admin/nominations/?org=QD-02&period=2024Q1&export=xlsx").get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] is None and rows[1][-1] == "结案数不足 5 件，不参与排名"


def test_nomination_custom_range_and_stations(pages, no_minimum, auth):
    auth.login("m02")
    page = auth.client.get("/admin/nominations/?org=QD-02&target=stations"
                           "&from=2024-03-01&to=2024-03-31").get_data(as_text=True)
    # March: only QD-02-01 (mb's two cases) closed anything; QD-02-02 received one
    assert page.index("QD-02-01") < page.index("QD-02-02")
    assert f"station={pages['room1'].id}" in page


def test_nomination_errors_and_scope(pages, auth):
    auth.login("m02")
    bad = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q7")
    assert bad.status_code == 400 and "统计期间" in bad.get_data(as_text=True)
    reversed_range = auth.client.get("/admin/nominations/?org=QD-02&from=2024-03-01&to=2024-01-01")
    assert reversed_range.status_code == 400
    assert "开始日期不能晚于结束日期" in reversed_range.get_data(as_text=True)
    assert auth.client.get("/admin/nominations/?org=QD-11&period=2024").status_code == 404
    auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.login("m11")
    assert auth.client.get("/admin/nominations/?org=QD-02&period=2024").status_code == 404


def test_report_download_matches_hand_counts(pages, auth):
    auth.login("m02")
    response = auth.client.get("/admin/reports/download?org=QD-02&period=2024Q1")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert list(rows) == ["中山路工作室", "八大峡工作室", "合计"]
    assert rows["合计"][2:9] == (8, 7, 5, 2, 0, 0.7143, 10400.0)


def test_report_errors_and_scope(pages, auth):
    auth.login("m02")
    bad = auth.client.get("/admin/reports/download?org=QD-02&period=2024-13")
    assert bad.status_code == 400 and "统计期间的月份" in bad.get_data(as_text=True)
    assert auth.client.get("/admin/reports/download?org=QD-11&period=2024").status_code == 404
    assert auth.client.get("/admin/reports/?org=QD-11").status_code == 404
    assert auth.client.get("/admin/reports/").status_code == 200
    auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.login("m11")
    assert auth.client.get("/admin/reports/download?org=QD-02&period=2024").status_code == 404
    auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.login("t02")
    assert auth.client.get("/admin/reports/download?org=QD-02-01&period=2024Q1").status_code == 200


def test_cli_report(pages, runner, tmp_path):
    out = tmp_path / "r.xlsx"
    result = runner.invoke(args=["stats", "report", "QD-02", "2024Q1", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(min_row=4, values_only=True))
    assert rows[-1][2:4] == (8, 7)
    bad = runner.invoke(args=["stats", "report", "QD-02", "2024Q9", str(out)])
    assert bad.exit_code != 0 and "统计期间" in bad.output
    unknown = runner.invoke(args=["stats", "report", "NOPE", "2024", str(out)])
    assert unknown.exit_code != 0 and "NOPE" in unknown.output


def test_create_form_defaults_for_a_county_manager(pages, auth):
    auth.login("m02")
    page = auth.client.get("/admin/awards/new/").get_data(as_text=True)
    assert '<option selected value="county">' in page
    assert f'value="{local_today().isoformat()}"' in page


def test_nomination_pages_continue_the_ranks(pages, no_minimum, auth, monkeypatch):
    import admin.evaluation.nominations as view

    monkeypatch.setattr(view, "PAGE_SIZE", 2)
    auth.login("m02")
    first = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1").get_data(as_text=True)
    assert "MA01" in first and "MB01" in first and "MC01" not in first
    assert 'id="nomination-pages"' in first
    second = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1&page=1")
    body = second.get_data(as_text=True)
    assert "MC01" in body and "MA01" not in body and "<td>3</td>" in body
    assert auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1&page=x").status_code == 200
    past = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1&page=9")
    body = past.get_data(as_text=True)  # past the end: the last page, ranks continued
    assert past.status_code == 200 and "MC01" in body and "MA01" not in body
    assert "<td>3</td>" in body
    negative = auth.client.get("/admin/nominations/?org=QD-02&period=2024Q1&page=-3")
    body = negative.get_data(as_text=True)
    assert negative.status_code == 200 and "MA01" in body and "MC01" not in body
