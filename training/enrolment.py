"""Enrolment that stays fair under load: seats, a first-come waitlist, offers that expire.

A seat is taken by one conditional statement, `UPDATE training_session SET booked = booked + 1
WHERE id = ? AND booked < capacity`: whatever number of sign-ups arrive at once, the database
lets exactly as many through as there are seats (peers lose the last seat to a read-then-write
race here). The sign-up's transaction first locks the session (SELECT … FOR UPDATE on
PostgreSQL; BEGIN IMMEDIATE on SQLite, which takes the single write lock), so sign-ups to one
session are serialised and the waitlist numbers (`queue_no`) follow the order in which they
were decided, with no gap and no duplicate.

`booked` counts enrolled and offered places: a cancelled seat is not freed while it is offered
to the next in line; it is freed only when nobody is waiting.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import peewee as pw

from network import audit
from network.dates import SHANGHAI
from network.db import db, is_postgres
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.fields import plain
from network.models import Organization, now
from network.tree import in_subtree
from org.grades import UNGRADED_STANDING, standings
from org.models import EMPLOYMENT, GRADES, Mediator
from org.services import in_scope

from .calendar import enrolment_warnings
from .models import (
    ENROLLED,
    OFFERED,
    OPEN,
    PENDING,
    REJECTED,
    WAITLISTED,
    WITHDRAWN,
    Enrolment,
    Session,
    SessionAudience,
)
from .notices import notify
from .sessions import check_scope, grades_of

OFFER_HOURS = 48  # how long an offered seat is held for the next in line
ACTIVE = (ENROLLED, WAITLISTED, OFFERED, PENDING)


def _clock(moment: dt.datetime | None) -> dt.datetime:
    return moment if moment is not None else dt.datetime.now(SHANGHAI)


def _serialised():
    """A transaction that holds the write lock from its first statement on SQLite (a
    deferred one would fail to upgrade its read lock when another writer went first)."""
    return db.atomic() if is_postgres() else db.atomic("IMMEDIATE")


def _lock(session_id: int) -> None:
    if is_postgres():
        db.execute_sql("SELECT id FROM training_session WHERE id = %s FOR UPDATE", (session_id,))


def _take_seat(session_id: int) -> bool:
    return (Session.update(booked=Session.booked + 1)
            .where(Session.id == session_id, Session.booked < Session.capacity)
            .execute()) == 1


def _release_seat(session_id: int) -> None:
    Session.update(booked=Session.booked - 1).where(
        Session.id == session_id, Session.booked > 0).execute()


def _next_queue_no(session_id: int) -> int:
    last = (Enrolment.select(pw.fn.MAX(Enrolment.queue_no))
            .where(Enrolment.session == session_id).scalar())
    return (last or 0) + 1


def _place(session: Session, mediator_id: int, actor: str,
           existing: Enrolment | None) -> Enrolment:
    """Inside a serialised transaction: a seat if one is left, else the end of the waitlist."""
    stamp = now()
    if _take_seat(session.id):
        values = {"status": ENROLLED, "queue_no": None, "waitlisted_at": None}
    else:
        values = {"status": WAITLISTED, "queue_no": _next_queue_no(session.id),
                  "waitlisted_at": stamp}
    values.update(offer_expires=None, enrolled_by=actor, updated_at=stamp)
    if existing is None:
        return Enrolment.create(session=session.id, mediator=mediator_id, **values)
    Enrolment.update(**values).where(Enrolment.id == existing.id).execute()
    return Enrolment.get_by_id(existing.id)


def _current(session_id: int, mediator_id: int) -> Enrolment | None:
    return Enrolment.get_or_none(Enrolment.session == session_id,
                                 Enrolment.mediator == mediator_id)


def _trail(actor: str, before: str | None, after: Enrolment, reason: str = "") -> Enrolment:
    """A person's place changed hands: recorded in the audit trail (who moved whom from which
    status to which, and why when a reason was given), under the mediator's station so their
    manager sees it too."""
    if before != after.status:
        staff_no, path = (Mediator.select(Mediator.staff_no, Organization.path)
                          .join(Organization, on=(Mediator.station == Organization.id))
                          .where(Mediator.id == after.mediator_id).tuples().get())
        code = Session.select(Session.code).where(Session.id == after.session_id).scalar()
        changes = {"status": [before, after.status]}
        if reason:
            changes["reason"] = [None, reason]
        audit.record(actor, "create" if before is None else "update", "enrolment", after.id,
                     f"{code}/{staff_no}", changes, org_path=path)
    return after


def _enrol_one(session: Session, mediator_id: int, actor: str, *, pending: bool) -> Enrolment:
    with _serialised():
        _lock(session.id)
        existing = _current(session.id, mediator_id)
        if existing is not None and existing.status in ACTIVE:
            return existing
        before = None if existing is None else existing.status
        if not pending:
            return _trail(actor, before, _place(session, mediator_id, actor, existing))
        values = {"status": PENDING, "enrolled_by": actor, "updated_at": now()}
        if existing is None:
            return _trail(actor, before, Enrolment.create(session=session.id,
                                                          mediator=mediator_id, **values))
        Enrolment.update(**values).where(Enrolment.id == existing.id).execute()
        return _trail(actor, before, Enrolment.get_by_id(existing.id))


def outside_audience(session: Session, mediators: Iterable[Mediator]) -> dict[int, list[Msg]]:
    """Per mediator outside the session's audience: why (organisation, grade on the session's
    day, 专职/兼职). A session that names none is for everyone. Set-based: one look-up of the
    audience organisations and one of the grades, whatever the number of mediators."""
    people = list(mediators)
    orgs = list(Organization.select().join(
        SessionAudience, on=(SessionAudience.organization == Organization.id))
        .where(SessionAudience.session == session.id))
    wanted = grades_of(session)
    held = standings([m.id for m in people], session.start_day) if wanted and people else {}
    out: dict[int, list[Msg]] = {}
    for mediator in people:
        reasons = []
        if orgs and not any(org.contains(mediator.station) for org in orgs):
            reasons.append(Msg("不在本场次面向的机构（%(orgs)s）",
                               orgs="、".join(org.name for org in orgs)))
        if wanted and held.get(mediator.id, UNGRADED_STANDING).grade not in wanted:
            reasons.append(Msg("等级不在本场次面向的等级（%(grades)s）", grades=[
                Msg(label) for code, label in GRADES.items() if code in wanted]))
        if session.audience_employment and mediator.employment != session.audience_employment:
            reasons.append(Msg("本场次仅面向%(kind)s调解员", kind=Msg(
                EMPLOYMENT.get(session.audience_employment, session.audience_employment))))
        if reasons:
            out[mediator.id] = reasons
    return out


def in_audience(session: Session, mediator: Mediator) -> bool:
    return not outside_audience(session, [mediator])


def sign_up(session: Session, mediator: Mediator, *, actor: str,
            at: dt.datetime | None = None) -> Enrolment:
    """A mediator signs themself up for an open session before its deadline; a session that
    needs approval waits for the station manager before a seat is taken."""
    moment = _clock(at)
    expire_offers(moment, [session.id])
    session = Session.get_by_id(session.id)
    if session.status != OPEN:
        raise DomainError(Msg("场次「%(code)s」不在报名中", code=session.code))
    if session.mandatory:
        raise DomainError(Msg("场次「%(code)s」为必修场次，由培训管理员统一安排报名，不能自行报名",
                              code=session.code))
    deadline = session.enrol_deadline or session.start
    if moment > deadline:
        raise DomainError(Msg("场次「%(code)s」报名已截止", code=session.code))
    if mediator.status != "on":
        raise DomainError(Msg("离岗调解员不能报名"))
    refused = outside_audience(session, [mediator]).get(mediator.id)
    if refused:
        raise DomainError(Msg("不能报名场次「%(code)s」：%(why)s", code=session.code,
                              why=refused[0]))
    existing = _current(session.id, mediator.id)
    if existing is not None and existing.status in ACTIVE:
        raise DomainError(Msg("您已报名场次「%(code)s」", code=session.code))
    # one person, one room: a coordinator may confirm a clash (the enrolment page asks),
    # a mediator's own sign-up is refused
    clash = enrolment_warnings(session, [mediator.id]).get(mediator.id)
    if clash:
        raise DomainError(Msg("不能报名场次「%(code)s」：%(why)s", code=session.code,
                              why=clash[0]))
    return _enrol_one(session, mediator.id, actor, pending=session.needs_approval)


@dataclass
class EnrolResult:
    enrolled: list[int] = field(default_factory=list)
    waitlisted: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)

    def counts(self) -> dict:
        return {"enrolled": len(self.enrolled), "waitlisted": len(self.waitlisted),
                "already": len(self.already)}


def candidates(scope: Organization | None, *, org: Organization | None = None,
               grades: Iterable[str] | None = None, employment: str | None = None,
               staff_nos: Iterable[str] | None = None,
               on: dt.date | None = None) -> pw.ModelSelect:
    """在岗 mediators a coordinator may enrol: an organisation's subtree, a grade, a picked
    list, or all of them together, never outside the coordinator's scope.

    A grade is the one in force `on` the session's day (org.grades keeps no grade on the
    mediator), so a promotion effective after the session does not count yet."""
    query = (Mediator.select().join(Organization, on=(Mediator.station == Organization.id))
             .where(Mediator.status == "on", in_subtree(Organization.path, scope)))
    if org is not None:
        query = query.where(in_subtree(Organization.path, org))
    if employment:
        query = query.where(Mediator.employment == employment)
    if grades is not None:
        query = query.where(Mediator.id.in_(_of_grades(query, grades, on or _clock(None).date())))
    if staff_nos is not None:
        # a 工号 with a NUL names nobody (and PostgreSQL refuses it in a query)
        query = query.where(Mediator.staff_no.in_(
            [s.strip() for s in staff_nos if "\x00" not in s] or [""]))
    return query.order_by(Mediator.staff_no)


def _of_grades(query: pw.ModelSelect, grades: Iterable[str], day: dt.date) -> list[int]:
    """Ids among `query` whose grade on `day` is one of `grades` (未定级 = no history in force)."""
    wanted = set(grades)
    unknown = wanted - set(GRADES)
    if unknown:
        raise DomainError(Msg("专业等级应为：%(choices)s",
                              choices="、".join(str(label) for label in GRADES.values())))
    ids = [row[0] for row in query.select(Mediator.id).tuples()]
    held = standings(ids, day) if ids else {}
    return [i for i in ids if held.get(i, UNGRADED_STANDING).grade in wanted]


def enrol_many(session: Session, mediators: Iterable[Mediator], *, actor: str,
               scope: Organization | None) -> EnrolResult:
    """Coordinator enrolment: seats in the order given, the rest waitlisted. Each mediator is
    checked against the coordinator's scope before anything is written."""
    check_scope(session, scope)
    session = Session.get_by_id(session.id)
    if session.status not in ("planned", OPEN):
        raise DomainError(Msg("场次「%(code)s」不能再报名", code=session.code))
    people = list(mediators)
    for mediator in people:
        if not in_scope(mediator, scope):
            raise OutOfScope(Msg("调解员「%(no)s」超出您的管辖范围", no=mediator.staff_no))
    result = EnrolResult()
    for mediator in people:
        before = _current(session.id, mediator.id)
        if before is not None and before.status in ACTIVE:
            result.already.append(mediator.id)
            continue
        placed = _enrol_one(session, mediator.id, actor, pending=False)
        (result.enrolled if placed.status == ENROLLED else result.waitlisted).append(mediator.id)
    return result


