"""Multi-day sessions and their audience, written through the session services: the days typed
one per line decide the span and the scheduled minutes, keep their rows (and .ics UIDs) when
only times change, and travel with a copy; audience organisations stay inside the writer's
scope. The calendar places a session on every day it takes place."""
from __future__ import annotations

import datetime as dt

import pytest

from network.errors import OutOfScope, ValidationError
from training import agenda
from training.models import Session, SessionDate
from training.sessions import audience_codes, copy_session, dates_text, update_session

from .conftest import at

DAYS = "2026-05-06 09:00-12:00\n\n2026-05-08 14:00-17:30\n"


def test_days_decide_span_and_minutes(make_session):
    session = make_session(start="", end="", dates=DAYS)
    assert session.start == at("2026-05-06 09:00") and session.end == at("2026-05-08 17:30")
    assert session.minutes == 180 + 210
    assert dates_text(session) == "2026-05-06 09:00-12:00\n2026-05-08 14:00-17:30"


def test_changed_times_keep_the_rows_and_bump_sequence(make_session):
    session = make_session(dates=DAYS)
    ids = [d.id for d in session.dates.order_by(SessionDate.start)]
    update_session(session, {"dates": "2026-05-06 09:30-12:00\n2026-05-08 14:00-17:30"},
                   actor="t", scope=None)
    session = Session.get_by_id(session.id)
    assert [d.id for d in session.dates.order_by(SessionDate.start)] == ids
    assert session.sequence == 1 and session.minutes == 150 + 210
    update_session(session, {"capacity": 40}, actor="t", scope=None)
    assert Session.get_by_id(session.id).sequence == 1  # days unchanged
    update_session(session, {"dates": "", "start": "2026-05-06 09:00",
                             "end": "2026-05-06 11:00"}, actor="t", scope=None)
    session = Session.get_by_id(session.id)
    assert session.dates.count() == 0 and session.minutes == 120 and session.sequence == 2


@pytest.mark.parametrize("text, message", [
    ("2026-05-06 9:00", "第1行「2026-05-06 9:00」格式应为 YYYY-MM-DD HH:MM-HH:MM"),
    ("2026-05-06 09:00-12:00\n2026-02-30 09:00-12:00", "第2行「2026-02-30 09:00-12:00」不是有效的日期或时间"),
    ("2026-05-06 12:00-09:00", "2026-05-06 的结束时间应晚于开始时间"),
    ("2026-05-06 09:00-12:00\n2026-05-06 11:00-13:00", "各日期的时间段不能重叠"),
])
def test_bad_days_are_field_errors(make_session, text, message):
    with pytest.raises(ValidationError) as caught:
        make_session(dates=text)
    assert str(caught.value.errors["dates"]) == message
    assert Session.select().count() == 0


def test_audience_organisations_inside_the_scope(make_session, network):
    session = make_session(host=network["shinan"], audience_orgs="QD-02-01，QD-02")
    assert audience_codes(session) == ["QD-02", "QD-02-01"]
    with pytest.raises(ValidationError) as caught:
        make_session(audience_orgs="QD-02, NOPE")
    assert str(caught.value.errors["audience_orgs"]) == "机构「NOPE」不存在"
    with pytest.raises(OutOfScope):
        update_session(session, {"audience_orgs": "QD-11-01"}, actor="t",
                       scope=network["shinan"])
    assert audience_codes(Session.get_by_id(session.id)) == ["QD-02", "QD-02-01"]


def test_copy_keeps_audience_and_shifts_days(make_session, network):
    session = make_session(host=network["shinan"], audience_orgs="QD-02-01", dates=DAYS,
                           audience_grades="四级")
    copy = copy_session(session, code="COPY", start="2026-06-03 09:00", actor="t", scope=None)
    assert audience_codes(copy) == ["QD-02-01"] and copy.audience_grades == "4"
    # 2026-05-06 → 2026-06-03 is 28 days later
    assert dates_text(copy) == "2026-06-03 09:00-12:00\n2026-06-05 14:00-17:30"


def test_calendar_places_a_session_on_each_of_its_days(make_session):
    days = make_session(code="DAYS", dates=DAYS)
    running = make_session(code="RUN", start="2026-05-07 20:00", end="2026-05-09 00:00")
    single = make_session(code="ONE", start="2026-05-08 08:00", end="2026-05-08 09:00")
    start, end = dt.date(2026, 5, 7), dt.date(2026, 5, 10)
    sessions = list(Session.select().where(agenda._in_range(start, end)).order_by(Session.code))
    # DAYS started the day before the range but takes place on 05-08
    assert [s.code for s in sessions] == ["DAYS", "ONE", "RUN"]
    cells = {day: [(e.session.code, e.begins and e.begins.strftime("%H:%M"), e.part)
                   for e in entries]
             for day, entries in agenda.by_day(sessions, start, end).items()}
    assert cells == {
        dt.date(2026, 5, 7): [("RUN", "20:00", "1/2")],
        # a day continued from the day before comes first, then by the time each begins
        dt.date(2026, 5, 8): [("RUN", None, "2/2"), ("ONE", "08:00", ""),
                              ("DAYS", "14:00", "2/2")],
    }  # RUN ends at midnight: nothing on 05-09; DAYS's first day 05-06 is outside the range
    assert days.id and running.id and single.id
