"""What the coordinator's and the mediator's home pages show, gathered in a few queries."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw

from network.dates import SHANGHAI
from network.models import Organization
from network.tree import in_subtree
from org.models import Mediator

from .coverage import Coverage, at_risk_count, coverage
from .enrolment import ACTIVE, expire_offers, in_audience
from .hours import mediator_hours, year_bounds
from .models import (
    ANNUAL_HOURS,
    CANCELLED,
    ENROLLED,
    OFFERED,
    OPEN,
    REJECTED,
    WAITLISTED,
    WITHDRAWN,
    Attendance,
    Certificate,
    Enrolment,
    Session,
)
from .requirements import grade_day, required_of, requirement


@dataclass
class SessionLine:
    session: Session
    seats_left: int
    waitlist: int
    enrolled: int = 0
    recorded: int = 0


@dataclass
class CoordinatorHome:
    this_week: list[SessionLine]
    attendance_missing: list[SessionLine]
    coverage: Coverage
    at_risk: int


def _counts(session_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {sid: {} for sid in session_ids}
    if not session_ids:
        return counts
    for sid, status, n in (Enrolment.select(Enrolment.session, Enrolment.status,
                                            pw.fn.COUNT(Enrolment.id))
                           .where(Enrolment.session.in_(session_ids))
                           .group_by(Enrolment.session, Enrolment.status).tuples()):
        counts[sid][status] = n
    for sid, n in (Attendance.select(Attendance.session, pw.fn.COUNT(Attendance.id))
                   .where(Attendance.session.in_(session_ids))
                   .group_by(Attendance.session).tuples()):
        counts[sid]["recorded"] = n
    return counts


def _hosted(scope: Organization | None) -> pw.ModelSelect:
    return (Session.select(Session).join(Organization, on=(Session.host == Organization.id))
            .where(in_subtree(Organization.path, scope), Session.status != CANCELLED))


def _lines(sessions: list[Session]) -> list[SessionLine]:
    counts = _counts([s.id for s in sessions])
    return [SessionLine(s, s.capacity - s.booked, counts[s.id].get(WAITLISTED, 0),
                        counts[s.id].get(ENROLLED, 0), counts[s.id].get("recorded", 0))
            for s in sessions]


def coordinator_home(scope: Organization | None, at: dt.datetime) -> CoordinatorHome:
    """This week's sessions with seats left and waitlists; past sessions with enrolled
    mediators but fewer attendance records than enrolments; coverage and at-risk count of
    the scope this year."""
    today = at.astimezone(SHANGHAI).date()
    monday = today - dt.timedelta(days=today.weekday())
    week = list(_hosted(scope).where(Session.start_day.between(
        monday, monday + dt.timedelta(days=6))).order_by(Session.start))
    ended = list(_hosted(scope).where(Session.end < at, Session.start_day >= year_bounds(
        today.year - 1)[0]).order_by(Session.start.desc()))
    missing = [line for line in _lines(ended) if line.recorded < line.enrolled]
    return CoordinatorHome(_lines(week), missing, coverage(scope, today.year, today),
                           at_risk_count(scope, today.year, today))


@dataclass
class MediatorHome:
    next_sessions: list[Enrolment]
    hours: Decimal
    required: Decimal
    certificates: list[Certificate]
    open_sessions: list[Session] = field(default_factory=list)
    cancelled: list[Enrolment] = field(default_factory=list)


def _open_sessions(at: dt.datetime) -> pw.ModelSelect:
    """Open for self sign-up: 报名中, not begun, deadline not passed, not 必修 (a mandatory
    session is enrolled by the coordinator)."""
    return Session.select().where(
        Session.status == OPEN, Session.start > at, Session.mandatory == False,  # noqa: E712
        (Session.enrol_deadline.is_null()) | (Session.enrol_deadline >= at))


def mediator_home(mediator: Mediator, at: dt.datetime) -> MediatorHome:
    """The mediator's sessions to come (enrolled, offered, waiting, 待审批), those cancelled
    under them or given up (to drop from their calendar app), and the sessions they may still
    sign up for. Lapsed offers among what is shown are expired first, so the page never shows
    a seat held by an offer nobody can accept any more."""
    today = at.astimezone(SHANGHAI).date()
    offered = Enrolment.select(Enrolment.session).where(Enrolment.mediator == mediator.id,
                                                        Enrolment.status == OFFERED)
    expire_offers(at, [row.session_id for row in offered]
                  + [s.id for s in _open_sessions(at).select(Session.id)])
    mine = list(Enrolment.select(Enrolment, Session)
                .join(Session, on=(Enrolment.session == Session.id))
                .where(Enrolment.mediator == mediator.id, Session.end >= at)
                .order_by(Session.start))
    upcoming = [e for e in mine if e.status in ACTIVE and e.session.status != CANCELLED]
    cancelled = [e for e in mine
                 if e.session.status == CANCELLED or e.status in (WITHDRAWN, REJECTED)]
    held = {e.session_id for e in Enrolment.select(Enrolment.session).where(
        Enrolment.mediator == mediator.id, Enrolment.status.in_(ACTIVE))}
    open_now = [s for s in _open_sessions(at).order_by(Session.start)
                if s.id not in held and in_audience(s, mediator)]
    certificates = list(Certificate.select().where(Certificate.mediator == mediator.id)
                        .order_by(Certificate.issued.desc()))
    start, end = year_bounds(today.year)
    own = required_of(ANNUAL_HOURS, [mediator.id], grade_day(today.year, today))
    return MediatorHome(upcoming, mediator_hours(mediator.id, start, end),
                        own.get(mediator.id, requirement(ANNUAL_HOURS)),
                        certificates, open_now, cancelled)
