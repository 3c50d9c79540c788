"""Enrolment: capacity never exceeded under concurrent sign-ups, a first-come waitlist,
offers to the next in line on cancellation, approval, scope refusals."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from network.db import db
from network.errors import DomainError, OutOfScope
from tests.training.conftest import at
from training import enrolment as enrol
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
    SessionAudience,
)

BEFORE = at("2026-02-20 10:00")


@pytest.fixture
def open_session(make_session):
    def make(capacity, **extra):
        return make_session(capacity=capacity, status="open",
                            enrol_deadline="2026-03-01 18:00", **extra)
    return make


def _statuses(session):
    return {e.mediator_id: e.status for e in Enrolment.select().where(
        Enrolment.session == session.id)}


def test_fifty_concurrent_sign_ups_for_ten_seats(open_session, make_mediator, network):
    session = open_session(10)
    people = [make_mediator(network["room1"], staff_no=f"C{i:02d}") for i in range(50)]
    gate = threading.Barrier(len(people))
    errors, outcomes = [], {}
    db.close()  # every thread opens its own connection (peewee keeps one per thread)

    def sign(mediator):
        try:
            db.connect(reuse_if_open=True)
            gate.wait()
            placed = enrol.sign_up(session, mediator, actor=mediator.staff_no, at=BEFORE)
            outcomes[mediator.id] = (placed.status, placed.queue_no)
        except Exception as exc:  # noqa: BLE001 — reported below, the test fails on any
            errors.append(repr(exc))
        finally:
            db.close()

    threads = [threading.Thread(target=sign, args=(m,)) for m in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.connect(reuse_if_open=True)
    assert errors == []
    assert len(outcomes) == 50  # none lost
    stored = _statuses(session)
    assert len(stored) == 50
    assert sorted(stored.values()).count(ENROLLED) == 10
    assert sorted(stored.values()).count(WAITLISTED) == 40
    assert Session.get_by_id(session.id).booked == 10
    queue = list(Enrolment.select().where(Enrolment.session == session.id,
                                          Enrolment.status == WAITLISTED)
                 .order_by(Enrolment.queue_no))
    # first come, first served: numbers 1…40, each once, in the order the rows were written
    assert [e.queue_no for e in queue] == list(range(1, 41))
    assert [e.id for e in queue] == sorted(e.id for e in queue)
    assert [enrol.waitlist_position(e) for e in queue] == list(range(1, 41))
    # what each caller was told is what was stored
    assert all(outcomes[e.mediator_id] == (WAITLISTED, e.queue_no) for e in queue)

    # a cancellation offers the seat to the first in line, with a notice and a time limit
    leaver = Enrolment.get(Enrolment.session == session.id, Enrolment.status == ENROLLED)
    enrol.cancel(leaver, actor="x", at=BEFORE)
    first = Enrolment.get_by_id(queue[0].id)
    assert first.status == OFFERED
    assert first.offer_expires == BEFORE + dt.timedelta(hours=48)
    assert Session.get_by_id(session.id).booked == 10  # the seat is held, not freed
    notices = list(Notice.select().where(Notice.mediator == first.mediator_id))
    assert len(notices) == 1 and "有空余名额" in str(notices[0].msg)
    assert enrol.waitlist_position(Enrolment.get_by_id(queue[1].id)) == 1
    assert enrol.accept_offer(first, at=BEFORE + dt.timedelta(hours=1)).status == ENROLLED
    assert sorted(_statuses(session).values()).count(ENROLLED) == 10


def test_waitlist_offer_expiry_and_decline(open_session, make_mediator, network):
    session = open_session(1)
    a, b, c, d = (make_mediator(network["room1"], staff_no=n) for n in "ABCD")
    for person in (a, b, c, d):
        enrol.sign_up(session, person, actor="t", at=BEFORE)
    assert _statuses(session) == {a.id: ENROLLED, b.id: WAITLISTED, c.id: WAITLISTED,
                                  d.id: WAITLISTED}
    enrol.cancel(_get(session, a), actor="t", at=BEFORE)
    assert _get(session, b).status == OFFERED
    # b lets it run out: 49 hours later the seat goes to c
    late = BEFORE + dt.timedelta(hours=49)
    assert enrol.expire_offers(at=BEFORE + dt.timedelta(hours=47)) == 0
    assert enrol.expire_offers(at=late) == 1
    assert _get(session, b).status == WITHDRAWN
    assert _get(session, c).status == OFFERED
    with pytest.raises(DomainError):
        enrol.accept_offer(_get(session, b), at=late)
    # c declines: d is offered; d cancels with nobody left: the seat is free again
    enrol.decline_offer(_get(session, c), actor="c", at=late)
    assert _get(session, d).status == OFFERED
    enrol.cancel(_get(session, d), actor="d", at=late)
    assert Session.get_by_id(session.id).booked == 0
    # accepting after the expiry fails and passes the seat on
    e = make_mediator(network["room1"], staff_no="E")
    f = make_mediator(network["room1"], staff_no="F")
    enrol.sign_up(session, e, actor="t", at=BEFORE)
    enrol.sign_up(session, f, actor="t", at=BEFORE)
    enrol.cancel(_get(session, e), actor="e", at=BEFORE)
    with pytest.raises(DomainError, match="过期"):
        enrol.accept_offer(_get(session, f), at=BEFORE + dt.timedelta(hours=48, minutes=1))
    assert _get(session, f).status == WITHDRAWN
    assert Session.get_by_id(session.id).booked == 0


def _get(session, mediator):
    return Enrolment.get(Enrolment.session == session.id, Enrolment.mediator == mediator.id)


def test_sign_up_rules(open_session, make_session, make_mediator, network):
    session = open_session(5)
    person = make_mediator(network["room1"])
    with pytest.raises(DomainError, match="截止"):
        enrol.sign_up(session, person, actor="t", at=at("2026-03-01 18:01"))
    # the deadline minute itself is still open
    assert enrol.sign_up(session, person, actor="t", at=at("2026-03-01 18:00")).status == ENROLLED
    with pytest.raises(DomainError, match="已报名"):
        enrol.sign_up(session, person, actor="t", at=BEFORE)
    planned = make_session()
    with pytest.raises(DomainError, match="不在报名中"):
        enrol.sign_up(planned, person, actor="t", at=BEFORE)
    off = make_mediator(network["room1"], status="off")
    with pytest.raises(DomainError, match="离岗"):
        enrol.sign_up(session, off, actor="t", at=BEFORE)
    # audience: only 黄岛 and only 专职
    narrow = open_session(5, audience_employment="full")
    SessionAudience.create(session=narrow, organization=network["huangdao"])
    outsider = make_mediator(network["room1"], employment="full")
    part_timer = make_mediator(network["room3"], employment="part")
    insider = make_mediator(network["room3"], employment="full")
    with pytest.raises(DomainError, match="不在本场次面向的机构（黄岛区工作站）"):
        enrol.sign_up(narrow, outsider, actor="t", at=BEFORE)
    with pytest.raises(DomainError, match="本场次仅面向专职调解员"):
        enrol.sign_up(narrow, part_timer, actor="t", at=BEFORE)
    assert enrol.sign_up(narrow, insider, actor="t", at=BEFORE).status == ENROLLED


def test_approval_before_a_seat(open_session, make_mediator, network):
    session = open_session(1, needs_approval=True)
    a = make_mediator(network["room1"])
    b = make_mediator(network["room3"])
    for person in (a, b):
        assert enrol.sign_up(session, person, actor="t", at=BEFORE).status == PENDING
    assert Session.get_by_id(session.id).booked == 0
    # 市南's manager cannot approve a 黄岛 mediator
    with pytest.raises(OutOfScope):
        enrol.approve(_get(session, b), actor="m", scope=network["shinan"])
    assert enrol.approve(_get(session, b), actor="m", scope=network["huangdao"]).status == ENROLLED
    assert enrol.approve(_get(session, a), actor="m", scope=None).status == WAITLISTED
    with pytest.raises(DomainError):
        enrol.approve(_get(session, a), actor="m", scope=None)


def test_coordinator_enrols_a_subtree_within_scope(open_session, make_mediator, network):
    session = open_session(2, host=network["shinan"])
    r1 = [make_mediator(network["room1"], staff_no=f"R1{i}") for i in range(2)]
    r2 = make_mediator(network["room2"], staff_no="R20")
    make_mediator(network["room2"], staff_no="R21", status="off")
    other = make_mediator(network["room3"], staff_no="H1")
    picked = enrol.candidates(network["shinan"], org=network["shinan"])
    assert [m.staff_no for m in picked] == ["R10", "R11", "R20"]  # 在岗 only
    result = enrol.enrol_many(session, picked, actor="c", scope=network["shinan"])
    assert result.counts() == {"enrolled": 2, "waitlisted": 1, "already": 0}
    assert _get(session, r2).status == WAITLISTED and _get(session, r1[0]).status == ENROLLED
    # again: nobody twice
    again = enrol.enrol_many(session, picked, actor="c", scope=network["shinan"])
    assert again.counts() == {"enrolled": 0, "waitlisted": 0, "already": 3}
    # a picked list cannot reach outside the scope: nothing written
    assert list(enrol.candidates(network["shinan"], staff_nos=["H1"])) == []
    with pytest.raises(OutOfScope):
        enrol.enrol_many(session, [other], actor="c", scope=network["shinan"])
    # nor can a county coordinator enrol into another county's session
    foreign = open_session(5, host=network["huangdao"])
    with pytest.raises(OutOfScope):
        enrol.enrol_many(foreign, [r2], actor="c", scope=network["shinan"])
    assert Enrolment.select().where(Enrolment.session == foreign.id).count() == 0


def test_cancelled_session_tells_everyone_holding_a_place(open_session, make_mediator, network):
    from training.sessions import cancel_session

    session = open_session(1)
    a, b = make_mediator(network["room1"]), make_mediator(network["room1"])
    enrol.sign_up(session, a, actor="t", at=BEFORE)
    enrol.sign_up(session, b, actor="t", at=BEFORE)
    cancel_session(session, "场地检修", actor="t", scope=None)
    texts = sorted((n.mediator_id, str(n.msg)) for n in Notice.select())
    assert texts == [(a.id, "场次「S001 调解技巧」已取消：场地检修"),
                     (b.id, "场次「S001 调解技巧」已取消：场地检修")]


def test_enrolment_by_grade_uses_the_grade_on_the_session_day(open_session, make_mediator,
                                                               network):
    from org.grades import change_grade

    def graded(station, no, *steps, **extra):
        mediator = make_mediator(station, staff_no=no, **extra)
        for grade, effective, reason in steps:
            change_grade(mediator, grade, effective, reason, actor="t", scope=None)
        return mediator

    session = open_session(10, host=network["shinan"])  # 2026-03-02
    graded(network["room1"], "A3", ("3", "2025-01-01", "initial"))
    graded(network["room2"], "B4", ("4", "2025-01-01", "initial"),
           ("3", "2026-04-01", "promotion"))  # 三级 only after the session
    graded(network["room1"], "C0")  # 未定级
    graded(network["room2"], "D3", ("4", "2025-01-01", "initial"),
           ("3", "2026-01-15", "promotion"))
    graded(network["room1"], "E3", ("3", "2025-01-01", "initial"), status="off")
    graded(network["room3"], "H3", ("3", "2025-01-01", "initial"))  # the neighbour county
    day = dt.date(2026, 3, 2)

    def nos(scope, grades, on=day):
        return [m.staff_no for m in enrol.candidates(scope, grades=grades, on=on)]

    assert nos(network["shinan"], ["3"]) == ["A3", "D3"]
    assert nos(network["shinan"], ["4"]) == ["B4"]
    assert nos(network["shinan"], ["none"]) == ["C0"]
    assert nos(network["shinan"], ["3", "4"]) == ["A3", "B4", "D3"]
    assert nos(network["shinan"], ["3"], on=dt.date(2026, 4, 1)) == ["A3", "B4", "D3"]
    assert nos(network["shinan"], ["3"], on=dt.date(2024, 12, 31)) == []
    assert nos(None, ["3"]) == ["A3", "D3", "H3"]
    with pytest.raises(DomainError):
        nos(network["shinan"], ["五级"])

    result = enrol.enrol_many(session, enrol.candidates(network["shinan"], grades=["3"], on=day),
                              actor="c", scope=network["shinan"])
    assert result.counts() == {"enrolled": 2, "waitlisted": 0, "already": 0}
    enrolled = {e.mediator.staff_no for e in Enrolment.select().where(
        Enrolment.session == session.id)}
    assert enrolled == {"A3", "D3"}


def test_sign_up_follows_the_audience_grades_on_the_session_day(open_session, make_mediator,
                                                                network):
    """面向等级 三级、四级 at a session on 2026-03-02: a 二级 mediator, an ungraded one and one
    promoted to 三级 only after the session are refused; a 四级 one and one promoted to 三级
    before the session may sign up."""
    from org.grades import change_grade

    def graded(no, *steps):
        mediator = make_mediator(network["room1"], staff_no=no)
        for grade, effective, reason in steps:
            change_grade(mediator, grade, effective, reason, actor="t", scope=None)
        return mediator

    session = open_session(5, audience_grades="三级、4")
    assert session.audience_grades == "4,3"  # codes in ladder order, labels accepted
    second = graded("G2", ("2", "2024-01-01", "initial"))
    ungraded = graded("G0")
    late = graded("GL", ("4", "2024-01-01", "initial"), ("3", "2026-03-03", "promotion"))
    fourth = graded("G4", ("4", "2024-01-01", "initial"))
    early = graded("GE", ("2", "2024-01-01", "initial"), ("3", "2026-03-01", "demotion"))
    for who in (second, ungraded):
        with pytest.raises(DomainError, match="等级不在本场次面向的等级（四级；三级）"):
            enrol.sign_up(session, who, actor="t", at=BEFORE)
    # GL is 四级 on the session day: in the audience
    assert enrol.sign_up(session, late, actor="t", at=BEFORE).status == ENROLLED
    assert enrol.sign_up(session, fourth, actor="t", at=BEFORE).status == ENROLLED
    assert enrol.sign_up(session, early, actor="t", at=BEFORE).status == ENROLLED
    outside = enrol.outside_audience(session, [second, ungraded, late, fourth, early])
    assert sorted(outside) == sorted([second.id, ungraded.id])


def test_audience_grades_are_checked(make_session):
    from network.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        make_session(audience_grades="三级、五级")
    assert "五级" in str(caught.value.errors["audience_grades"])
    assert make_session(audience_grades="").audience_grades == ""
    assert make_session(audience_grades=["none", "1"]).audience_grades == "none,1"


def test_withdraw_rules_and_the_seat_passing_on(open_session, make_mediator, network):
    session = open_session(1, mandatory=False)  # 2026-03-02 09:00–12:00
    a, b = (make_mediator(network["room1"], staff_no=n) for n in "AB")
    enrol.enrol_many(session, [a, b], actor="t", scope=None)
    # after the session has ended nothing is withdrawn
    with pytest.raises(DomainError, match="已结束或已取消"):
        enrol.withdraw(_get(session, a), actor="a", own=True, at=at("2026-03-02 12:01"))
    assert _get(session, a).status == ENROLLED
    assert enrol.withdraw(_get(session, a), actor="a", own=True,
                          at=BEFORE).status == WITHDRAWN
    assert _get(session, b).status == OFFERED
    assert Session.get_by_id(session.id).booked == 1
    with pytest.raises(DomainError, match="不在有效状态"):
        enrol.withdraw(_get(session, a), actor="a", own=True, at=BEFORE)
    # 必修: the mediator may not leave on their own, the coordinator may
    must = open_session(1, mandatory=True, code="MUST")
    enrol.enrol_many(must, [a], actor="t", scope=None)
    with pytest.raises(DomainError, match="必修"):
        enrol.withdraw(_get(must, a), actor="a", own=True, at=BEFORE)
    assert enrol.withdraw(_get(must, a), actor="t", at=BEFORE).status == WITHDRAWN
    assert Session.get_by_id(must.id).booked == 0


def test_reject_a_pending_sign_up(open_session, make_mediator, network):
    session = open_session(1, needs_approval=True)
    a = make_mediator(network["room1"])
    b = make_mediator(network["room3"])
    for person in (a, b):
        enrol.sign_up(session, person, actor="t", at=BEFORE)
    with pytest.raises(OutOfScope):
        enrol.reject(_get(session, b), actor="m", scope=network["shinan"])
    assert _get(session, b).status == PENDING
    assert enrol.reject(_get(session, a), actor="m", scope=network["shinan"]).status == REJECTED
    assert Session.get_by_id(session.id).booked == 0
    assert Notice.select().where(Notice.mediator == a.id).count() == 1
    with pytest.raises(DomainError, match="待审批"):
        enrol.reject(_get(session, a), actor="m", scope=None)
    with pytest.raises(DomainError, match="待审批"):
        enrol.approve(_get(session, a), actor="m", scope=None)
    # a rejected sign-up may be made again while the session is open
    assert enrol.sign_up(session, a, actor="a", at=BEFORE).status == PENDING


def test_mandatory_session_refuses_self_sign_up(open_session, make_mediator, network):
    must = open_session(5, mandatory=True)
    person = make_mediator(network["room1"])
    with pytest.raises(DomainError, match="必修场次"):
        enrol.sign_up(must, person, actor="t", at=BEFORE)
    assert not Enrolment.select().exists()
    assert enrol.enrol_many(must, [person], actor="t", scope=None).enrolled == [person.id]


def test_expire_offers_of_named_sessions_only(open_session, make_mediator, network):
    """The lazy pass a page runs touches only the sessions it reads; the cron pass all."""
    one, two = open_session(1, code="ONE"), open_session(1, code="TWO")
    a, b, c, d = (make_mediator(network["room1"], staff_no=n) for n in "ABCD")
    enrol.enrol_many(one, [a, b], actor="t", scope=None)
    enrol.enrol_many(two, [c, d], actor="t", scope=None)
    enrol.cancel(_get(one, a), actor="t", at=BEFORE)
    enrol.cancel(_get(two, c), actor="t", at=BEFORE)
    late = BEFORE + dt.timedelta(hours=48, minutes=1)
    assert enrol.expire_offers(at=late, sessions=[]) == 0
    assert enrol.expire_offers(at=BEFORE + dt.timedelta(hours=47), sessions=[one.id]) == 0
    assert enrol.expire_offers(at=late, sessions=[one.id]) == 1
    assert (_get(one, b).status, _get(two, d).status) == (WITHDRAWN, OFFERED)
    assert enrol.expire_offers(at=late) == 1
    assert _get(two, d).status == WITHDRAWN
    assert Session.get_by_id(one.id).booked == Session.get_by_id(two.id).booked == 0


def test_sign_up_expires_the_lapsed_offer_first(open_session, make_mediator, network):
    session = open_session(1)
    a, b, c = (make_mediator(network["room1"], staff_no=n) for n in "ABC")
    enrol.enrol_many(session, [a, b], actor="t", scope=None)
    enrol.cancel(_get(session, a), actor="t", at=BEFORE)
    assert _get(session, b).status == OFFERED
    # before the offer lapses c waits; a sign-up made after it has lapsed gets the seat
    on_time = BEFORE + dt.timedelta(hours=1)
    late = BEFORE + dt.timedelta(hours=49)
    d = make_mediator(network["room1"], staff_no="D")
    assert enrol.sign_up(session, c, actor="c", at=on_time).status == WAITLISTED
    enrol.cancel(_get(session, c), actor="c", at=on_time)
    assert enrol.sign_up(session, d, actor="d", at=late).status == ENROLLED
    assert _get(session, b).status == WITHDRAWN
    assert Session.get_by_id(session.id).booked == 1


def test_every_change_of_a_place_is_audited(open_session, make_mediator, network):
    """Sign-up, approval, rejection, withdrawal and an accepted offer each leave one entry:
    who, which place (场次/工号), the status before and after, under the mediator's station."""
    from network.audit import AuditLog

    session = open_session(1, needs_approval=True)
    a = make_mediator(network["room1"], staff_no="A1")
    b = make_mediator(network["room3"], staff_no="B1")
    c = make_mediator(network["room1"], staff_no="C1")
    enrol.sign_up(session, a, actor="med-a", at=BEFORE)
    enrol.sign_up(session, b, actor="med-b", at=BEFORE)
    enrol.approve(_get(session, a), actor="mgr", scope=None)            # a takes the seat
    enrol.reject(_get(session, b), actor="mgr", scope=None)
    enrol.enrol_many(session, [c], actor="coord", scope=None)          # c waits
    enrol.withdraw(_get(session, a), actor="med-a", own=True, at=BEFORE)  # c is offered it
    enrol.accept_offer(_get(session, c), actor="med-c", at=BEFORE)
    trail = [(e.actor, e.action, e.object_repr, e.changes_dict["status"], e.org_path)
             for e in AuditLog.select().where(AuditLog.table == "enrolment")
             .order_by(AuditLog.id)]
    code, room1, room3 = session.code, network["room1"].path, network["room3"].path
    assert trail == [
        ("med-a", "create", f"{code}/A1", [None, PENDING], room1),
        ("med-b", "create", f"{code}/B1", [None, PENDING], room3),
        ("mgr", "update", f"{code}/A1", [PENDING, ENROLLED], room1),
        ("mgr", "update", f"{code}/B1", [PENDING, REJECTED], room3),
        ("coord", "create", f"{code}/C1", [None, WAITLISTED], room1),
        ("med-a", "update", f"{code}/A1", [ENROLLED, WITHDRAWN], room1),
        ("med-c", "update", f"{code}/C1", [OFFERED, ENROLLED], room1),
    ]


