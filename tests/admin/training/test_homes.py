"""The training panels of the home page and the mediator's own actions: sign up, answer an
offered seat, feedback on an attended session, a session's .ics; nobody acts for another."""
from __future__ import annotations

import datetime as dt

import icalendar

from network.dates import local_today
from training.models import ENROLLED, OFFERED, WAITLISTED, Enrolment, Feedback, Session

MINE = "/admin/training/my/"


def future(days: int, hour: int = 9) -> str:
    return (local_today() + dt.timedelta(days=days)).strftime(f"%Y-%m-%d {hour:02d}:00")


def test_mediator_signs_up_and_gets_the_session_as_ics(people, network, auth, make_session):
    session = make_session(code="OPEN1", host=network["shinan"], status="open",
                           start=future(10), end=future(10, 12), capacity=1)
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "OPEN1" in page.split('id="open-sessions"')[1].split("</ul>")[0]
    response = auth.post(f"{MINE}signup/", {"session": session.id})
    assert response.status_code == 302
    assert Enrolment.get(Enrolment.session == session.id).status == ENROLLED
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "OPEN1" in page.split('id="my-sessions"')[1].split("</ul>")[0]
    response = auth.client.get(f"{MINE}session.ics?session={session.id}")
    calendar = icalendar.Calendar.from_ical(response.data)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["uid"]).startswith(f"session-{session.id}")
    assert event.decoded("dtstart").tzinfo is not None
    assert str(event["dtstart"].params["TZID"]) == "Asia/Shanghai"
    assert str(event["status"]) == "CONFIRMED"
    # the next one is full: a place on the waitlist is in the calendar as tentative
    from training.enrolment import enrol_many

    second = make_session(code="OPEN2", host=network["shinan"], status="open",
                          start=future(11), end=future(11, 12), capacity=1)
    enrol_many(second, [people["m2"]], actor="t", scope=None)
    auth.post(f"{MINE}signup/", {"session": second.id})
    assert Enrolment.get(Enrolment.session == second.id,
                         Enrolment.mediator == people["m1"].id).status == WAITLISTED
    calendar = icalendar.Calendar.from_ical(
        auth.client.get(f"{MINE}session.ics?session={second.id}").data)
    assert str(next(iter(calendar.walk("VEVENT")))["status"]) == "TENTATIVE"


def test_offer_is_answered_by_its_holder_only(people, network, auth, make_session):
    from training.enrolment import cancel, enrol_many

    session = make_session(code="FULL", host=network["shinan"], start=future(5),
                           end=future(5, 12), capacity=1)
    enrol_many(session, [people["m2"], people["m1"]], actor="t", scope=None)
    assert Enrolment.get(Enrolment.mediator == people["m1"].id).status == WAITLISTED
    cancel(Enrolment.get(Enrolment.mediator == people["m2"].id), actor="t")
    offered = Enrolment.get(Enrolment.mediator == people["m1"].id)
    assert offered.status == OFFERED
    auth.login("med3")  # another mediator cannot answer it
    assert auth.post(f"{MINE}offer/", {"enrolment": offered.id,
                                       "answer": "decline"}).status_code == 404
    assert Enrolment.get_by_id(offered.id).status == OFFERED
    auth.post("/logout")
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "FULL" in page.split('id="my-offers"')[1]
    auth.post(f"{MINE}offer/", {"enrolment": offered.id, "answer": "accept"})
    assert Enrolment.get_by_id(offered.id).status == ENROLLED


def test_feedback_only_after_attending(people, network, auth, make_session):
    from training.attendance import record_attendance

    session = make_session(code="DONE", host=network["shinan"], start=future(-3),
                           end=future(-3, 12))
    other = make_session(code="MISSED", host=network["shinan"], start=future(-2),
                         end=future(-2, 12))
    record_attendance(session, people["m1"], "present", None, actor="t", scope=None)
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "DONE" in page.split('id="to-review"')[1] and "MISSED" not in page
    data = {"content_rating": "5", "trainer_rating": "4", "organisation_rating": "3",
            "comment": "很实用"}
    auth.post(f"{MINE}feedback/?session={other.id}", data)
    assert Feedback.select().count() == 0
    assert auth.post(f"{MINE}feedback/?session={session.id}", data).status_code == 302
    saved = Feedback.get()
    assert (saved.session_id, saved.trainer_rating, saved.comment) == (session.id, 4, "很实用")


def test_coordinator_panel(people, network, auth, make_session):
    from training.enrolment import enrol_many

    today = local_today()
    monday = today - dt.timedelta(days=today.weekday())
    when = monday.strftime("%Y-%m-%d")
    week = make_session(code="WEEK", host=network["shinan"], start=f"{when} 09:00",
                        end=f"{when} 10:00", hours="1", capacity=1)
    make_session(code="HD-WEEK", host=network["room3"], start=f"{when} 09:00",
                 end=f"{when} 10:00", hours="1")
    enrol_many(week, [people["m1"], people["m2"]], actor="t", scope=None)
    auth.login("t02")
    page = auth.client.get("/admin/").get_data(as_text=True)
    panel = page.split('id="training-panel"')[1]
    week_rows = panel.split('id="training-week"')[1].split("</table>")[0]
    assert "WEEK" in week_rows and "HD-WEEK" not in week_rows
    assert "<td>0</td><td>1</td>" in week_rows  # no seat left, one waiting


def test_mediator_actions_refuse_other_roles_and_unknown_sessions(people, auth,
                                                                  make_session, network):
    session = make_session(code="X", host=network["room3"])
    auth.login("med1")
    assert auth.client.get(f"{MINE}session.ics?session={session.id}").status_code == 404
    assert auth.client.get(f"{MINE}feedback/?session=999999").status_code == 404
    assert Session.select().count() == 1
    auth.post("/logout")
    auth.login("t02")
    assert auth.post(f"{MINE}signup/", {"session": session.id}).status_code == 403
