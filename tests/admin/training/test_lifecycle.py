"""The enrolment lifecycle on the web: a mediator or a coordinator withdraws a place and the seat
goes to the next in line, the approver rejects a pending sign-up, lapsed offers expire (the
command for cron, and lazily whenever a page reads the session), pending and cancelled places
stay on the mediator's home; refusals answer like a missing record."""
from __future__ import annotations

import datetime as dt

import icalendar

from network.dates import SHANGHAI, local_today
from training.models import (
    ENROLLED,
    OFFERED,
    PENDING,
    REJECTED,
    WAITLISTED,
    WITHDRAWN,
    Enrolment,
    Notice,
    Session,
)

MINE = "/admin/training/my/"
ENROL = "/admin/training/enrolment/"


def future(days: int, hour: int = 9) -> str:
    return (local_today() + dt.timedelta(days=days)).strftime(f"%Y-%m-%d {hour:02d}:00")


def status_of(session, mediator):
    return Enrolment.get(Enrolment.session == session.id,
                         Enrolment.mediator == mediator.id).status


def section(page: str, marker: str) -> str:
    return page.split(f'id="{marker}"')[1].split("</ul>")[0]


def full_session(make_session, network, people, capacity=1, **extra):
    """One seat: M002 holds it, M001 waits first in line."""
    from training.enrolment import enrol_many

    session = make_session(code="FULL", host=network["shinan"], start=future(5),
                           end=future(5, 12), capacity=capacity, **extra)
    enrol_many(session, [people["m2"], people["m1"]], actor="t", scope=None)
    return session


# --- withdraw ------------------------------------------------------------------------------

def test_mediator_withdraws_and_the_seat_goes_to_the_next_in_line(people, network, auth,
                                                                   make_session, make_user):
    session = full_session(make_session, network, people)
    make_user("med2", role="mediator", mediator=people["m2"])
    held = Enrolment.get(Enrolment.mediator == people["m2"].id)
    auth.login("med1")  # M001 cannot give up M002's seat
    assert auth.post(f"{MINE}withdraw/", {"enrolment": held.id}).status_code == 404
    assert status_of(session, people["m2"]) == ENROLLED
    auth.post("/logout")
    auth.login("med2")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "data-confirm" in section(page, "my-sessions")  # asked before the POST
    assert auth.post(f"{MINE}withdraw/", {"enrolment": held.id}).status_code == 302
    assert status_of(session, people["m2"]) == WITHDRAWN
    assert status_of(session, people["m1"]) == OFFERED
    assert Session.get_by_id(session.id).booked == 1  # held for the offer, not freed
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "FULL" not in section(page, "my-sessions")
    assert "FULL" in section(page, "my-cancelled")
    response = auth.client.get(f"{MINE}session.ics?session={session.id}")
    assert icalendar.Calendar.from_ical(response.data)["method"] == "CANCEL"
    # withdrawing twice is refused with a message, nothing changes
    auth.post(f"{MINE}withdraw/", {"enrolment": held.id})
    assert status_of(session, people["m1"]) == OFFERED


def test_coordinator_withdraws_on_the_enrolment_page(people, network, auth, make_session,
                                                      make_user):
    session = full_session(make_session, network, people)
    held = Enrolment.get(Enrolment.mediator == people["m2"].id)
    make_user("mgr11", role="manager", organization=network["huangdao"])
    for refused, code in (("t11", 404), ("mgr02", 403), ("med1", 403)):
        auth.login(refused)
        assert auth.post(f"{ENROL}withdraw/?session={session.id}",
                         {"enrolment": held.id}).status_code == code
        auth.post("/logout")
    assert status_of(session, people["m2"]) == ENROLLED
    auth.login("t02")
    page = auth.client.get(f"{ENROL}?session={session.id}").get_data(as_text=True)
    assert "withdraw/" in page.split('id="enrolled"')[1].split("</table>")[0]
    assert auth.post(f"{ENROL}withdraw/?session={session.id}",
                     {"enrolment": 999999}).status_code == 404
    assert auth.post(f"{ENROL}withdraw/?session={session.id}",
                     {"enrolment": held.id}).status_code == 302
    assert status_of(session, people["m2"]) == WITHDRAWN
    assert status_of(session, people["m1"]) == OFFERED
    offer = Notice.get(Notice.mediator == people["m1"].id)
    assert offer.msg.template.startswith("场次「%(code)s %(course)s」有空余名额")


def test_mandatory_session_is_not_left_by_the_mediator(people, network, auth, make_session):
    session = full_session(make_session, network, people, mandatory=True)
    own = Enrolment.get(Enrolment.mediator == people["m1"].id)  # waiting, enrolled by t
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    mine = section(page, "my-sessions")
    assert "必修" in mine and "withdraw" not in mine.split("FULL")[1]
    auth.post(f"{MINE}withdraw/", {"enrolment": own.id})
    assert status_of(session, people["m1"]) == WAITLISTED
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "必修场次不能自行取消报名，请联系培训管理员" in page


