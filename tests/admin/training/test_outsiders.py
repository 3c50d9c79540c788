"""A mediator of another county on a coordinator's session (they signed themself up to an
open one): the host sees them but cannot remove them or record their hours, and a mediator
reaches only the sessions they have a place at."""
from __future__ import annotations

from tests.training.conftest import at
from training import notices
from training.enrolment import enrol_many, sign_up
from training.models import ENROLLED, WITHDRAWN, Attendance, Enrolment


def open_session(make_session, network, **extra):
    return make_session(host=network["shinan"], code=extra.pop("code", "X1"), status="open",
                        start="2030-03-02 09:00", end="2030-03-02 12:00", **extra)


def test_coordinator_cannot_withdraw_another_countys_mediator(people, network, auth,
                                                              make_session):
    session = open_session(make_session, network)
    theirs = sign_up(session, people["m3"], actor="med3")  # 黄岛 (QD-11)
    ours = enrol_many(session, [people["m1"]], actor="t", scope=None)
    assert theirs.status == ENROLLED and ours.enrolled == [people["m1"].id]
    auth.login("t02")  # 市南 (QD-02), the host
    response = auth.post(f"/admin/training/enrolment/withdraw/?session={session.id}",
                         {"enrolment": str(theirs.id)})
    assert response.status_code == 404  # as approve and reject answer
    assert Enrolment.get_by_id(theirs.id).status == ENROLLED
    mine = Enrolment.get(Enrolment.session == session.id, Enrolment.mediator == people["m1"].id)
    response = auth.post(f"/admin/training/enrolment/withdraw/?session={session.id}",
                         {"enrolment": str(mine.id)})
    assert response.status_code == 302
    assert Enrolment.get_by_id(mine.id).status == WITHDRAWN
    # the mediator is told, and their home says who withdrew the place (the session is on)
    assert len(notices.unread(people["m1"].id)) == 1
    auth.post("/logout")
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "培训管理员已取消您在场次「X1 调解技巧」的报名" in page  # the notice
    assert "培训管理员已取消您的报名" in page and "场次已取消" not in page


def test_attendance_saves_around_an_outsider(people, network, auth, make_session):
    session = make_session(host=network["shinan"], code="X1", status="open",
                           start="2026-03-02 09:00", end="2026-03-02 12:00")  # held
    enrol_many(session, [people["m1"]], actor="t", scope=None)
    sign_up(session, people["m3"], actor="med3", at=at("2026-02-20 09:00"))
    auth.login("t02")
    url = f"/admin/training/attendance/?session={session.id}"
    page = auth.client.get(url).get_data(as_text=True)
    assert "黄三" in page and "管辖范围外" in page  # listed, for the head count
    assert f'name="status-{people["m3"].id}" class="form-control form-control-sm" disabled' \
        in page
    assert f'name="status-{people["m1"].id}" class="form-control form-control-sm" >' in page
    # the form as the browser sends it (disabled fields are not posted): the save goes through
    response = auth.post(url, {f"status-{people['m1'].id}": "present"})
    assert response.status_code == 302
    assert [a.mediator_id for a in Attendance.select()] == [people["m1"].id]
    # a crafted post for the outsider is that row's error, and nothing is saved
    response = auth.post(url, {f"status-{people['m1'].id}": "absent",
                               f"status-{people['m3'].id}": "present"})
    assert response.status_code == 200
    assert "超出您的管辖范围" in response.get_data(as_text=True)
    assert [(a.mediator_id, a.status) for a in Attendance.select()] == [
        (people["m1"].id, "present")]


def test_mediator_reaches_only_sessions_they_have_a_place_at(people, network, auth,
                                                             make_session):
    hidden = make_session(host=network["huangdao"], code="HD-SECRET", status="planned",
                          course="黄岛内部课程")
    mine = open_session(make_session, network, code="MINE")
    sign_up(mine, people["m1"], actor="med1")
    auth.login("med1")
    for url in (f"/admin/training/my/feedback/?session={hidden.id}",
                f"/admin/training/my/session.ics?session={hidden.id}"):
        response = auth.client.get(url)
        assert response.status_code == 404, url
        assert "HD-SECRET" not in response.get_data(as_text=True)
    assert auth.client.get(f"/admin/training/my/feedback/?session={mine.id}").status_code == 200
    # signing up to a session not open answers without naming it
    page = auth.post("/admin/training/my/signup/", {"session": str(hidden.id)},
                     follow_redirects=True).get_data(as_text=True)
    assert "该场次不存在或不在报名中" in page and "HD-SECRET" not in page
    assert not Enrolment.select().where(Enrolment.session == hidden.id).exists()
