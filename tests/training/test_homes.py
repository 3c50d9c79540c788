"""The coordinator's and the mediator's home figures, hand-counted."""
from __future__ import annotations

from decimal import Decimal

from tests.training.conftest import at
from training import enrolment as enrol
from training.attendance import record_attendance
from training.homes import coordinator_home, mediator_home
from training.sessions import cancel_session

NOW = at("2026-03-11 10:00")  # a Wednesday: the week is 03-09 … 03-15


def test_coordinator_home(make_session, make_mediator, network):
    shinan = network["shinan"]
    mon = make_session(code="MON", start="2026-03-09 09:00", end="2026-03-09 11:00", hours="2",
                       host=shinan, capacity=2)
    make_session(code="SUN", start="2026-03-15 09:00", end="2026-03-15 11:00",
                       host=shinan, capacity=5)
    make_session(code="NEXT", start="2026-03-16 09:00", end="2026-03-16 11:00", host=shinan)
    gone = make_session(code="OFF", start="2026-03-12 09:00", end="2026-03-12 11:00",
                        host=shinan)
    make_session(code="HD", start="2026-03-10 09:00", end="2026-03-10 11:00",
                 host=network["huangdao"])
    cancel_session(gone, "改期", actor="t", scope=None)
    a, b, c = (make_mediator(network["room1"]) for _ in range(3))
    enrol.enrol_many(mon, [a, b, c], actor="t", scope=None)  # 2 seats, c waits
    record_attendance(mon, a, "出席", actor="t", scope=None)  # b's not recorded yet
    home = coordinator_home(shinan, NOW)
    assert [(line.session.code, line.seats_left, line.waitlist) for line in home.this_week] == [
        ("MON", 0, 1), ("SUN", 5, 0)]
    assert [(line.session.code, line.enrolled, line.recorded)
            for line in home.attendance_missing] == [("MON", 2, 1)]
    # population a, b, c; a has 2 h of 20: nobody met; all three at risk in March
    assert (home.coverage.population, home.coverage.met, home.at_risk) == (3, 0, 3)
    record_attendance(mon, b, "缺席", actor="t", scope=None)
    assert coordinator_home(shinan, NOW).attendance_missing == []
    assert [line.session.code for line in coordinator_home(network["huangdao"], NOW).this_week
            ] == ["HD"]


def test_mediator_home(make_session, make_mediator, network):
    person = make_mediator(network["room1"])
    past = make_session(code="PAST", start="2026-03-02 09:00", end="2026-03-02 12:00", hours="3")
    soon = make_session(code="SOON", start="2026-03-20 09:00", end="2026-03-20 11:00",
                        status="open", enrol_deadline="2026-03-19 18:00")
    make_session(code="OPEN", start="2026-04-01 09:00", end="2026-04-01 11:00", status="open",
                 enrol_deadline="2026-03-30 18:00")
    make_session(code="CLOSED", start="2026-03-25 09:00", end="2026-03-25 11:00",
                 status="open", enrol_deadline="2026-03-10 18:00")
    make_session(code="PLAN", start="2026-04-02 09:00", end="2026-04-02 11:00")
    enrol.enrol_many(past, [person], actor="t", scope=None)
    record_attendance(past, person, "出席", actor="t", scope=None)
    enrol.sign_up(soon, person, actor="t", at=NOW)
    home = mediator_home(person, NOW)
    assert [e.session.code for e in home.next_sessions] == ["SOON"]
    assert (home.hours, home.required) == (Decimal("3.0"), Decimal("20"))
    assert [s.code for s in home.open_sessions] == ["OPEN"]
    assert home.certificates == []
