"""Work calendar, conflict warnings and the .ics feed (parsed back with icalendar)."""
from __future__ import annotations

import datetime as dt

import icalendar

from tests.training.conftest import at
from training import ics
from training import workcalendar as wc
from training.calendar import enrolment_warnings, session_warnings
from training.enrolment import enrol_many
from training.models import Session
from training.sessions import cancel_session, set_dates, update_session

D = dt.date


def test_working_days_follow_the_official_calendar(training_ref):
    assert not wc.is_workday(D(2026, 10, 1))  # 国庆节, a Thursday
    assert wc.is_workday(D(2026, 10, 10))  # a Saturday worked in exchange
    assert wc.is_workday(D(2026, 3, 4)) and not wc.is_workday(D(2026, 3, 7))
    # published Wed 2026-09-30: Oct 1-7 holiday, Oct 8 Thu, 9 Fri, 10 Sat (worked), 12, 13
    assert wc.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert wc.working_days_between(D(2026, 10, 1), D(2026, 10, 11)) == 3  # 8, 9, 10
    # 2027: no notice yet, the weekday rule: Fri 2027-01-01 + 5 → Fri 01-08
    assert wc.add_working_days(D(2027, 1, 1), 5) == D(2027, 1, 8)
    assert 2026 in wc.known_years() and 2027 not in wc.known_years()


def test_admin_enters_a_later_year(training_ref):
    wc.set_day(D(2027, 1, 1), False, "元旦", actor="admin")
    assert not wc.is_workday(D(2027, 1, 1))
    # Thu 2026-12-31 + 1 working day skips the holiday and the weekend: Mon 2027-01-04
    assert wc.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert wc.clear_day(D(2027, 1, 1), actor="admin")
    assert wc.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)


def test_session_warnings(make_session, network):
    first = make_session(start="2026-03-10 09:00", end="2026-03-10 12:00", venue="三楼会议室",
                         trainers="王老师、李老师")
    # touching ends are no clash
    make_session(start="2026-03-10 12:00", end="2026-03-10 14:00", venue="三楼会议室",
                 trainers="王老师")
    clash = make_session(start="2026-03-10 11:00", end="2026-03-10 13:00", venue="三楼会议室",
                         trainers="李老师, 赵老师")
    assert [str(m) for m in session_warnings(clash)] == [
        "地点「三楼会议室」同时段已有场次「S001」",
        "主讲人「李老师」同时段已有场次「S001」",
        "地点「三楼会议室」同时段已有场次「S002」",
    ]
    holiday = make_session(start="2026-10-02 09:00", end="2026-10-02 11:00", venue="线上")
    assert [str(m) for m in session_warnings(holiday)] == ["2026-10-02是法定节假日（国庆节）"]
    cancel_session(first, "改期", actor="t", scope=None)
    assert [str(m) for m in session_warnings(clash)] == ["地点「三楼会议室」同时段已有场次「S002」"]
    # 2027 has no calendar rows yet: its 1 January is not known as 元旦, so the page says so
    new_year = make_session(start="2027-01-01 09:00", end="2027-01-01 11:00", venue="线上")
    assert [str(m) for m in session_warnings(new_year)] == [
        "2027年的法定节假日尚未录入工作日历，请自行核对日期"]
    wc.set_day(D(2027, 1, 1), False, "元旦", actor="admin")  # once entered, the holiday itself
    assert [str(m) for m in session_warnings(new_year)] == ["2027-01-01是法定节假日（元旦）"]


def test_multi_day_sessions_clash_only_on_their_dates(make_session, make_mediator, network):
    course = make_session(start="2026-03-09 09:00", end="2026-03-11 17:00", venue="A厅")
    set_dates(course, [("2026-03-09 09:00", "2026-03-09 12:00"),
                       ("2026-03-11 09:00", "2026-03-11 12:00")], actor="t", scope=None)
    course = Session.get_by_id(course.id)
    assert course.minutes == 360
    between = make_session(start="2026-03-10 09:00", end="2026-03-10 12:00", venue="A厅")
    assert session_warnings(between) == []
    same_day = make_session(start="2026-03-11 10:00", end="2026-03-11 11:00", venue="A厅")
    assert [str(m) for m in session_warnings(same_day)] == [
        f"地点「A厅」同时段已有场次「{course.code}」"]
    person = make_mediator(network["room1"])
    other = make_mediator(network["room1"])
    enrol_many(course, [person], actor="t", scope=None)
    warnings = enrolment_warnings(same_day, [person.id, other.id])
    assert {k: [str(m) for m in v] for k, v in warnings.items()} == {
        person.id: [f"同时段已报名场次「{course.code}」"]}
    assert enrolment_warnings(between, [person.id]) == {}


def test_ics_feed_parses_back(make_session, network):
    session = make_session(start="2026-03-10 09:00", end="2026-03-10 12:00", venue="三楼会议室",
                           trainers="王老师")
    stamp = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    parsed = icalendar.Calendar.from_ical(ics.feed([session], "市南培训", stamp=stamp))
    assert str(parsed["method"]) == "PUBLISH"
    timezones = [c for c in parsed.walk("VTIMEZONE")]
    assert [str(tz["tzid"]) for tz in timezones] == ["Asia/Shanghai"]
    (event,) = parsed.walk("VEVENT")
    assert str(event["uid"]) == f"session-{session.id}@training.mediation-portal"
    start = event.decoded("dtstart")
    assert start == at("2026-03-10 09:00") and str(start.tzinfo) == "Asia/Shanghai"
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("dtend") == at("2026-03-10 12:00")
    assert int(event["sequence"]) == 0
    assert str(event["location"]) == "三楼会议室"
    assert str(event["summary"]) == "调解技巧（S001）"

    update_session(session, {"start": "2026-03-10 09:30"}, actor="t", scope=None)
    moved = icalendar.Calendar.from_ical(ics.feed([Session.get_by_id(session.id)], "x"))
    (event,) = moved.walk("VEVENT")
    assert str(event["uid"]) == f"session-{session.id}@training.mediation-portal"  # stable
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == at("2026-03-10 09:30")
    # a change subscribers do not see (capacity) leaves SEQUENCE alone
    update_session(session, {"capacity": 50}, actor="t", scope=None)
    assert Session.get_by_id(session.id).sequence == 1

    cancelled = cancel_session(Session.get_by_id(session.id), "讲师生病", actor="t", scope=None)
    message = icalendar.Calendar.from_ical(ics.session_file(cancelled))
    assert str(message["method"]) == "CANCEL"
    (event,) = message.walk("VEVENT")
    assert (str(event["status"]), int(event["sequence"])) == ("CANCELLED", 2)
    assert str(event["uid"]) == f"session-{session.id}@training.mediation-portal"