@contextmanager
def _pending_locked(enrolment: Enrolment, scope: Organization | None) -> Iterator[Enrolment]:
    """The approver's side of a pending sign-up: the mediator within their scope, the session
    locked, and the sign-up still pending once the lock is held (two approvers, one decision)."""
    if not in_scope(enrolment.mediator, scope):
        raise OutOfScope(Msg("调解员「%(no)s」超出您的管辖范围", no=enrolment.mediator.staff_no))
    with _serialised():
        _lock(enrolment.session_id)
        current = Enrolment.get_by_id(enrolment.id)
        if current.status != PENDING:
            raise DomainError(Msg("该报名不在待审批状态"))
        yield current


def approve(enrolment: Enrolment, *, actor: str, scope: Organization | None) -> Enrolment:
    """The station manager approves a pending sign-up: now a seat, or the waitlist."""
    with _pending_locked(enrolment, scope) as current:
        return _trail(actor, PENDING, _place(current.session, current.mediator_id, actor,
                                             current))


def reject(enrolment: Enrolment, *, actor: str, scope: Organization | None,
           reason: str = "") -> Enrolment:
    """The approver turns a pending sign-up down: no seat was taken, so none is freed; the
    mediator is told in the portal (with the reason, when one is given) and may sign up again
    while the session is open."""
    reason = plain(reason)
    if len(reason) > 200:
        raise ValidationError({"reason": Msg("不能超过%(n)d个字符", n=200)})
    with _pending_locked(enrolment, scope) as current:
        Enrolment.update(status=REJECTED, enrolled_by=actor, updated_at=now()).where(
            Enrolment.id == current.id).execute()
        session = current.session
        names = {"code": session.code, "course": session.course.name}
        notify(current.mediator_id, Msg("您报名的场次「%(code)s %(course)s」未通过审批：%(reason)s",
                                        reason=reason, **names) if reason else
               Msg("您报名的场次「%(code)s %(course)s」未通过审批", **names), session)
        return _trail(actor, PENDING, Enrolment.get_by_id(current.id), reason)


