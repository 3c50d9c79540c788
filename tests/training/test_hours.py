"""Credited hours: the rule on hand-counted cases, and the set-based sums over windows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.training.conftest import at
from training import hours
from training.attendance import record_attendance
from training.models import (
    ABSENT,
    ANNUAL,
    LATE,
    LEAVE,
    LEFT_EARLY,
    PRE_SERVICE,
    PRESENT,
    Attendance,
    Session,
)
from training.sessions import cancel_session, update_session

D = Decimal


@pytest.mark.parametrize("status,session_hours,minutes,scheduled,expected", [
    (PRESENT, "3", None, 180, "3.0"),
    (PRESENT, "1.5", None, 90, "1.5"),
    # 3 h × 150/180 = 2.5 exactly: already a multiple of 0.5, kept
    (LATE, "3", 150, 180, "2.5"),
    # 3 h × 149/180 = 2.483…: down to 2.0, never up to 2.5
    (LATE, "3", 149, 180, "2.0"),
    # 2 h × 45/120 = 0.75 → 0.5
    (LEFT_EARLY, "2", 45, 120, "0.5"),
    # 2 h × 30/120 = 0.5 exactly, the boundary
    (LEFT_EARLY, "2", 30, 120, "0.5"),
    # 2 h × 29/120 = 0.483… → 0
    (LEFT_EARLY, "2", 29, 120, "0.0"),
    # all the scheduled minutes: the whole 学时
    (LATE, "2.5", 150, 150, "2.5"),
    # 7.5 h over 2 days of 240 min (480 scheduled), present 400: 6.25 → 6.0
    (LATE, "7.5", 400, 480, "6.0"),
    (ABSENT, "3", None, 180, "0.0"),
    (LEAVE, "3", None, 180, "0.0"),
])
def test_credit_rule(status, session_hours, minutes, scheduled, expected):
    assert hours.credit(status, D(session_hours), minutes, scheduled) == D(expected)


def test_credit_refuses_unknown_status():
    with pytest.raises(ValueError):
        hours.credit("sleeping", D("2"), None, 120)


def test_times_are_stored_as_utc_and_read_in_shanghai(make_session, database):
    session = make_session(start="2026-01-01 00:30", end="2026-01-01 02:30", hours="2")
    raw = database.execute_sql("SELECT start, start_day FROM training_session WHERE id = "
                               + database.obj.param, (session.id,)).fetchone()
    stored = raw[0] if isinstance(raw[0], dt.datetime) else dt.datetime.fromisoformat(raw[0])
    assert stored == dt.datetime(2025, 12, 31, 16, 30)  # UTC, no offset on either backend
    assert str(raw[1]) == "2026-01-01"  # the Shanghai day of the start
    again = Session.get_by_id(session.id)
    assert again.start.utcoffset() == dt.timedelta(hours=8)
    assert (again.start.hour, again.start.minute) == (0, 30)
    assert again.minutes == 120


@pytest.fixture
def ledger(make_session, make_mediator, network):
    """Two mediators, five sessions around the 2026 year boundary (hand-counted below).

    a: S1 2025-12-31 23:30 (2025!) 出席 2h; S2 2026-01-01 00:30 出席 2h;
       S3 2026-06-10 岗前 3h 迟到 100/180 min → 1.5; S4 2026-12-31 23:00 早退 40/60 of 1h → 0.5;
       S5 2027-01-01 00:00 出席 1h (2027).
    b: S2 请假 → 0; S3 出席 3h; S5 出席 1h.
    """
    a = make_mediator(network["room1"], staff_no="A1")
    b = make_mediator(network["room3"], staff_no="B1")
    s1 = make_session(start="2025-12-31 23:30", end="2026-01-01 01:30", hours="2")
    s2 = make_session(start="2026-01-01 00:30", end="2026-01-01 02:30", hours="2")
    s3 = make_session(start="2026-06-10 09:00", end="2026-06-10 12:00", hours="3",
                      kind="岗前培训")
    s4 = make_session(start="2026-12-31 23:00", end="2027-01-01 00:00", hours="1")
    s5 = make_session(start="2027-01-01 00:00", end="2027-01-01 01:00", hours="1")
    for session, mediator, status, minutes in [
            (s1, a, "出席", None), (s2, a, "出席", None), (s3, a, "迟到", 100),
            (s4, a, "早退", 40), (s5, a, "出席", None),
            (s2, b, "请假", None), (s3, b, "出席", None), (s5, b, "出席", None)]:
        # recorded after the last of them (attendance exists once a session has begun)
        record_attendance(session, mediator, status, minutes, actor="t", scope=None,
                          at=at("2027-01-02 09:00"))
    return {"a": a, "b": b, "sessions": [s1, s2, s3, s4, s5]}


def test_credited_hours_over_a_year(ledger):
    a, b = ledger["a"], ledger["b"]
    start, end = hours.year_bounds(2026)
    # a: S2 2 + S3 1.5 + S4 0.5 = 4.0 ; b: S3 3
    assert hours.credited_hours([a.id, b.id], start, end) == {a.id: D("4.0"), b.id: D("3.0")}
    assert hours.credited_hours(None, start, end) == {a.id: D("4.0"), b.id: D("3.0")}
    assert hours.mediator_hours(a.id, dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == D("2.0")
    assert hours.mediator_hours(a.id, dt.date(2027, 1, 1), dt.date(2027, 1, 1)) == D("1.0")


def test_window_ends_are_included(ledger):
    a = ledger["a"]
    # exactly one day: S2 (2026-01-01 00:30 Shanghai, 2025-12-31 UTC) is in, S1 is not
    assert hours.mediator_hours(a.id, dt.date(2026, 1, 1), dt.date(2026, 1, 1)) == D("2.0")
    assert hours.mediator_hours(a.id, dt.date(2026, 12, 31), dt.date(2026, 12, 31)) == D("0.5")
    assert hours.mediator_hours(a.id, None, None) == D("7.0")


def test_kinds_and_unknown_ids(ledger, make_mediator, network):
    a, b = ledger["a"], ledger["b"]
    c = make_mediator(network["room2"], staff_no="C1")
    start, end = hours.year_bounds(2026)
    assert hours.credited_hours([a.id, b.id, c.id], start, end, kinds=[PRE_SERVICE]) == {
        a.id: D("1.5"), b.id: D("3.0"), c.id: D("0.0")}
    assert hours.credited_hours([a.id], None, dt.date(2026, 6, 9), kinds=[PRE_SERVICE]) == {
        a.id: D("0.0")}
    assert hours.hours_by_kind([a.id, b.id, c.id], start, end) == {
        a.id: {ANNUAL: D("2.5"), PRE_SERVICE: D("1.5")}, b.id: {PRE_SERVICE: D("3.0")},
        c.id: {}}
    # 人次: b's 请假 at S2 is no participation
    assert hours.participations([a.id, b.id], start, end) == {a.id: 3, b.id: 1}


def test_sub_select_of_ids(ledger, network):
    from network.tree import subtree_ids
    from org.models import Mediator

    ids = Mediator.select(Mediator.id).where(Mediator.station.in_(subtree_ids(network["shinan"])))
    assert hours.credited_hours(ids, *hours.year_bounds(2026)) == {ledger["a"].id: D("4.0")}


def test_cancelled_sessions_do_not_count(ledger):
    a = ledger["a"]
    s2 = ledger["sessions"][1]
    cancel_session(s2, "讲师临时有事", actor="t", scope=None)
    assert hours.mediator_hours(a.id, *hours.year_bounds(2026)) == D("2.0")


def test_changed_hours_recredit_attendance(ledger):
    a = ledger["a"]
    s3 = ledger["sessions"][2]
    # 4 h × 100/180 = 2.22 → 2.0 (was 1.5 at 3 h)
    update_session(s3, {"hours": "4"}, actor="t", scope=None)
    record = Attendance.get(Attendance.session == s3.id, Attendance.mediator == a.id)
    assert record.credited == D("2.0")
    assert hours.mediator_hours(a.id, *hours.year_bounds(2026)) == D("4.5")
