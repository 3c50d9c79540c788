"""The ladder page, a mediator's grade history with change and revert, the mediator list's
等级 column and filter, and the complaints list: happy paths and every refusal."""
from __future__ import annotations

from network.models import AuditLog
from org.models import Complaint, GradeChange, GradeStep
from tests.admin.promotion.conftest import switch
from tests.admin.scope_checks import assert_outsider_refused


def step(grade):
    return GradeStep.get(GradeStep.from_grade == grade)


def step_form(s, **extra):
    data = {"months_at_grade": "12", "closed_cases": "10", "success_rate": "0.6",
            "training_hours": "20", "decided_by": "county", "awards_bonus": "0", **extra}
    return data


def test_admin_edits_a_step_audited(world, auth):
    auth.login("root")
    four = step("4")
    page = auth.client.get("/admin/ladder/").get_data(as_text=True)
    assert "step-form-4" in page
    response = auth.post(f"/admin/ladder/{four.id}/", step_form(four, closed_cases="8",
                                                                 awards_bonus="1"))
    assert response.status_code == 302
    four = step("4")
    assert (four.closed_cases, four.awards_bonus, four.updated_by) == (8, True, "root")
    log = AuditLog.select().where(AuditLog.table == "grade_step").get()
    assert log.actor == "root" and "closed_cases" in log.changes