# --- reject --------------------------------------------------------------------------------

def test_approver_rejects_a_pending_sign_up(people, network, auth, make_session, make_user):
    from training.enrolment import sign_up

    session = make_session(code="P", host=network["shinan"], needs_approval=True,
                           status="open", start=future(9), end=future(9, 12))
    pending = sign_up(session, people["m1"], actor="med1")
    make_user("mgr11", role="manager", organization=network["huangdao"])
    auth.login("mgr11")  # the session and the mediator are 市南's
    assert auth.post(f"{ENROL}reject/?session={session.id}",
                     {"enrolment": pending.id}).status_code == 404
    auth.post("/logout")
    auth.login("med1")  # their own sign-up, but not theirs to decide
    for action in ("reject", "approve"):
        assert auth.post(f"{ENROL}{action}/?session={session.id}",
                         {"enrolment": pending.id}).status_code == 403
    auth.post("/logout")
    assert Enrolment.get_by_id(pending.id).status == PENDING
    auth.login("mgr02")
    page = auth.client.get(f"{ENROL}?session={session.id}").get_data(as_text=True)
    assert "reject/" in page.split('id="pending"')[1].split("</table>")[0]
    assert auth.post(f"{ENROL}reject/?session={session.id}",
                     {"enrolment": pending.id}).status_code == 302
    assert Enrolment.get_by_id(pending.id).status == REJECTED
    assert Session.get_by_id(session.id).booked == 0
    notice = Notice.get(Notice.mediator == people["m1"].id)
    assert notice.msg.template == "您报名的场次「%(code)s %(course)s」未通过审批"
    # no longer pending: neither approved nor rejected again
    auth.post(f"{ENROL}approve/?session={session.id}", {"enrolment": pending.id})
    assert Enrolment.get_by_id(pending.id).status == REJECTED
    assert Session.get_by_id(session.id).booked == 0


# --- offers that lapse ---------------------------------------------------------------------

def lapse(enrolment_row) -> None:
    """The clock passes the offer's limit (set back an hour instead of waiting 48)."""
    Enrolment.update(offer_expires=dt.datetime.now(SHANGHAI) - dt.timedelta(hours=1)).where(
        Enrolment.id == enrolment_row.id).execute()


def offered_then_lapsed(make_session, network, people, make_mediator):
    """M002 held the one seat and gave it up: M001 was offered it, M004 waits behind."""
    from training.enrolment import cancel, enrol_many

    m4 = make_mediator(network["room1"], staff_no="M004", name="王四")
    session = full_session(make_session, network, people)
    enrol_many(session, [m4], actor="t", scope=None)
    cancel(Enrolment.get(Enrolment.mediator == people["m2"].id), actor="t")
    offer = Enrolment.get(Enrolment.mediator == people["m1"].id)
    assert offer.status == OFFERED
    lapse(offer)
    return session, m4


