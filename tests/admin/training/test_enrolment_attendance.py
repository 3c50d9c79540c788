"""报名管理 and 出勤登记 of one session: enrolment by organisation subtree and by list (seats,
waitlist in order), approval, the overlap warning, the all-or-nothing tick list with credited
hours per domain.md, the sign-in sheet, and the refusals of another district."""
from __future__ import annotations

from decimal import Decimal

from training.models import ENROLLED, PENDING, WAITLISTED, Attendance, Enrolment, Session

ENROL = "/admin/training/enrolment/"
ATTEND = "/admin/training/attendance/"


def statuses(session):
    return {e.mediator.staff_no: (e.status, e.queue_no)
            for e in Enrolment.select().where(Enrolment.session == session.id)}


def test_enrol_by_subtree_fills_seats_then_waitlist(people, network, auth, make_session,
                                                     make_mediator):
    make_mediator(network["room1"], staff_no="M004", name="王四")
    session = make_session(code="S1", host=network["shinan"], capacity=2)
    auth.login("t02")
    response = auth.post(f"{ENROL}?session={session.id}", {"mode": "org", "org": "QD-02"})
    assert response.status_code == 302
    # QD-02's subtree holds M001, M002, M004 (by 工号): two seats, the third waits first in line.
    assert statuses(session) == {"M001": (ENROLLED, None), "M002": (ENROLLED, None),
                                 "M004": (WAITLISTED, 1)}
    page = auth.client.get(f"{ENROL}?session={session.id}").get_data(as_text=True)
    assert 'id="seats-left">0<' in page
    assert "M004" in page.split('id="waitlist"')[1]


def test_enrol_by_list_refuses_unknown_or_outside(people, network, auth, make_session):
    session = make_session(code="S1", host=network["shinan"])
    auth.login("t02")
    page = auth.post(f"{ENROL}?session={session.id}",
                     {"mode": "list", "staff_nos": "M001, M003"}).get_data(as_text=True)
    assert "以下工号不存在、不在岗或超出您的管辖范围：M003" in page
    assert statuses(session) == {}
    response = auth.post(f"{ENROL}?session={session.id}", {"mode": "list", "staff_nos": "M001"})
    assert response.status_code == 302
    assert statuses(session) == {"M001": (ENROLLED, None)}


def test_enrol_by_organisation_of_another_district_is_refused(people, network, auth,
                                                              make_session):
    session = make_session(code="S1", host=network["shinan"])
    auth.login("t02")
    # outside, unknown and empty answer alike (codes cannot be probed), as the field's message
    # on the form rather than a bare 404 page that loses it
    for code in ("QD-11", "NOPE", ""):
        response = auth.post(f"{ENROL}?session={session.id}", {"mode": "org", "org": code})
        assert response.status_code == 200, code
        assert "机构编码不存在或超出您的管辖范围" in response.get_data(as_text=True)
    assert statuses(session) == {}


def test_overlap_warning_must_be_confirmed(people, network, auth, make_session):
    from training.enrolment import enrol_many

    first = make_session(code="A", host=network["shinan"])
    enrol_many(first, [people["m1"]], actor="test", scope=None)
    second = make_session(code="B", host=network["shinan"], start="2026-03-02 10:00",
                          end="2026-03-02 11:00", hours="1")
    auth.login("t02")
    data = {"mode": "list", "staff_nos": "M001"}
    page = auth.post(f"{ENROL}?session={second.id}", data).get_data(as_text=True)
    assert "同时段已报名场次「A」" in page
    assert statuses(second) == {}
    auth.post(f"{ENROL}?session={second.id}", {**data, "confirm": "y"})
    assert statuses(second) == {"M001": (ENROLLED, None)}


def test_enrolling_outside_the_audience_must_be_confirmed(people, network, auth, make_session):
    """A coordinator may enrol someone the session is not meant for (a stand-in), but only
    after seeing why: here M001 is ungraded and the session is for 三级 and above."""
    session = make_session(code="G", host=network["shinan"], audience_grades="三级、二级、一级")
    auth.login("t02")
    data = {"mode": "list", "staff_nos": "M001"}
    page = auth.post(f"{ENROL}?session={session.id}", data).get_data(as_text=True)
    assert "等级不在本场次面向的等级（三级；二级；一级）" in page
    assert statuses(session) == {}
    auth.post(f"{ENROL}?session={session.id}", {**data, "confirm": "y"})
    assert statuses(session) == {"M001": (ENROLLED, None)}


def test_pending_sign_up_is_approved(people, network, auth, make_session):
    from training.enrolment import sign_up

    session = make_session(code="P", host=network["shinan"], needs_approval=True,
                           status="open", start="2099-03-02 09:00", end="2099-03-02 12:00")
    pending = sign_up(session, people["m1"], actor="med1")
    assert pending.status == PENDING
    auth.login("mgr02")
    response = auth.post(f"{ENROL}approve/?session={session.id}", {"enrolment": pending.id})
    assert response.status_code == 302
    assert Enrolment.get_by_id(pending.id).status == ENROLLED
    assert Session.get_by_id(session.id).booked == 1


def test_manager_cannot_enrol(people, network, auth, make_session):
    session = make_session(code="S1", host=network["shinan"])
    auth.login("mgr02")
    assert auth.client.get(f"{ENROL}?session={session.id}").status_code == 200
    response = auth.post(f"{ENROL}?session={session.id}", {"mode": "list", "staff_nos": "M001"})
    assert response.status_code == 403
    assert statuses(session) == {}


