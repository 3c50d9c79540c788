"""A round through the portal: open (snapshot), apply, the three reviews, 公示 with an
objection dismissed, close, take effect; and every refusal on the way.

Dates: opened 2025-07-02 (reference 2025-07-01, deadline 07-31, effective 09-01, 5 working
days of notice). The city approves on 2025-07-16 (Thursday): the notice runs the five working
days after it, 07-17, 18, 21, 22, 23 (no holiday in the calendar), so it ends 2025-07-23.
"""
from __future__ import annotations

import datetime as dt

import pytest

from network.models import AuditLog
from org.grades import standing
from promotion.models import Application, Objection, PromotionRound, Snapshot
from tests.admin.promotion.conftest import ROUND_FORM, switch

d = dt.date


def open_round(auth, **extra):
    return auth.post("/admin/rounds/open/", {**ROUND_FORM, **extra})


@pytest.fixture
def opened(round_world, auth):
    switch(auth, "city")
    response = open_round(auth)
    assert response.status_code == 302
    return PromotionRound.get()


def app_of(mediator):
    return Application.get(Application.mediator == mediator)


def act(auth, application, action, comment="同意"):
    return auth.post(f"/admin/rounds/application/{application.id}/act/",
                     {"action": action, "comment": comment})


def test_open_round_freezes_and_says_so(round_world, auth):
    switch(auth, "city")
    response = open_round(auth)
    assert response.status_code == 302
    round_ = PromotionRound.get()
    # the city's four mediators (E001, E002, E010, E020), two eligible (E010, E020)
    assert Snapshot.select().where(Snapshot.round == round_).count() == 4
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "冻结了4名调解员的资格快照，其中2名符合条件" in page
    assert AuditLog.select().where(AuditLog.table == "promotion_round").count() == 1


