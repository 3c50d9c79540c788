"""培训课程: coordinators and the administrator keep the courses (checked, audited; a course
with sessions stays), managers read, mediators are refused; the list exports to XLSX."""
from __future__ import annotations

from network.audit import AuditLog
from tests.admin.scope_checks import xlsx_text
from training.models import Course, TrainingKind

BASE = "/admin/training/courses/"


def course_form(**changes) -> dict:
    data = {"name": "调解技巧进阶", "kind": str(TrainingKind.get(TrainingKind.code == "annual").id),
            "valid_months": "24", "description": "案例研讨"}
    return {**data, **changes}


def test_coordinator_creates_edits_and_deletes(people, network, auth, make_session):
    auth.login("t02")
    assert auth.post(f"{BASE}new/", course_form()).status_code == 302
    course = Course.get(Course.name == "调解技巧进阶")
    assert (course.valid_months, course.kind.code, course.description) == (24, "annual", "案例研讨")
    response = auth.post(f"{BASE}edit/?id={course.id}", course_form(valid_months=""))
    assert response.status_code == 302
    assert Course.get_by_id(course.id).valid_months is None  # no longer expires
    trail = [(e.action, e.changes_dict.get("valid_months")) for e in
             AuditLog.select().where(AuditLog.table == "course").order_by(AuditLog.id)]
    assert trail == [("create", [None, 24]), ("update", [24, None])]

    used = make_session(code="S1", host=network["shinan"]).course
    page = auth.post(f"{BASE}delete/", {"id": str(used.id)}, follow_redirects=True)
    assert "已有1个场次，不能删除" in page.get_data(as_text=True)
    assert Course.get_or_none(Course.id == used.id) is not None
    auth.post(f"{BASE}delete/", {"id": str(course.id)})
    assert Course.get_or_none(Course.id == course.id) is None


def test_bad_input_is_a_field_error(people, auth, make_session):
    existing = make_session(code="S1").course.name
    auth.login("t02")
    before = Course.select().count()
    for changes, message in (({"name": existing}, f"已有同名课程「{existing}」"),
                             ({"valid_months": "0"}, "应为1–240的整数"),
                             ({"valid_months": "241"}, "应为1–240的整数"),
                             ({"name": "  "}, "必填")):
        response = auth.post(f"{BASE}new/", course_form(**changes))
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), changes
    assert Course.select().count() == before


def test_manager_reads_mediator_refused(people, auth, make_session):
    course = make_session(code="S1").course
    auth.login("mgr02")
    page = auth.client.get(BASE).get_data(as_text=True)
    assert course.name in page and f"{BASE}new/" not in page
    auth.post(f"{BASE}new/", course_form())
    auth.post(f"{BASE}edit/?id={course.id}", course_form(name="改名"))
    auth.post(f"{BASE}delete/", {"id": str(course.id)})
    assert [c.name for c in Course.select()] == [course.name]
    export = auth.client.get(f"{BASE}export/xlsx/")
    assert export.status_code == 200 and course.name in xlsx_text(export.data)
    auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.login("med1")
    assert auth.client.get(BASE).status_code == 403
    assert auth.client.get(f"{BASE}details/?id={course.id}").status_code == 403


def test_kind_drop_down_offers_the_kinds_in_use_in_the_page_language(people, auth,
                                                                       make_session):
    """A retired kind is not offered for a new course and is refused if posted anyway; a
    course that has it keeps it when edited; in English the names are translated."""
    retired = TrainingKind.get(TrainingKind.code == "annual")
    retired.active = False
    retired.save()
    active = list(TrainingKind.select().where(TrainingKind.active == True))  # noqa: E712
    auth.login("t02")
    page = auth.client.get(f"{BASE}new/").get_data(as_text=True)
    assert f'value="{retired.id}"' not in page
    assert all(f'value="{kind.id}"' in page for kind in active)
    refused = auth.post(f"{BASE}new/", course_form())  # the retired kind's id
    assert refused.status_code == 200 and Course.get_or_none(Course.name == "调解技巧进阶") is None
    course = Course.create(name="旧课程", kind=retired)
    edit = auth.client.get(f"{BASE}edit/?id={course.id}").get_data(as_text=True)
    assert f'value="{retired.id}" selected' in edit or f'selected value="{retired.id}"' in edit
    assert auth.post(f"{BASE}edit/?id={course.id}",
                     course_form(name="旧课程", kind=str(retired.id))).status_code == 302
    auth.client.get("/lang/en")
    english = auth.client.get(f"{BASE}edit/?id={course.id}").get_data(as_text=True)
    assert "Annual training" in english and ">年度培训<" not in english
    assert "Annual training" in auth.client.get(BASE).get_data(as_text=True)


def test_county_coordinator_cannot_change_a_course_another_county_teaches(
        people, network, auth, make_session):
    """Renaming a course renames it on every session and certificate that names it: a county
    coordinator changes only courses whose sessions are all hosted in their county."""
    other = make_session(code="HD1", host=network["huangdao"], course="黄岛专用课程").course
    own = make_session(code="SN1", host=network["shinan"], course="市南课程").course
    auth.login("t02")
    form = course_form(name="改名", kind=str(other.kind_id))
    page = auth.post(f"{BASE}edit/?id={other.id}", form, follow_redirects=True)
    assert "管辖范围外的机构举办的场次" in page.get_data(as_text=True)
    assert Course.get_by_id(other.id).name == "黄岛专用课程"
    auth.post(f"{BASE}delete/", {"id": str(other.id)})
    assert Course.get_or_none(Course.id == other.id) is not None
    # their own county's course, and one with no session yet, they keep
    assert auth.post(f"{BASE}edit/?id={own.id}",
                     course_form(name="市南课程（新）", kind=str(own.kind_id))).status_code == 302
    assert Course.get_by_id(own.id).name == "市南课程（新）"
    auth.post("/logout")
    auth.login("admin1")  # the administrator: every county is theirs
    assert auth.post(f"{BASE}edit/?id={other.id}",
                     course_form(name="黄岛课程", kind=str(other.kind_id))).status_code == 302
    assert Course.get_by_id(other.id).name == "黄岛课程"