def _offer_next(session_id: int, moment: dt.datetime) -> Enrolment | None:
    """Inside a serialised transaction, with one seat in hand: offer it to the first in line,
    or give it back when nobody waits."""
    first = (Enrolment.select().where(Enrolment.session == session_id,
                                      Enrolment.status == WAITLISTED)
             .order_by(Enrolment.queue_no, Enrolment.id).first())
    if first is None:
        _release_seat(session_id)
        return None
    expires = moment + dt.timedelta(hours=OFFER_HOURS)
    Enrolment.update(status=OFFERED, offer_expires=expires, updated_at=now()).where(
        Enrolment.id == first.id).execute()
    session = Session.get_by_id(session_id)
    notify(first.mediator_id, Msg(
        "场次「%(code)s %(course)s」有空余名额，请在%(until)s前确认", code=session.code,
        course=session.course.name, until=expires.astimezone(SHANGHAI).strftime(
            "%Y-%m-%d %H:%M")), session)
    return Enrolment.get_by_id(first.id)


def withdraw(enrolment: Enrolment, *, actor: str, own: bool = False,
             scope: Organization | None = None, at: dt.datetime | None = None) -> Enrolment:
    """A place given up by its holder (`own`) or by a coordinator: only an active one, and
    only before the session has ended; a seat goes to the next in line. A mediator cannot
    leave a 必修 session on their own: the coordinator who enrolled them decides. A
    coordinator's `scope` must hold the mediator, as for approve and reject: hosting the
    session does not make someone who signed up from another county theirs to remove."""
    moment = _clock(at)
    current = Enrolment.get_by_id(enrolment.id)
    if not own and not in_scope(current.mediator, scope):
        raise OutOfScope(Msg("调解员「%(no)s」超出您的管辖范围", no=current.mediator.staff_no))
    if current.status not in ACTIVE:
        raise DomainError(Msg("该报名已不在有效状态"))
    if own and current.session.mandatory:
        raise DomainError(Msg("必修场次不能自行取消报名，请联系培训管理员"))
    if current.session.end < moment or current.session.status not in ("planned", OPEN):
        raise DomainError(Msg("场次「%(code)s」已结束或已取消，不能再取消报名",
                              code=current.session.code))
    done = cancel(current, actor=actor, at=moment)
    if not own:  # the mediator hears it from the portal, not from an empty seat
        session = current.session
        notify(current.mediator_id, Msg("培训管理员已取消您在场次「%(code)s %(course)s」的报名",
                                        code=session.code, course=session.course.name), session)
    return done


