"""待审批: a room's manager approves or rejects their own mediators' sign-ups for a session
hosted above them (the city), which 报名管理 would not even open for them; a sign-up of a
mediator outside their room answers 404 like a missing one and stays pending."""
from __future__ import annotations

import datetime as dt

import pytest

from network.dates import local_today
from training.models import ENROLLED, PENDING, REJECTED, Enrolment, Session

URL = "/admin/training/approvals/"


def future(days: int, hour: int = 9) -> str:
    return (local_today() + dt.timedelta(days=days)).strftime(f"%Y-%m-%d {hour:02d}:00")


@pytest.fixture
def asked(people, network, make_session, make_user):
    """A city-hosted session needing approval; M001 (QD-02-01), M002 (QD-02-02) and M003
    (QD-11-01) signed up; mgr0201 manages the room QD-02-01 only."""
    from training.enrolment import sign_up

    session = make_session(code="CITY", host=network["city"], needs_approval=True,
                           status="open", start=future(9), end=future(9, 12), capacity=5)
    make_user("mgr0201", role="manager", organization=network["room1"])
    rows = {key: sign_up(session, people[key], actor=key) for key in ("m1", "m2", "m3")}
    return session, rows


def listed(page: str) -> list[str]:
    table = page.split('id="approvals"')[1].split("</table>")[0]
    return [no for no in ("M001", "M002", "M003") if no in table]


def test_room_manager_sees_and_approves_their_mediator_for_a_city_session(asked, auth):
    session, rows = asked
    auth.login("mgr0201")
    assert auth.client.get(f"/admin/training/enrolment/?session={session.id}").status_code == 404
    home = auth.client.get("/admin/").get_data(as_text=True)
    assert 'id="training-pending">1<' in home
    page = auth.client.get(URL).get_data(as_text=True)
    assert listed(page) == ["M001"]
    assert 'id="pending-count">1<' in page
    response = auth.post(f"{URL}decide/", {"enrolment": rows["m1"].id, "answer": "approve"})
    assert response.status_code == 302
    assert Enrolment.get_by_id(rows["m1"].id).status == ENROLLED
    assert Session.get_by_id(session.id).booked == 1
    assert listed(auth.client.get(URL).get_data(as_text=True)) == []


def test_district_manager_sees_the_district_and_rejects(asked, auth):
    session, rows = asked
    auth.login("mgr02")
    assert listed(auth.client.get(URL).get_data(as_text=True)) == ["M001", "M002"]
    assert auth.post(f"{URL}decide/", {"enrolment": rows["m2"].id,
                                       "answer": "reject"}).status_code == 302
    assert Enrolment.get_by_id(rows["m2"].id).status == REJECTED
    assert Session.get_by_id(session.id).booked == 0
    # with a reason: the mediator reads it in their notice, the audit trail keeps it
    from network.audit import AuditLog
    from training import notices

    page = auth.client.get(URL).get_data(as_text=True)
    assert 'name="reason"' in page
    too_long = auth.post(f"{URL}decide/", {"enrolment": rows["m1"].id, "answer": "reject",
                                           "reason": "长" * 201}, follow_redirects=True)
    assert "不能超过200个字符" in too_long.get_data(as_text=True)
    assert Enrolment.get_by_id(rows["m1"].id).status == PENDING
    auth.post(f"{URL}decide/", {"enrolment": rows["m1"].id, "answer": "reject",
                                "reason": "本期名额优先安排新任调解员"})
    assert Enrolment.get_by_id(rows["m1"].id).status == REJECTED
    notice = notices.unread(rows["m1"].mediator_id)[0]
    assert str(notice.msg) == f"您报名的场次「{session.code} 调解技巧」未通过审批：本期名额优先安排新任调解员"
    entry = AuditLog.select().where(AuditLog.table == "enrolment",
                                    AuditLog.object_id == str(rows["m1"].id)).order_by(
        AuditLog.id.desc()).get()
    assert entry.changes_dict["reason"] == [None, "本期名额优先安排新任调解员"]


def test_sign_ups_outside_the_scope_answer_like_missing(asked, auth):
    session, rows = asked
    auth.login("mgr0201")
    for key in ("m2", "m3"):
        for answer in ("approve", "reject"):
            response = auth.post(f"{URL}decide/", {"enrolment": rows[key].id, "answer": answer})
            assert response.status_code == 404
    assert auth.post(f"{URL}decide/", {"enrolment": 999999,
                                       "answer": "approve"}).status_code == 404
    assert auth.post(f"{URL}decide/", {"enrolment": "x", "answer": "approve"}).status_code == 404
    assert auth.post(f"{URL}decide/", {"enrolment": rows["m1"].id,
                                       "answer": "maybe"}).status_code == 400
    statuses = {e.mediator.staff_no: e.status for e in Enrolment.select()}
    assert statuses == {"M001": PENDING, "M002": PENDING, "M003": PENDING}
    assert Session.get_by_id(session.id).booked == 0


def test_decided_sign_up_is_no_longer_listed_nor_decided_again(asked, auth):
    _, rows = asked
    auth.login("mgr02")
    auth.post(f"{URL}decide/", {"enrolment": rows["m1"].id, "answer": "reject"})
    assert auth.post(f"{URL}decide/", {"enrolment": rows["m1"].id,
                                       "answer": "approve"}).status_code == 404
    assert Enrolment.get_by_id(rows["m1"].id).status == REJECTED


def test_mediator_cannot_open_the_list(asked, auth):
    _, rows = asked
    auth.login("med1")
    assert auth.client.get(URL).status_code == 403
    assert auth.post(f"{URL}decide/", {"enrolment": rows["m1"].id,
                                       "answer": "approve"}).status_code == 403
    assert Enrolment.get_by_id(rows["m1"].id).status == PENDING


def test_the_list_names_a_clash_the_approver_should_know(asked, auth, people, network,
                                                         make_session):
    """Enrolled meanwhile by a coordinator in a session at the same time (the coordinator's
    page asked them to confirm it), M001's pending sign-up says so beside its time."""
    from training.enrolment import enrol_many

    session, _ = asked
    other = make_session(code="ROOM", host=network["room1"], status="open",
                         start=future(9, 10), end=future(9, 11))
    enrol_many(other, [people["m1"]], actor="t", scope=None)
    auth.login("mgr0201")
    row = auth.client.get(URL).get_data(as_text=True).split('id="approvals"')[1]
    assert "同时段已报名场次「ROOM」" in row
    assert session.code in row
