"""iCalendar (.ics) for sessions: what a mediator's or an organisation's calendar app shows.

Each session keeps one UID for its whole life (`session-<id>@<domain>`; a multi-day session
one per date, `session-<id>-<date id>@…`) and its SEQUENCE is the session's `sequence`, bumped
on every change a subscriber should see, so clients replace the event instead of adding a
copy. Times carry TZID=Asia/Shanghai with the VTIMEZONE it needs. A feed (METHOD:PUBLISH)
keeps a cancelled session as STATUS:CANCELLED; the message about one session that was
cancelled is METHOD:CANCEL.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar

from network.dates import SHANGHAI

from .models import CANCELLED, Session, SessionDate

PRODID = "-//mediation-portal//training//ZH"
UID_DOMAIN = "training.mediation-portal"


def uid(session: Session, date: SessionDate | None = None) -> str:
    if date is None:
        return f"session-{session.id}@{UID_DOMAIN}"
    return f"session-{session.id}-{date.id}@{UID_DOMAIN}"


def _events(session: Session, stamp: dt.datetime, cancelled: bool = False,
            tentative: bool = False) -> list[icalendar.Event]:
    cancelled = cancelled or session.status == CANCELLED
    dates = list(SessionDate.select().where(SessionDate.session == session.id)
                 .order_by(SessionDate.start))
    pieces = [(uid(session, d), d.start, d.end) for d in dates] or [
        (uid(session), session.start, session.end)]
    location = session.venue or session.online_link
    events = []
    for index, (event_uid, start, end) in enumerate(pieces, start=1):
        event = icalendar.Event()
        event.add("uid", event_uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", start.astimezone(SHANGHAI))
        event.add("dtend", end.astimezone(SHANGHAI))
        summary = f"{session.course.name}（{session.code}）"
        if session.mandatory:
            summary = f"【必修】{summary}"
        if len(pieces) > 1:
            summary += f" {index}/{len(pieces)}"
        event.add("summary", summary)
        event.add("sequence", session.sequence)
        if location:
            event.add("location", location)
        if session.online_link:
            event.add("url", session.online_link)
        lines = [f"学时：{session.hours}", f"主讲人：{session.trainers}" if session.trainers
                 else "", f"主办：{session.host.name}"]
        if session.status == CANCELLED:
            lines.append(f"已取消：{session.cancel_reason}")
        event.add("description", "\n".join(line for line in lines if line))
        event.add("status", "CANCELLED" if cancelled else
                  "TENTATIVE" if tentative else "CONFIRMED")
        events.append(event)
    return events


def _calendar(method: str, name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    return calendar


def feed(sessions: Iterable[Session], name: str, *, stamp: dt.datetime | None = None,
         tentative: Iterable[int] = ()) -> bytes:
    """A subscribable feed of `sessions` (the caller picks them: a mediator's own, or an
    organisation's scope); those in `tentative` (ids: a mediator's places not yet a seat)
    are STATUS:TENTATIVE."""
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    tentative = set(tentative)
    calendar = _calendar("PUBLISH", name)
    for session in sessions:
        for event in _events(session, stamp, tentative=session.id in tentative):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def session_file(session: Session, *, stamp: dt.datetime | None = None,
                 withdrawn: bool = False, tentative: bool = False) -> bytes:
    """One session as a file to open or mail: METHOD:CANCEL once it is cancelled, or once the
    reader's own place is given up (`withdrawn`), so that their calendar app drops the event
    it was given earlier under the same UID; STATUS:TENTATIVE while the reader's place is
    not yet a seat (候补, 待审批, an offer to confirm)."""
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    cancelled = withdrawn or session.status == CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "PUBLISH", session.code)
    for event in _events(session, stamp, cancelled, tentative):
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()