def test_open_round_errors_and_refusals(round_world, auth):
    switch(auth, "city")
    response = open_round(auth, deadline="2025-06-30", notice_days="0", name="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "申报截止日期不能早于今天" in page and "公示天数应为1到30之间的整数" in page
    assert 'value="2025-07-01"' in page  # what was typed is kept
    response = open_round(auth, reference_date="0001-01-01")  # no window a year before it
    assert response.status_code == 400
    assert "日期应在 1901-01-01 至 2999-12-31 之间" in response.get_data(as_text=True)
    switch(auth, "m02")  # a county may not open a round
    assert open_round(auth).status_code == 403
    switch(auth, "e001")
    assert open_round(auth).status_code == 403
    assert PromotionRound.select().count() == 0


def test_whole_round_in_the_portal(opened, round_world, auth, clock):
    e10 = round_world["e10"]
    switch(auth, "e010")
    page = auth.client.get(f"/admin/rounds/{opened.id}/").get_data(as_text=True)
    assert "my-snapshot" in page and "apply-form" in page
    assert auth.post(f"/admin/rounds/{opened.id}/apply/", {}).status_code == 302
    application = app_of(e10)
    assert application.state == "draft" and application.to_grade == "2"
    act(auth, application, "submit")
    assert app_of(e10).state == "station"
    # the county cannot act before the station: the domain's refusal is shown, nothing moves
    switch(auth, "m02")
    response = act(auth, application, "pass")
    assert response.status_code == 302
    assert app_of(e10).state == "station"
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "此步骤应由「中山路工作室」办理" in page
    switch(auth, "r01")
    assert "review-queue" in auth.client.get("/admin/rounds/").get_data(as_text=True)
    act(auth, application, "return", comment="")  # returning needs a comment
    assert app_of(e10).state == "station"
    act(auth, application, "pass", "材料齐全")
    switch(auth, "m02")
    clock.day = d(2025, 7, 10)
    act(auth, application, "pass", "同意")
    assert app_of(e10).state == "city"
    switch(auth, "city")
    clock.day = d(2025, 7, 16)
    act(auth, application, "approve", "同意晋升")
    assert app_of(e10).state == "notice"
    # 公示: public, no login
    switch_out(auth)
    page = auth.client.get("/notice/").get_data(as_text=True)
    assert "丁调解员" in page and "2025-07-23" in page and "object-form" not in page
    response = auth.client.post(f"/notice/{application.id}/object", data={"reason": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # any logged-in user objects; the deciding level (the city, for 二级) dismisses it
    auth.login("t02")
    clock.day = d(2025, 7, 18)
    auth.post(f"/notice/{application.id}/object", {"reason": "办案数量存疑"})
    assert app_of(e10).state == "objection"
    objection = Objection.get()
    switch(auth, "m02")  # not the deciding level for 二级
    auth.post(f"/admin/rounds/objection/{objection.id}/answer/",
              {"upheld": "0", "answer": "不成立"})
    assert app_of(e10).state == "objection"
    switch(auth, "city")
    auth.post(f"/admin/rounds/objection/{objection.id}/answer/",
              {"upheld": "0", "answer": "经核实，案件数量无误"})
    application = app_of(e10)
    assert application.state == "notice"
    # one working day (07-17) served before the objection on 07-18: four remain from 07-18
    assert application.notice_days_left == 4
    # the owner closes the notices that have run, then the promotion takes effect
    clock.day = d(2025, 7, 24)
    auth.post(f"/admin/rounds/{opened.id}/step/", {"step": "close_notices"})
    assert app_of(e10).state == "notice"  # runs to 07-24 (07-21, 22, 23, 24)
    clock.day = d(2025, 7, 25)
    auth.post(f"/admin/rounds/{opened.id}/step/", {"step": "close_notices"})
    assert app_of(e10).state == "approved"
    response = auth.post(f"/admin/rounds/{opened.id}/step/", {"step": "take_effect"})
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "未到生效日期 2025-09-01" in page and app_of(e10).state == "approved"
    clock.day = d(2025, 9, 1)
    auth.post(f"/admin/rounds/{opened.id}/step/", {"step": "take_effect"})
    assert app_of(e10).state == "effective"
    assert standing(e10, d(2025, 9, 1)).grade == "2"
    actions = [a for (a,) in AuditLog.select(AuditLog.action).where(
        AuditLog.table == "promotion_application").order_by(AuditLog.id).tuples()]
    assert actions == ["create", "submit", "pass", "pass", "approve", "object", "dismiss",
                       "close_notice", "take_effect"]


def switch_out(auth):
    auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.token = None


def test_refusals_outside_scope_and_own(opened, round_world, auth, clock):
    e10, e20 = round_world["e10"], round_world["e20"]
    switch(auth, "e010")
    auth.post(f"/admin/rounds/{opened.id}/apply/", {})
    application = app_of(e10)
    act(auth, application, "submit")
    # the other county sees the round but not the application, and cannot act on it
    switch(auth, "m11")
    page = auth.client.get(f"/admin/rounds/{opened.id}/").get_data(as_text=True)
    assert "丁调解员" not in page
    assert auth.client.get(f"/admin/rounds/application/{application.id}/").status_code == 404
    assert act(auth, application, "pass").status_code == 404
    # nominating a mediator of another county by 工号
    switch(auth, "r01")
    # another county's 工号 answers like one nobody holds
    assert auth.post(f"/admin/rounds/{opened.id}/apply/",
                     {"staff_no": "E020"}).status_code == 404
    assert auth.post(f"/admin/rounds/{opened.id}/apply/",
                     {"staff_no": "NOPE"}).status_code == 404
    # another mediator reads neither the application nor acts on it
    switch(auth, "e020")
    assert auth.client.get(f"/admin/rounds/application/{application.id}/").status_code == 404
    assert act(auth, application, "submit").status_code == 404
    assert auth.client.get("/admin/rounds/999999/").status_code == 404
    assert auth.client.get("/admin/rounds/application/abc/").status_code == 404
    assert app_of(e10).state == "station"
    assert Application.select().where(Application.mediator == e20).count() == 0
    # an ineligible mediator cannot apply; after the deadline nobody can
    switch(auth, "e001")
    response = auth.post(f"/admin/rounds/{opened.id}/apply/", {})
    assert "未达到晋升条件" in auth.client.get(response.headers["Location"]).get_data(
        as_text=True)
    clock.day = d(2025, 8, 1)
    switch(auth, "e020")
    response = auth.post(f"/admin/rounds/{opened.id}/apply/", {})
    assert "已过申报截止日期 2025-07-31" in auth.client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert Application.select().count() == 1


def test_station_nominates(opened, round_world, auth):
    switch(auth, "r03")
    response = auth.post(f"/admin/rounds/{opened.id}/apply/", {"staff_no": "E020"})
    assert response.status_code == 302
    application = app_of(round_world["e20"])
    assert application.nominated is True and application.applied_by == "r03"


def test_cli_applies_due_decisions(opened, round_world, auth, clock, runner):
    e10 = round_world["e10"]
    switch(auth, "e010")
    auth.post(f"/admin/rounds/{opened.id}/apply/", {})
    application = app_of(e10)
    act(auth, application, "submit")
    switch(auth, "r01")
    act(auth, application, "pass")
    switch(auth, "m02")
    act(auth, application, "pass")
    switch(auth, "city")
    clock.day = d(2025, 7, 16)
    act(auth, application, "approve")
    bad = runner.invoke(args=["promotion", "effect", "--on", "2025-13-24"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output and bad.exception is not None
    assert app_of(e10).state == "notice"  # a wrong date changes nothing
    result = runner.invoke(args=["promotion", "effect", "--on", "2025-07-24"])
    assert "1 公示期满, 0 生效" in result.output
    assert app_of(e10).state == "approved"
    result = runner.invoke(args=["promotion", "effect", "--on", "2025-09-01"])
    assert "0 公示期满, 1 生效" in result.output
    assert app_of(e10).state == "effective"
    assert standing(e10, d(2025, 9, 2)).grade == "2"


def test_objection_needs_a_reason_and_a_notice(opened, round_world, auth, clock):
    e10 = round_world["e10"]
    switch(auth, "e010")
    auth.post(f"/admin/rounds/{opened.id}/apply/", {})
    application = app_of(e10)
    act(auth, application, "submit")
    switch(auth, "t02")  # not on 公示 yet: nothing to object to
    assert auth.post(f"/notice/{application.id}/object", {"reason": "x"}).status_code == 404
    assert auth.post("/notice/abc/object", {"reason": "x"}).status_code == 404
    for user, action in (("r01", "pass"), ("m02", "pass"), ("city", "approve")):
        switch(auth, user)
        act(auth, application, action)
    switch(auth, "t02")
    response = auth.post(f"/notice/{application.id}/object", {"reason": "  "})
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "请填写异议理由" in page
    assert app_of(e10).state == "notice" and Objection.select().count() == 0