def test_expire_offers_command_with_a_fixed_clock(people, network, runner, make_session,
                                                  make_mediator):
    from training.enrolment import cancel

    session = full_session(make_session, network, people)
    m1 = people["m1"]
    cancel(Enrolment.get(Enrolment.mediator == people["m2"].id), actor="t",
           at=dt.datetime(2099, 1, 1, 9, 0, tzinfo=SHANGHAI))  # offered until 01-03 09:00
    result = runner.invoke(args=["training", "expire-offers", "--at", "2099-01-03 08:59"])
    assert result.exit_code == 0, result.output
    assert "0" in result.output and status_of(session, m1) == OFFERED
    result = runner.invoke(args=["training", "expire-offers", "--at", "2099-01-03 09:01"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert status_of(session, m1) == WITHDRAWN
    assert Session.get_by_id(session.id).booked == 0  # nobody else waited: the seat is free
    bad = runner.invoke(args=["training", "expire-offers", "--at", "tomorrow"])
    assert bad.exit_code != 0


def test_enrolment_page_expires_a_lapsed_offer(people, network, auth, make_session,
                                                make_mediator):
    session, m4 = offered_then_lapsed(make_session, network, people, make_mediator)
    auth.login("t02")
    page = auth.client.get(f"{ENROL}?session={session.id}").get_data(as_text=True)
    assert status_of(session, people["m1"]) == WITHDRAWN
    assert status_of(session, m4) == OFFERED
    enrolled = page.split('id="enrolled"')[1].split("</table>")[0]
    assert "M004" in enrolled and "M001" not in enrolled


def test_mediator_home_expires_their_lapsed_offer(people, network, auth, make_session,
                                                  make_mediator):
    session, m4 = offered_then_lapsed(make_session, network, people, make_mediator)
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert 'id="my-offers"' not in page
    assert status_of(session, m4) == OFFERED
    notices = section(page, "my-notices")
    assert "为您保留的名额已过期" in notices
    assert 'id="notice-count">2<' in page  # the offer, then its expiry


def test_sign_up_expires_a_lapsed_offer_first(people, network, auth, make_session):
    """The one seat is held by a lapsed offer and nobody waits: the sign-up takes it."""
    from training.enrolment import cancel, enrol_many

    session = make_session(code="ONE", host=network["shinan"], status="open",
                           start=future(6), end=future(6, 12), capacity=1)
    enrol_many(session, [people["m2"], people["m3"]], actor="t", scope=None)
    cancel(Enrolment.get(Enrolment.mediator == people["m2"].id), actor="t")
    lapse(Enrolment.get(Enrolment.mediator == people["m3"].id))
    auth.login("med1")
    assert auth.post(f"{MINE}signup/", {"session": session.id}).status_code == 302
    assert status_of(session, people["m3"]) == WITHDRAWN
    assert status_of(session, people["m1"]) == ENROLLED
    assert Session.get_by_id(session.id).booked == 1


# --- the mediator's home: pending and cancelled places, notices ----------------------------

def test_pending_and_cancelled_places_stay_on_the_home(people, network, auth, make_session):
    from training.enrolment import enrol_many, sign_up
    from training.sessions import cancel_session

    asked = make_session(code="ASK", host=network["shinan"], needs_approval=True,
                         status="open", start=future(8), end=future(8, 12))
    sign_up(asked, people["m1"], actor="med1")
    dropped = make_session(code="DROP", host=network["shinan"], start=future(4),
                           end=future(4, 12))
    enrol_many(dropped, [people["m1"]], actor="t", scope=None)
    cancel_session(dropped, "讲师生病", actor="t", scope=None)
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    mine = section(page, "my-sessions")
    assert "ASK" in mine and "待审批" in mine and "DROP" not in mine
    assert "ASK" not in section(page, "open-sessions")  # no second sign-up offered
    cancelled = section(page, "my-cancelled")
    assert "DROP" in cancelled and "ASK" not in cancelled
    response = auth.client.get(f"{MINE}session.ics?session={dropped.id}")
    assert icalendar.Calendar.from_ical(response.data)["method"] == "CANCEL"
    response = auth.client.get(f"{MINE}session.ics?session={asked.id}")
    assert icalendar.Calendar.from_ical(response.data)["method"] == "PUBLISH"


def test_notices_are_shown_and_marked_read_by_their_owner_only(people, network, auth,
                                                               make_session):
    from training.enrolment import enrol_many
    from training.sessions import cancel_session

    session = make_session(code="GONE", host=network["shinan"], start=future(4),
                           end=future(4, 12))
    enrol_many(session, [people["m1"], people["m3"]], actor="t", scope=None)
    cancel_session(session, "场地维修", actor="t", scope=None)
    theirs = Notice.get(Notice.mediator == people["m3"].id)
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert 'id="notice-count">1<' in page
    assert "场次「GONE 调解技巧」已取消：场地维修" in section(page, "my-notices")
    assert auth.post(f"{MINE}notices/read/", {"notice": theirs.id}).status_code == 302
    assert Notice.get_by_id(theirs.id).read_at is None  # another's id: not theirs to mark
    mine = Notice.get(Notice.mediator == people["m1"].id)
    assert mine.read_at is None
    # without the CSRF token nothing is marked
    assert auth.client.post(f"{MINE}notices/read/", data={"notice": mine.id}).status_code == 400
    assert Notice.get_by_id(mine.id).read_at is None
    auth.post(f"{MINE}notices/read/", {"notice": mine.id})
    assert Notice.get_by_id(mine.id).read_at is not None
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert 'id="notice-count">0<' in page and 'id="my-notices"' not in page
    assert Notice.get_by_id(theirs.id).read_at is None


# --- mandatory sessions --------------------------------------------------------------------

def test_mandatory_session_is_not_open_for_self_sign_up(people, network, auth, make_session):
    from training.enrolment import enrol_many

    must = make_session(code="MUST", host=network["shinan"], status="open", mandatory=True,
                        start=future(7), end=future(7, 12))
    make_session(code="FREE", host=network["shinan"], status="open", start=future(7),
                 end=future(7, 12))
    auth.login("med1")
    page = auth.client.get("/admin/").get_data(as_text=True)
    offered = section(page, "open-sessions")
    assert "FREE" in offered and "MUST" not in offered
    auth.post(f"{MINE}signup/", {"session": must.id})
    assert not Enrolment.select().where(Enrolment.session == must.id).exists()
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "场次「MUST」为必修场次，由培训管理员统一安排报名，不能自行报名" in page
    enrol_many(must, [people["m1"]], actor="t", scope=None)  # the coordinator can
    assert status_of(must, people["m1"]) == ENROLLED
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "必修" in section(page, "my-sessions").split("MUST")[1].split("</li>")[0]