def cancel(enrolment: Enrolment, *, actor: str, at: dt.datetime | None = None) -> Enrolment:
    """Withdraw; a seat given up goes to the next in line at once."""
    moment = _clock(at)
    with _serialised():
        _lock(enrolment.session_id)
        current = Enrolment.get_by_id(enrolment.id)
        if current.status in (WITHDRAWN, REJECTED):
            return current
        held_seat = current.status in (ENROLLED, OFFERED)
        Enrolment.update(status=WITHDRAWN, offer_expires=None, updated_at=now(),
                         enrolled_by=actor).where(Enrolment.id == current.id).execute()
        if held_seat:
            _offer_next(current.session_id, moment)
        return _trail(actor, current.status, Enrolment.get_by_id(current.id))


def accept_offer(enrolment: Enrolment, *, actor: str = "",
                 at: dt.datetime | None = None) -> Enrolment:
    moment = _clock(at)
    with _serialised():
        _lock(enrolment.session_id)
        current = Enrolment.get_by_id(enrolment.id)
        if current.status != OFFERED:
            raise DomainError(Msg("没有为您保留的名额"))
        expired = moment > current.offer_expires
        if expired:  # the seat passes on, and that is kept although the caller is refused
            _expire(current, moment)
        else:
            Enrolment.update(status=ENROLLED, offer_expires=None, updated_at=now()).where(
                Enrolment.id == current.id).execute()
    if expired:
        raise DomainError(Msg("名额保留已过期"))
    return _trail(actor, OFFERED, Enrolment.get_by_id(current.id))