def seated(session, *mediators):
    from training.enrolment import enrol_many

    enrol_many(session, list(mediators), actor="test", scope=None)


def test_attendance_tick_list_credits_hours(people, network, auth, make_session):
    # 3 hours over 180 minutes: late with 100 minutes present → 3 × 100/180 = 1.67 → 1.5.
    session = make_session(code="S1", host=network["shinan"])
    seated(session, people["m1"], people["m2"])
    m1, m2 = people["m1"].id, people["m2"].id
    auth.login("t02")
    response = auth.post(f"{ATTEND}?session={session.id}",
                         {f"status-{m1}": "present", f"status-{m2}": "late",
                          f"minutes-{m2}": "100"})
    assert response.status_code == 302
    credited = {a.mediator_id: a.credited for a in Attendance.select()}
    assert credited == {m1: Decimal("3.0"), m2: Decimal("1.5")}
    page = auth.client.get(f"{ATTEND}?session={session.id}").get_data(as_text=True)
    assert ">1.5<" in page and ">3.0<" in page


def test_attendance_saves_nothing_when_a_row_is_wrong(people, network, auth, make_session):
    session = make_session(code="S1", host=network["shinan"])
    seated(session, people["m1"], people["m2"])
    m1, m2 = people["m1"].id, people["m2"].id
    auth.login("t02")
    page = auth.post(f"{ATTEND}?session={session.id}",
                     {f"status-{m1}": "present", f"status-{m2}": "left_early",
                      f"minutes-{m2}": "999"}).get_data(as_text=True)
    assert "实到分钟应在1到180之间（场次计划时长）" in page
    assert 'value="999"' in page
    assert Attendance.select().count() == 0


def test_sign_in_sheet_is_a_pdf_with_the_roster(people, network, auth, make_session):
    session = make_session(code="S1", host=network["shinan"])
    seated(session, people["m1"])
    auth.login("t02")
    response = auth.client.get(f"{ATTEND}sheet.pdf?session={session.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_other_district_is_refused(people, network, auth, make_session):
    outsider = make_session(code="HD", host=network["room3"])
    seated(outsider, people["m3"])
    auth.login("t02")
    for url in (f"{ENROL}?session={outsider.id}", f"{ATTEND}?session={outsider.id}",
                f"{ATTEND}sheet.pdf?session={outsider.id}"):
        assert auth.client.get(url).status_code == 404
    m3 = people["m3"].id
    assert auth.post(f"{ATTEND}?session={outsider.id}",
                     {f"status-{m3}": "absent"}).status_code == 404
    assert auth.post(f"{ENROL}?session={outsider.id}",
                     {"mode": "list", "staff_nos": "M003"}).status_code == 404
    assert auth.post(f"{ENROL}approve/?session={outsider.id}",
                     {"enrolment": "1"}).status_code == 404
    assert auth.client.get(f"{ENROL}?session=abc").status_code == 404
    assert Attendance.select().count() == 0
    assert Session.get_by_id(outsider.id).booked == 1


def test_mediator_is_refused(people, network, auth, make_session):
    session = make_session(code="S1", host=network["shinan"])
    auth.login("med1")
    assert auth.client.get(f"{ENROL}?session={session.id}").status_code == 403
    assert auth.client.get(f"{ATTEND}?session={session.id}").status_code == 403


def test_enrol_by_grade_takes_the_grade_on_the_session_day(people, network, auth,
                                                            make_session):
    from org.grades import change_grade

    # 市南: M001 三级, M002 四级 until its promotion after the session; 黄岛's M003 三级.
    change_grade(people["m1"], "3", "2025-01-01", "initial", actor="t", scope=None)
    change_grade(people["m2"], "4", "2025-01-01", "initial", actor="t", scope=None)
    change_grade(people["m2"], "3", "2026-03-10", "promotion", actor="t", scope=None)
    change_grade(people["m3"], "3", "2025-01-01", "initial", actor="t", scope=None)
    session = make_session(code="S1", host=network["shinan"])  # 2026-03-02
    auth.login("t02")
    response = auth.post(f"{ENROL}?session={session.id}", {"mode": "grade", "grade": "3"})
    assert response.status_code == 302
    assert statuses(session) == {"M001": (ENROLLED, None)}
    response = auth.post(f"{ENROL}?session={session.id}", {"mode": "grade", "grade": "4"})
    assert statuses(session) == {"M001": (ENROLLED, None), "M002": (ENROLLED, None)}
    page = auth.post(f"{ENROL}?session={session.id}",
                     {"mode": "grade", "grade": "1"}).get_data(as_text=True)
    assert "没有符合条件的在岗调解员" in page
    assert "M003" not in statuses(session)


def test_attendance_waits_for_the_session_to_begin(people, network, auth, make_session):
    from training.enrolment import enrol_many

    ahead = make_session(code="F1", host=network["shinan"], start="2030-03-02 09:00",
                         end="2030-03-02 12:00")
    enrol_many(ahead, [people["m1"]], actor="t", scope=None)
    auth.login("t02")
    url = f"/admin/training/attendance/?session={ahead.id}"
    page = auth.client.get(url).get_data(as_text=True)
    assert "场次「F1」尚未开始（2030-03-02 09:00），不能登记出勤" in page
    assert "保存出勤" not in page and "disabled" in page
    response = auth.post(url, {f"status-{people['m1'].id}": "present"})  # posted anyway
    assert response.status_code == 200 and "尚未开始" in response.get_data(as_text=True)
    assert not Attendance.select().exists()
