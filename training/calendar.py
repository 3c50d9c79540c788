"""Warnings a coordinator must confirm before a session or an enrolment is saved: a session on
an official holiday, the same venue or trainer booked twice at once, a mediator enrolled in two
overlapping sessions. They are warnings, not refusals (a Saturday course on a 调休 holiday can
be intended), so the functions return messages and write nothing.

Overlap means the time ranges intersect (touching ends do not); a multi-day session is compared
by its dates, each one separately.
"""
from __future__ import annotations

import datetime as dt
import re

from network.errors import Msg

from .models import (
    CANCELLED,
    ENROLLED,
    OFFERED,
    PENDING,
    WAITLISTED,
    Enrolment,
    Session,
    SessionDate,
    WorkDay,
)

TRAINER_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def trainers_of(text: str) -> set[str]:
    return {name for name in TRAINER_SEPARATORS.split(text or "") if name}


def spans(session: Session) -> list[tuple[dt.datetime, dt.datetime]]:
    """The session's time ranges: its days, or its start to end. A session being edited may
    carry the days typed in its form (`pending_dates`), not yet saved."""
    pending = getattr(session, "pending_dates", None)
    if pending is not None:
        return list(pending) or [(session.start, session.end)]
    dates = list(SessionDate.select().where(SessionDate.session == session.id)
                 .order_by(SessionDate.start)) if session.id else []
    return [(d.start, d.end) for d in dates] or [(session.start, session.end)]


def _overlapping(session: Session) -> list[Session]:
    """Other live sessions whose time ranges meet this one's (first by the overall span in
    SQL, then date by date)."""
    query = Session.select().where(Session.status != CANCELLED, Session.start < session.end,
                                   Session.end > session.start)
    if session.id:
        query = query.where(Session.id != session.id)
    mine = spans(session)
    return [other for other in query.order_by(Session.start)
            if any(a < d and c < b for a, b in mine for c, d in spans(other))]


def _holidays(session: Session) -> list[Msg]:
    days = sorted({start.date() for start, _ in spans(session)})
    rows = (WorkDay.select().where(WorkDay.day.in_(days), WorkDay.is_workday == False)  # noqa: E712
            .order_by(WorkDay.day))
    found = [Msg("%(day)s是法定节假日（%(name)s）", day=row.day.isoformat(), name=row.name)
             for row in rows]
    # a year nobody entered yet (chinesecalendar stops at 2026): its holidays are unknown,
    # and a session on 1 January would otherwise pass without a word
    for year in sorted({day.year for day in days}):
        if not WorkDay.select().where(WorkDay.day.between(dt.date(year, 1, 1),
                                                          dt.date(year, 12, 31))).exists():
            found.append(Msg("%(year)d年的法定节假日尚未录入工作日历，请自行核对日期", year=year))
    return found


def session_warnings(session: Session) -> list[Msg]:
    """What to confirm before saving `session` (it need not be saved yet)."""
    warnings = _holidays(session)
    mine = trainers_of(session.trainers)
    venue = (session.venue or "").strip()
    for other in _overlapping(session):
        if venue and venue == (other.venue or "").strip():
            warnings.append(Msg("地点「%(venue)s」同时段已有场次「%(code)s」", venue=venue,
                                code=other.code))
        for name in sorted(mine & trainers_of(other.trainers)):
            warnings.append(Msg("主讲人「%(name)s」同时段已有场次「%(code)s」", name=name,
                                code=other.code))
    return warnings


def enrolment_warnings(session: Session, mediator_ids: list[int]) -> dict[int, list[Msg]]:
    """Per mediator: the overlapping sessions they already hold or wait for a place in."""
    overlapping = {s.id: s for s in _overlapping(session)}
    if not overlapping or not mediator_ids:
        return {}
    rows = (Enrolment.select(Enrolment.mediator, Enrolment.session)
            .where(Enrolment.session.in_(list(overlapping)),
                   Enrolment.mediator.in_(mediator_ids),
                   Enrolment.status.in_([ENROLLED, OFFERED, WAITLISTED, PENDING]))
            .order_by(Enrolment.mediator, Enrolment.session).tuples())
    result: dict[int, list[Msg]] = {}
    for mediator_id, session_id in rows:
        other = overlapping[session_id]
        result.setdefault(mediator_id, []).append(
            Msg("同时段已报名场次「%(code)s」", code=other.code))
    return result