def test_ladder_field_errors_keep_the_step(world, auth):
    auth.login("root")
    four = step("4")
    response = auth.post(f"/admin/ladder/{four.id}/", step_form(
        four, success_rate="1.5", training_hours="abc"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "成功率应为0到1之间" in page and "应为数字" in page
    assert step("4").closed_cases == 10
    # an id past the databases' integer range names no step (SQLite's driver raised)
    assert auth.post("/admin/ladder/99999999999999999999/",
                     step_form(four, closed_cases="8")).status_code == 404


def test_ladder_read_only_for_others(world, auth):
    for user in ("city", "t02"):
        switch(auth, user)
        page = auth.client.get("/admin/ladder/")
        assert page.status_code == 200 and "step-form-4" not in page.get_data(as_text=True)
        four = step("4")
        assert auth.post(f"/admin/ladder/{four.id}/", step_form(four, closed_cases="1")
                         ).status_code == 403
    assert step("4").closed_cases == 10
    switch(auth, "e001")
    assert auth.client.get("/admin/ladder/").status_code == 403


def change_form(**extra):
    return {"reason": "promotion", "grade": "3", "effective": "2025-01-01",
            "doc_no": "南司〔2025〕3号", "note": "", **extra}


def test_manager_changes_and_reverts(world, auth):
    e1 = world["e1"]
    auth.login("m02")
    page = auth.client.get(f"/admin/grades/{e1.id}/").get_data(as_text=True)
    assert "四级" in page and "2024-01-01" in page
    response = auth.post(f"/admin/grades/{e1.id}/change/", change_form())
    assert response.status_code == 302
    latest = GradeChange.select().where(GradeChange.mediator == e1).order_by(
        GradeChange.id.desc()).get()
    assert (latest.grade, latest.doc_no, latest.recorded_by) == ("3", "南司〔2025〕3号", "m02")
    first = GradeChange.select().where(GradeChange.mediator == e1).order_by(GradeChange.id).get()
    # only the latest can be reverted, and a reason is required
    response = auth.post(f"/admin/grades/revert/{first.id}/", {"revert_reason": "错了"})
    assert response.status_code == 400 and "只能撤回最近一次等级变更" in response.get_data(
        as_text=True)
    response = auth.post(f"/admin/grades/revert/{latest.id}/", {"revert_reason": ""})
    assert response.status_code == 400
    assert GradeChange.get_by_id(latest.id).reverted_at is None
    response = auth.post(f"/admin/grades/revert/{latest.id}/", {"revert_reason": "文号有误"})
    assert response.status_code == 302
    latest = GradeChange.get_by_id(latest.id)
    assert latest.reverted_by == "m02" and latest.revert_reason == "文号有误"
    assert AuditLog.select().where((AuditLog.table == "grade_change")
                                   & (AuditLog.action == "revert")).count() == 1
    details = auth.client.get(f"/admin/mediators/details/?id={e1.id}").get_data(as_text=True)
    assert "grade-history" in details and "文号有误" in details


def test_change_errors_show_and_store_nothing(world, auth):
    e1 = world["e1"]
    auth.login("m02")
    before = GradeChange.select().count()
    # a promotion must go up, initial grading happens once, the date may not go back
    for data, text in ((change_form(grade="4"), "晋升后的等级应高于现等级"),
                       (change_form(reason="initial"), "已有定级记录"),
                       (change_form(effective="2023-01-01"), "不能早于最近一次等级变更"),
                       (change_form(effective="not a date"), "")):
        response = auth.post(f"/admin/grades/{e1.id}/change/", data)
        assert response.status_code == 400
        assert text in response.get_data(as_text=True)
    assert GradeChange.select().count() == before


def test_grade_refusals(world, auth):
    e1, e2 = world["e1"], world["e2"]
    change2 = GradeChange.get(GradeChange.mediator == e2)
    auth.login("m02")
    assert auth.client.get(f"/admin/grades/{e2.id}/").status_code == 404  # as if unknown
    assert auth.client.get("/admin/grades/999999/").status_code == 404
    assert auth.client.get("/admin/grades/99999999999999999999999/").status_code == 404
    assert auth.post(f"/admin/grades/{e2.id}/change/", change_form(grade="2")).status_code == 404
    assert auth.post(f"/admin/grades/revert/{change2.id}/",
                     {"revert_reason": "x"}).status_code == 404
    assert GradeChange.get_by_id(change2.id).reverted_at is None
    assert GradeChange.select().where(GradeChange.mediator == e2).count() == 1
    switch(auth, "t02")  # a trainer reads, never writes
    assert auth.client.get(f"/admin/grades/{e1.id}/").status_code == 200
    assert auth.post(f"/admin/grades/{e1.id}/change/", change_form()).status_code == 403
    switch(auth, "e001")
    assert auth.client.get(f"/admin/grades/{e1.id}/").status_code == 403


def test_mediator_list_grade_column_and_filter(world, auth, make_mediator):
    make_mediator(world["room2"], staff_no="E003", name="丙调解员")  # 未定级
    auth.login("root")
    page = auth.client.get("/admin/mediators/").get_data(as_text=True)
    assert "专业等级" in page and "四级" in page and "三级" in page and "未定级" in page
    for value, shown, hidden in (("4", "E001", "E002"), ("3", "E002", "E001"),
                                 ("none", "E003", "E001")):
        body = auth.client.get(f"/admin/mediators/?flt0_{grade_filter_index()}={value}"
                               ).get_data(as_text=True)
        assert shown in body and hidden not in body, value


def grade_filter_index() -> int:
    from admin.org.mediators import MediatorView

    return next(i for i, f in enumerate(MediatorView.column_filters)
                if str(f.name) == "专业等级")


def test_complaints_scoped(world, auth):
    auth.login("m02")
    page = auth.client.get("/admin/complaints/").get_data(as_text=True)
    assert "态度差" in page and "黄岛的投诉" not in page
    outsider = Complaint.get(Complaint.summary == "黄岛的投诉")
    assert_outsider_refused(auth, "complaints", outsider.id, "黄岛的投诉",
                            edit_data={"mediator": str(world["e2"].id), "filed_on": "2025-03-02",
                                       "upheld": "y", "summary": "改了"},
                            lookups=[("mediator", "E002", "E002")])
    assert Complaint.get_by_id(outsider.id).summary == "黄岛的投诉"
    # recording one for the other county's mediator by typing its id is refused
    response = auth.post("/admin/complaints/new/", {
        "mediator": str(world["e2"].id), "filed_on": "2025-04-01", "upheld": "y",
        "summary": "越权"})
    assert Complaint.select().where(Complaint.summary == "越权").count() == 0
    assert response.status_code in (200, 302)


def test_complaint_recorded_and_audited(world, auth):
    auth.login("m02")
    response = auth.post("/admin/complaints/new/", {
        "mediator": str(world["e1"].id), "filed_on": "2025-04-01", "upheld": "y",
        "summary": "新投诉"})
    assert response.status_code == 302
    c = Complaint.get(Complaint.summary == "新投诉")
    assert c.upheld is True and c.recorded_by == "m02"
    assert AuditLog.select().where((AuditLog.table == "complaint")
                                   & (AuditLog.actor == "m02")).count() == 1
    switch(auth, "e001")
    assert auth.client.get("/admin/complaints/").status_code == 403
