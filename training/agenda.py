"""The training calendar's content: which sessions a person sees in a date range and which days
the working calendar marks. A coordinator or manager sees the sessions hosted in their subtree;
a mediator sees their own (a seat, an offer, a waitlist place or a pending sign-up) and the open
sessions they may still sign up for, nothing else, so the calendar leaks no other station's plans.
A session is placed on every day it takes place (Asia/Shanghai): each of its dates when it has
several, else every day from its start to its end."""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from typing import NamedTuple

import peewee as pw

from network.dates import SHANGHAI
from network.models import Organization
from network.tree import in_subtree
from org.models import Mediator

from .enrolment import ACTIVE, in_audience
from .models import OPEN, Enrolment, Session, SessionDate, WorkDay

# the longest span looked back for a session still running in a range (an index bound)
LONGEST_DAYS = 366


class DayMark(NamedTuple):
    is_workday: bool
    name: str


class Entry(NamedTuple):
    """A session on one day: when it begins that day (None: it runs on from the day before)
    and which of its days this is (1/3), when it has several."""
    session: Session
    begins: dt.datetime | None
    part: str


def _in_range(start: dt.date, end: dt.date) -> pw.Expression:
    """Sessions taking place on any day of the range: started by its last day, ended after
    its first day began."""
    first = dt.datetime.combine(start, dt.time(), SHANGHAI)
    return (Session.start_day.between(start - dt.timedelta(days=LONGEST_DAYS), end)
            & (Session.end > first))


def by_day(sessions: list[Session], start: dt.date, end: dt.date) -> dict[dt.date, list[Entry]]:
    """The calendar's cells: every day of the range each session takes place on, in order
    of the time it begins that day. One look-up of the dates, whatever the number of sessions."""
    dates: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for date in (SessionDate.select().where(SessionDate.session.in_([s.id for s in sessions]))
                 .order_by(SessionDate.start)) if sessions else []:
        dates.setdefault(date.session_id, []).append((date.start, date.end))
    out: dict[dt.date, list[Entry]] = {}
    for session in sessions:
        spans = dates.get(session.id) or [(session.start, session.end)]
        days = []
        for begin, finish in spans:
            begin, finish = begin.astimezone(SHANGHAI), finish.astimezone(SHANGHAI)
            last = finish.date()
            if finish.time() == dt.time() and last > begin.date():
                last -= dt.timedelta(days=1)  # ending at midnight takes nothing of that day
            for offset in range((last - begin.date()).days + 1):
                day = begin.date() + dt.timedelta(days=offset)
                days.append((day, begin if offset == 0 else None))
        for number, (day, begins) in enumerate(days, start=1):
            if start <= day <= end:
                part = f"{number}/{len(days)}" if len(days) > 1 else ""
                out.setdefault(day, []).append(Entry(session, begins, part))
    for entries in out.values():
        entries.sort(key=lambda e: (e.begins is not None, e.begins or e.session.start,
                                    e.session.code))
    return out


def staff_sessions(scope: Organization | None, start: dt.date, end: dt.date) -> list[Session]:
    """Sessions hosted in the scope's subtree starting between the two days, cancelled ones
    included (the calendar strikes them through)."""
    return list(Session.select().join(Organization, on=(Session.host == Organization.id))
                .where(in_subtree(Organization.path, scope), _in_range(start, end))
                .order_by(Session.start, Session.code))


def mediator_sessions(mediator: Mediator, start: dt.date, end: dt.date,
                      at: dt.datetime | None = None) -> tuple[list[Session], dict[int, str]]:
    """(sessions, {session id: the mediator's enrolment status}): their own ones, plus open
    sessions of their audience whose deadline has not passed (no status), 必修 ones excepted
    (the coordinator enrols those)."""
    moment = at or dt.datetime.now(SHANGHAI)
    own = dict(Enrolment.select(Enrolment.session, Enrolment.status)
               .join(Session).where(Enrolment.mediator == mediator.id,
                                    Enrolment.status.in_(ACTIVE), _in_range(start, end))
               .tuples())
    sessions = {s.id: s for s in Session.select().where(Session.id.in_(list(own) or [0]))}
    for session in Session.select().where(Session.status == OPEN, _in_range(start, end),
                                          Session.mandatory == False,  # noqa: E712 (not offered)
                                          Session.id.not_in(list(sessions) or [0])):
        deadline = session.enrol_deadline or session.start
        if moment <= deadline and mediator.status == "on" and in_audience(session, mediator):
            sessions[session.id] = session
    return sorted(sessions.values(), key=lambda s: (s.start, s.code)), own


def day_marks(start: dt.date, end: dt.date) -> dict[dt.date, DayMark]:
    """The working calendar's exceptions in the range: holidays and 调休 working days."""
    out = {}
    for day, is_workday, name in (WorkDay.select(WorkDay.day, WorkDay.is_workday, WorkDay.name)
                                  .where(WorkDay.day.between(start, end)).tuples()):
        if isinstance(day, str):  # SQLite may hand back the ISO text
            day = dt.date.fromisoformat(day)
        out[day] = DayMark(bool(is_workday), name)
    return out


def month_weeks(year: int, month: int) -> list[list[dt.date]]:
    """The month's grid, Monday first, with the neighbouring months' days filling the weeks."""
    return _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def week_days(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]
