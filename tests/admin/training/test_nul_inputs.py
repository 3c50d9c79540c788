"""A NUL character typed into a training form (PostgreSQL refuses it in any text; SQLite
would store it): text is stored without it, a 工号 or code holding one names nobody, and no
page answers 500. Meaningful on both backends: on SQLite the stored text is checked."""
from __future__ import annotations

from tests.admin.training.test_sessions_view import form
from training.models import Course, Enrolment, Session, TrainingKind
from training.sessions import audience_codes

BASE = "/admin/training/sessions/"


def test_session_course_and_audience(people, network, auth):
    auth.login("t02")
    assert auth.post(f"{BASE}new/", form(network, course="调解\x00技巧", confirm="y")
                     ).status_code == 302
    assert Session.get(Session.code == "QD02-001").course.name == "调解技巧"
    assert auth.post(f"{BASE}new/", form(network, code="QD02-002", audience_orgs="QD-0\x002",
                                         confirm="y")).status_code == 302
    assert audience_codes(Session.get(Session.code == "QD02-002")) == ["QD-02"]


def test_course_name_and_description(people, auth):
    auth.login("t02")
    kind = str(TrainingKind.get(TrainingKind.code == "annual").id)
    assert auth.post("/admin/training/courses/new/", {
        "name": "课\x00程", "kind": kind, "valid_months": "", "description": "a\x00b"}
    ).status_code == 302
    course = Course.get(Course.name == "课程")
    assert course.description == "ab"


def test_enrol_by_staff_no_and_cancel_reason(people, network, auth, make_session):
    session = make_session(host=network["shinan"], code="X1", status="open",
                           start="2030-03-02 09:00", end="2030-03-02 12:00")
    auth.login("t02")
    page = auth.post(f"/admin/training/enrolment/?session={session.id}",
                     {"mode": "list", "staff_nos": "M\x00001", "org": "", "grade": "4"}
                     ).get_data(as_text=True)
    assert "以下工号不存在、不在岗或超出您的管辖范围" in page
    assert not Enrolment.select().exists()
    assert auth.post(f"{BASE}cancel/?id={session.id}", {"reason": "下\x00雨"}).status_code == 302
    assert Session.get_by_id(session.id).cancel_reason == "下雨"