def test_editing_a_session_keeps_the_seats_taken_since_it_was_loaded(open_session,
                                                                     make_mediator, network):
    """A coordinator's edit form holds the session as loaded; sign-ups meanwhile took two seats
    and one attendance was recorded. Saving the edit (and the status set after the session)
    must not write the counters back to what the form saw: a full session would take more
    people than it has seats, and the coverage page would lose the 人次."""
    from training.attendance import record_attendance
    from training.sessions import update_session

    session = open_session(3)  # as the form loaded it: booked 0
    people = [make_mediator(network["room1"], staff_no=f"B{i}") for i in range(2)]
    enrol.enrol_many(Session.get_by_id(session.id), people, actor="c", scope=None)
    record_attendance(Session.get_by_id(session.id), people[0], "present", actor="c", scope=None)
    update_session(session, {"venue": "二楼会议室"}, actor="c", scope=None)
    assert Session.get_by_id(session.id).booked == 2
    update_session(session, {"status": "finished"}, actor="c", scope=None)
    stored = Session.get_by_id(session.id)
    assert (stored.booked, stored.participants, stored.venue, stored.status) == (
        2, 1, "二楼会议室", "finished")


def test_an_edit_from_before_a_cancel_does_not_reopen_the_session(open_session, make_mediator,
                                                                  network):
    """The edit form was loaded, then another coordinator cancelled the session (everyone
    told): saving the form must be refused, not write the old status back."""
    from network.errors import DomainError
    from training.sessions import cancel_session, update_session

    session = open_session(3)
    cancel_session(Session.get_by_id(session.id), "讲师临时有事", actor="b", scope=None)
    with pytest.raises(DomainError, match="已取消"):
        update_session(session, {"venue": "二楼会议室"}, actor="a", scope=None)
    stored = Session.get_by_id(session.id)
    assert (stored.status, stored.venue) == ("cancelled", "")


def test_sign_up_refuses_a_second_session_at_the_same_time(open_session, make_mediator,
                                                           network):
    """One person, one room: a mediator's own sign-up for a session overlapping one they hold
    or wait for is refused (a coordinator enrolling them is asked to confirm instead)."""
    person = make_mediator(network["room1"])
    first = open_session(5, code="T1")
    enrol.sign_up(first, person, actor="t", at=BEFORE)
    overlapping = open_session(5, code="T2", start="2026-03-02 11:00", end="2026-03-02 13:00")
    with pytest.raises(DomainError, match="不能报名场次「T2」：同时段已报名场次「T1」"):
        enrol.sign_up(overlapping, person, actor="t", at=BEFORE)
    touching = open_session(5, code="T3", start="2026-03-02 13:00", end="2026-03-02 14:00")
    assert enrol.sign_up(touching, person, actor="t", at=BEFORE).status == ENROLLED
    enrol.withdraw(_get(first, person), actor="t", own=True, at=BEFORE)  # the place given up
    assert enrol.sign_up(overlapping, person, actor="t", at=BEFORE).status == ENROLLED