def decline_offer(enrolment: Enrolment, *, actor: str,
                  at: dt.datetime | None = None) -> Enrolment:
    current = Enrolment.get_by_id(enrolment.id)
    if current.status != OFFERED:
        raise DomainError(Msg("没有为您保留的名额"))
    return cancel(current, actor=actor, at=at)


def _expire(current: Enrolment, moment: dt.datetime) -> None:
    Enrolment.update(status=WITHDRAWN, offer_expires=None, updated_at=now()).where(
        Enrolment.id == current.id).execute()
    session = current.session
    notify(current.mediator_id, Msg("场次「%(code)s」为您保留的名额已过期", code=session.code),
           session)
    _offer_next(current.session_id, moment)


def expire_offers(at: dt.datetime | None = None,
                  sessions: Iterable[int] | None = None) -> int:
    """Offers past their time lose the seat to the next in line. Run periodically
    (`flask training expire-offers`) and, for the `sessions` a page is about to show, when it
    is read: a lapsed offer must not hold a seat until the next cron run."""
    moment = _clock(at)
    due = Enrolment.select(Enrolment.id, Enrolment.session).where(
        Enrolment.status == OFFERED, Enrolment.offer_expires < moment)
    if sessions is not None:
        wanted = list(sessions)
        if not wanted:
            return 0
        due = due.where(Enrolment.session.in_(wanted))
    done = 0
    for item in list(due):
        with _serialised():
            _lock(item.session_id)
            current = Enrolment.get_by_id(item.id)
            if current.status == OFFERED and current.offer_expires < moment:
                _expire(current, moment)
                done += 1
    return done


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 for the first in line; None when not waiting."""
    if enrolment.status != WAITLISTED:
        return None
    ahead = Enrolment.select().where(
        Enrolment.session == enrolment.session_id, Enrolment.status == WAITLISTED,
        (Enrolment.queue_no < enrolment.queue_no)
        | ((Enrolment.queue_no == enrolment.queue_no) & (Enrolment.id < enrolment.id))).count()
    return ahead + 1
