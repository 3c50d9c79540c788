"""The round's summary, the grade distribution per organisation and promotions per round:
tables (hand-counted), chart options, XLSX, and the scope."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from promotion import rounds
from promotion.rounds import Actor
from tests.admin.promotion.conftest import ROUND_FORM, switch
from tests.admin.scope_checks import xlsx_text

d = dt.date


def table(page: str, name: str) -> list[list[str]]:
    body = re.search(rf'id="table-{name}">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.fixture
def finished(round_world):
    """E010 (三级 → 二级): station, county, city, 公示, an objection dismissed, approved and in
    effect on 2025-09-01. E020 (QD-11-01): submitted, passed by its station, rejected by the
    county. E001 and E002 are not eligible and do not apply."""
    w = round_world
    city, shinan, huangdao = (Actor("city", w["city"]), Actor("m02", w["shinan"]),
                              Actor("m11", w["huangdao"]))
    round_ = rounds.open_round(ROUND_FORM, actor=city, on=d(2025, 7, 2))
    a = rounds.apply(round_, w["e10"], actor=Actor("e010", None, w["e10"].id), on=d(2025, 7, 2))
    rounds.act(a, "submit", actor=Actor("e010", None, w["e10"].id), on=d(2025, 7, 2))
    rounds.act(a, "pass", actor=Actor("r01", w["room1"]), on=d(2025, 7, 3))
    rounds.act(a, "pass", actor=shinan, on=d(2025, 7, 10))
    rounds.act(a, "approve", actor=city, on=d(2025, 7, 16))
    objection = rounds.file_objection(a, "存疑", actor=Actor("t02"), on=d(2025, 7, 18))
    rounds.answer_objection(objection, False, "不成立", actor=city, on=d(2025, 7, 18))
    rounds.close_notices(round_, actor=city, on=d(2025, 7, 30))
    rounds.take_effect(round_, actor=city, on=d(2025, 9, 1))
    b = rounds.apply(round_, w["e20"], actor=Actor("e020", None, w["e20"].id), on=d(2025, 7, 2))
    rounds.act(b, "submit", actor=Actor("e020", None, w["e20"].id), on=d(2025, 7, 2))
    rounds.act(b, "pass", actor=Actor("r03", w["room3"]), on=d(2025, 7, 3))
    rounds.act(b, "reject", actor=huangdao, comment="材料不全", on=d(2025, 7, 10))
    return round_


def test_round_summary(finished, auth):
    switch(auth, "city")
    response = auth.client.get(f"/admin/promotion-charts/round/{finished.id}/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert table(page, "steps") == [["申报（已提交）", "2"], ["工作站预审通过", "2"],
                                    ["区县审核通过", "1"], ["市级决定批准", "1"],
                                    ["批准（含已生效）", "1"]]
    assert table(page, "objections") == [["待处理", "0"], ["异议成立", "0"], ["异议不成立", "1"]]
    assert table(page, "grades") == [["一级", "0"], ["二级", "1"], ["三级", "0"], ["四级", "0"]]
    assert table(page, "orgs") == [["市南区工作站", "1"]]
    assert 'data-chart="steps"' in page and "promotion-chart-data" in page
    book = xlsx_text(auth.client.get(
        f"/admin/promotion-charts/round/{finished.id}/?export=steps").get_data())
    assert "区县审核通过" in book
    assert auth.client.get(f"/admin/promotion-charts/round/{finished.id}/?export=nope"
                           ).status_code == 404


def test_round_summary_only_for_its_owner(finished, auth):
    for user, status in (("m02", 403), ("m11", 403), ("e010", 403), ("root", 200)):
        switch(auth, user)
        url = f"/admin/promotion-charts/round/{finished.id}/"
        assert auth.client.get(url).status_code == status, user
        assert auth.client.get(url + "?export=orgs").status_code == status, user
    assert auth.client.get("/admin/promotion-charts/round/999999/").status_code == 404


def test_distribution_and_rounds(finished, round_world, auth, make_mediator):
    make_mediator(round_world["city"], staff_no="E003", name="己调解员")  # 未定级, at QD itself
    switch(auth, "city")
    page = auth.client.get("/admin/promotion-charts/").get_data(as_text=True)
    # 机构, 一级, 二级, 三级, 四级, 未定级, 合计 — today E010 is 二级 (in effect since 2025-09-01)
    assert table(page, "distribution") == [
        ["市南区工作站", "0", "1", "0", "1", "0", "2"],
        ["黄岛区工作站", "0", "0", "2", "0", "0", "2"],
        ["青岛市中心（本级）", "0", "0", "0", "0", "1", "1"]]
    assert table(page, "rounds") == [["2025年度晋升", "0", "1", "0", "0", "1"]]
    assert "/admin/promotion-charts/?org=QD-02" in page  # the drill-down
    book = xlsx_text(auth.client.get("/admin/promotion-charts/?export=distribution"
                                     ).get_data())
    assert "黄岛区工作站" in book


def test_distribution_scoped(finished, auth):
    switch(auth, "m02")
    page = auth.client.get("/admin/promotion-charts/?org=QD-02").get_data(as_text=True)
    assert table(page, "distribution") == [
        ["中山路工作室", "0", "1", "0", "1", "0", "2"],
        ["八大峡工作室", "0", "0", "0", "0", "0", "0"]]
    assert "黄岛" not in page
    for url in ("/admin/promotion-charts/?org=QD", "/admin/promotion-charts/?org=QD-11",
                "/admin/promotion-charts/?org=QD-11&export=distribution"):
        assert auth.client.get(url).status_code == 404, url  # outside: as if unknown
    switch(auth, "m11")
    page = auth.client.get("/admin/promotion-charts/").get_data(as_text=True)
    assert "2025年度晋升" not in page and "暂无数据" in page  # the round promoted no one here
    switch(auth, "e001")
    assert auth.client.get("/admin/promotion-charts/").status_code == 403
