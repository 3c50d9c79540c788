"""Promotion rounds: opening (with the frozen snapshot), applications, the review chain as an
explicit transition table, 公示 with objections, and taking effect.

Every change of an application is one row of TRANSITIONS: from which state, by which action,
to which state, and who may take it (the applicant, the station, the county, the city, the
level that decides this grade, anyone logged in for an objection, or the round's owner for
the dated steps). Nothing else moves an application, so what the table does not list is
refused. Each step writes a Review row (with its comment) and an audit record.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from network import audit, bulk
from network.dates import local_today
from network.db import db, locked
from network.errors import DomainError, Msg, NotFound, OutOfScope, ValidationError
from network.fields import plain
from network.models import CITY, COUNTY, Organization, now
from network.tree import ancestors, subtree_ids
from org.accounts import MANAGER
from org.grades import change_grade, ladder, latest_change
from org.models import CITY_DECIDES, COUNTY_DECIDES, GRADES, PROMOTION, Mediator
from org.services import parse_date
from training.workcalendar import add_working_days, working_days_between

from .eligibility import eligibility_many
from .models import (
    APPROVED,
    CITY_DECISION,
    COUNTY_REVIEW,
    DISMISSED,
    DRAFT,
    EFFECTIVE,
    FINISHED,
    NOTICE,
    OBJECTION,
    OPEN,
    PENDING,
    REJECTED,
    STATES,
    STATION_REVIEW,
    UPHELD,
    Application,
    JSONTextField,
    Objection,
    PromotionRound,
    Review,
    Snapshot,
)


class Actor(NamedTuple):
    """Who acts: their user name, the organisation their jurisdiction starts at (None for a
    system administrator) and the mediator they are, if any (for the own-application rule)."""

    username: str
    organization: Organization | None = None
    mediator_id: int | None = None

    @classmethod
    def of(cls, user) -> Actor:
        """Only a manager acts for an organisation: a mediator's or a trainer's account may
        name a station too, which must not let them review or submit for its people."""
        organization = user.organization if user.role == MANAGER else None
        return cls(user.username, organization, user.mediator_id)


# who may take a step
APPLICANT, STATION, COUNTY_LEVEL, CITY_LEVEL, DECIDER, ANYONE, OWNER = (
    "applicant", "station", "county", "city", "decider", "anyone", "owner")


class Transition(NamedTuple):
    action: str
    source: str
    target: str
    by: str
    decided_by: str | None = None  # only for applications whose grade this level decides


TRANSITIONS = (
    Transition("submit", DRAFT, STATION_REVIEW, APPLICANT),
    Transition("pass", STATION_REVIEW, COUNTY_REVIEW, STATION),
    Transition("return", STATION_REVIEW, DRAFT, STATION),
    Transition("reject", STATION_REVIEW, REJECTED, STATION),
    Transition("pass", COUNTY_REVIEW, CITY_DECISION, COUNTY_LEVEL, CITY_DECIDES),
    Transition("approve", COUNTY_REVIEW, NOTICE, COUNTY_LEVEL, COUNTY_DECIDES),
    Transition("return", COUNTY_REVIEW, STATION_REVIEW, COUNTY_LEVEL),
    Transition("reject", COUNTY_REVIEW, REJECTED, COUNTY_LEVEL),
    Transition("approve", CITY_DECISION, NOTICE, CITY_LEVEL),
    Transition("return", CITY_DECISION, COUNTY_REVIEW, CITY_LEVEL),
    Transition("reject", CITY_DECISION, REJECTED, CITY_LEVEL),
    Transition("object", NOTICE, OBJECTION, ANYONE),
    Transition("object", OBJECTION, OBJECTION, ANYONE),
    Transition("uphold", OBJECTION, REJECTED, DECIDER),
    Transition("dismiss", OBJECTION, NOTICE, DECIDER),
    Transition("dismiss", OBJECTION, OBJECTION, DECIDER),  # other objections still open
    Transition("close_notice", NOTICE, APPROVED, OWNER),
    Transition("take_effect", APPROVED, EFFECTIVE, OWNER),
)
ACTIONS = sorted({t.action for t in TRANSITIONS})


def allowed(application: Application, action: str) -> list[Transition]:
    """The rows of the table this application may take with `action` in its state."""
    return [t for t in TRANSITIONS if t.action == action and t.source == application.state
            and t.decided_by in (None, application.decided_by)]


def unit_for(station: Organization, by: str, decided_by: str | None = None) -> Organization:
    """The organisation that acts at a level for an application of `station`: the station
    itself, or its nearest ancestor (or itself) at county / city level or above."""
    if by == DECIDER:
        by = COUNTY_LEVEL if decided_by == COUNTY_DECIDES else CITY_LEVEL
    if by == STATION:
        return station
    level = COUNTY if by == COUNTY_LEVEL else CITY
    return [org for org in ancestors(station) if org.level <= level][-1]


def _check_actor(application: Application, rule: Transition, actor: Actor,
                 round_: PromotionRound) -> None:
    station = application.station
    if rule.by == ANYONE:
        return
    if rule.by == OWNER:
        if actor.organization is not None and actor.organization.id != round_.organization_id:
            raise OutOfScope(Msg("只有开启本轮晋升的机构可以执行该操作"))
        return
    if rule.by == APPLICANT:
        if actor.mediator_id == application.mediator_id:
            return
        if actor.organization is not None and actor.organization.contains(station):
            return  # the station (or above) submits for the mediator it nominated
        raise OutOfScope(Msg("超出您的管辖范围"))
    if actor.mediator_id == application.mediator_id:
        raise DomainError(Msg("不能审核本人的晋升申请"))
    if actor.organization is None or not actor.organization.contains(station):
        raise OutOfScope(Msg("该申请超出您的管辖范围"))
    unit = unit_for(station, rule.by, application.decided_by)
    if actor.organization.id != unit.id:
        raise DomainError(Msg("此步骤应由「%(unit)s」办理", unit=unit.name))


def _record(application: Application, rule: Transition, actor: Actor, comment: str,
            extra: dict | None = None) -> Review:
    source = application.state
    application.state = rule.target
    application.updated_at = now()
    application.save()
    review = Review.create(application=application, action=rule.action, from_state=source,
                           to_state=rule.target, actor=actor.username, comment=comment)
    audit.record(actor.username, rule.action, "promotion_application", application.id,
                 str(application.mediator),
                 {"state": [STATES[source], STATES[rule.target]], "comment": comment,
                  **(extra or {})},
                 org_path=application.station.path)
    return review


def _today(on: dt.date | None) -> dt.date:
    return on or local_today()


# --- rounds -----------------------------------------------------------------------------------

def open_round(data: dict[str, Any], *, actor: Actor, on: dt.date | None = None
               ) -> PromotionRound:
    """Open a round for the actor's city (or the organisation given, for an administrator)
    and freeze every mediator's eligibility on the reference date, with its evidence."""
    on = _today(on)
    organization = actor.organization or data.get("organization")
    if not isinstance(organization, Organization):
        raise ValidationError({"organization": Msg("必填")})
    if organization.level > CITY:
        raise DomainError(Msg("晋升轮次只能由市级（或以上）机构开启"))
    errors: dict[str, Msg] = {}
    dates: dict[str, dt.date | None] = {}
    for name in ("reference_date", "deadline", "effective_date"):
        try:
            dates[name] = parse_date(data.get(name))
        except ValueError as exc:
            errors[name] = exc.args[0]
            continue
        if dates[name] is None:
            errors[name] = Msg("必填")
    name = plain(data.get("name"))
    if not name or len(name) > 100:
        errors["name"] = Msg("必填") if not name else Msg("不能超过%(n)d个字符", n=100)
    try:
        notice_days = int(str(data.get("notice_days", 5)).strip())
        if not 1 <= notice_days <= 30:
            raise ValueError
    except ValueError:
        errors["notice_days"] = Msg("公示天数应为1到30之间的整数")
        notice_days = 0
    deadline, effective, reference = (dates.get("deadline"), dates.get("effective_date"),
                                      dates.get("reference_date"))
    if deadline is not None and deadline < on:
        errors["deadline"] = Msg("申报截止日期不能早于今天")
    if deadline is not None and effective is not None and effective <= deadline:
        errors["effective_date"] = Msg("生效日期应晚于申报截止日期")
    if reference is not None and reference > on:
        errors["reference_date"] = Msg("基准日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    people = (Mediator.select().where(Mediator.station.in_(subtree_ids(organization)))
              .order_by(Mediator.id))
    with db.atomic():
        round_ = PromotionRound.create(
            name=name, organization=organization, reference_date=dates["reference_date"],
            deadline=dates["deadline"], notice_days=notice_days,
            effective_date=dates["effective_date"],
            doc_no=plain(data.get("doc_no"))[:60], opened_by=actor.username)
        results = eligibility_many(people, round_.reference_date, evidence=True)
        # straight to the driver (COPY on PostgreSQL): a province is 30,000 rows
        bulk.insert(Snapshot, SNAPSHOT_FIELDS, (
            (round_.id, r.mediator_id, r.station_id, r.grade, r.grade_since, r.next_grade,
             r.eligible, JSONTextField.dumps([c.as_dict() for c in r.criteria]),
             JSONTextField.dumps(r.evidence)) for r in results.values()))
        audit.record(actor.username, "create", "promotion_round", round_.id, name,
                     {"reference_date": round_.reference_date.isoformat(),
                      "deadline": round_.deadline.isoformat(), "notice_days": notice_days,
                      "effective_date": round_.effective_date.isoformat(),
                      "mediators": len(results),
                      "eligible": sum(1 for r in results.values() if r.eligible)},
                     org_path=organization.path)
    return round_


SNAPSHOT_FIELDS = ["round", "mediator", "station", "grade", "grade_since", "next_grade",
                   "eligible", "criteria", "evidence"]


def snapshot_of(round_: PromotionRound, mediator: Mediator) -> Snapshot | None:
    return Snapshot.get_or_none((Snapshot.round == round_.id)
                                & (Snapshot.mediator == mediator.id))


# --- applications -----------------------------------------------------------------------------

def apply(round_: PromotionRound, mediator: Mediator, *, actor: Actor, reason: str = "",
          on: dt.date | None = None) -> Application:
    """A draft application: by the mediator, or nominated by their station (or above).

    Only an eligible mediator (in the frozen snapshot) may apply, unless the step counts
    awards as a bonus and a written reason says why (an exception the reviewers weigh).
    """
    on = _today(on)
    round_ = PromotionRound.get_by_id(round_.id)  # its status as stored, not as once read
    if round_.status != OPEN:
        raise DomainError(Msg("本轮晋升已结束"))
    if on > round_.deadline:
        raise DomainError(Msg("已过申报截止日期 %(d)s", d=round_.deadline.isoformat()))
    own = actor.mediator_id == mediator.id
    if not own and (actor.organization is None
                    or not actor.organization.contains(mediator.station)):
        raise OutOfScope(Msg("超出您的管辖范围"))
    snap = snapshot_of(round_, mediator)
    if snap is None:
        raise OutOfScope(Msg("调解员「%(no)s」不在本轮晋升范围内", no=mediator.staff_no))
    if snap.next_grade is None:
        raise DomainError(Msg("已是最高等级，无可晋升的等级"))
    step = ladder().get(snap.grade)
    reason = plain(reason)
    if not snap.eligible:
        if not (step is not None and step.awards_bonus and reason):
            raise DomainError(Msg("未达到晋升条件，不能申报"))
    if Application.select().where((Application.round == round_.id)
                                  & (Application.mediator == mediator.id)).exists():
        raise DomainError(Msg("本轮已有该调解员的申请"))
    with db.atomic():
        application = Application.create(
            round=round_, mediator=mediator, station=snap.station_id, from_grade=snap.grade,
            to_grade=snap.next_grade, decided_by=step.decided_by, nominated=not own,
            exception_reason=reason if not snap.eligible else "", applied_by=actor.username)
        audit.record(actor.username, "create", "promotion_application", application.id,
                     str(mediator), {"round": round_.name, "from": GRADES[snap.grade],
                                     "to": GRADES[snap.next_grade], "nominated": not own,
                                     "exception_reason": application.exception_reason},
                     org_path=mediator.station.path)
    return application


def act(application: Application, action: str, *, actor: Actor, comment: str = "",
        on: dt.date | None = None) -> Application:
    """Take one step of the review chain (submit, pass, approve, return, reject)."""
    if action in ("object", "uphold", "dismiss", "close_notice", "take_effect"):
        raise DomainError(Msg("该操作有专门的办理入口"))
    on = _today(on)
    with db.atomic():
        application = _locked(application)
        round_ = application.round
        rule = _rule(application, action)
        _check_actor(application, rule, actor, round_)
        if action == "submit" and on > round_.deadline:
            raise DomainError(Msg("已过申报截止日期 %(d)s", d=round_.deadline.isoformat()))
        if action in ("return", "reject") and not plain(comment):
            raise ValidationError({"comment": Msg("退回或驳回须填写意见")})
        extra = {}
        if rule.target == NOTICE:
            application.notice_start = on
            application.notice_days_left = round_.notice_days
            extra = {"notice_until": add_working_days(on, round_.notice_days).isoformat()}
        _record(application, rule, actor, plain(comment), extra)
    return application


def _locked(application: Application) -> Application:
    """The application read again inside the transaction (locked on PostgreSQL), so two
    reviewers cannot both move it from the same state."""
    found = locked(Application.select().where(Application.id == application.id)).first()
    if found is None:
        raise NotFound(Msg("申请不存在"))
    return found


def _rule(application: Application, action: str) -> Transition:
    rules = allowed(application, action)
    if not rules:
        raise DomainError(Msg("申请处于「%(state)s」，不能执行该操作",
                              state=Msg(STATES[application.state])))
    return rules[0]


def notice_until(application: Application) -> dt.date | None:
    """The last day of the application's (remaining) public notice: published on
    `notice_start`, it runs the `notice_days_left` working days after that day."""
    if application.notice_start is None or not application.notice_days_left:
        return None
    return add_working_days(application.notice_start, application.notice_days_left)


def file_objection(application: Application, reason: str, *, actor: Actor,
                   on: dt.date | None = None) -> Objection:
    """Any logged-in user objects during the notice: the application is held until the
    deciding level answers, and the working days already served are kept."""
    on = _today(on)
    reason = plain(reason)
    if not reason:
        raise ValidationError({"reason": Msg("请填写异议理由")})
    with db.atomic():
        application = _locked(application)
        rule = _rule(application, "object")
        if application.state == NOTICE:
            last = notice_until(application)
            if last is not None and on > last:
                raise DomainError(Msg("公示期已结束"))
            served = working_days_between(application.notice_start + dt.timedelta(days=1),
                                          on - dt.timedelta(days=1))
            application.notice_days_left = max(1, application.notice_days_left - served)
        objection = Objection.create(application=application, filed_by=actor.username,
                                     reason=reason, filed_on=on)
        _record(application, rule, actor, reason, {"objection": objection.id})
    return objection


def answer_objection(objection: Objection, upheld: bool, answer: str, *, actor: Actor,
                     on: dt.date | None = None) -> Objection:
    """The deciding level answers: upheld → the application is rejected; dismissed → back to
    公示 for the working days that remained (once no other objection is open)."""
    on = _today(on)
    answer = plain(answer)
    if not answer:
        raise ValidationError({"answer": Msg("请填写处理意见")})
    with db.atomic():
        objection = Objection.get_by_id(objection.id)
        if objection.status != PENDING:
            raise DomainError(Msg("该异议已处理"))
        application = _locked(objection.application)
        others = (Objection.select().where((Objection.application == application.id)
                                           & (Objection.status == PENDING)
                                           & (Objection.id != objection.id)).exists())
        action = "uphold" if upheld else "dismiss"
        rules = allowed(application, action)
        if not upheld:  # back to 公示 only when nothing else is open
            rules = [r for r in rules if (r.target == OBJECTION) == others]
        if not rules:
            raise DomainError(Msg("申请处于「%(state)s」，不能执行该操作",
                                  state=Msg(STATES[application.state])))
        rule = rules[0]
        _check_actor(application, rule, actor, application.round)
        objection.status = UPHELD if upheld else DISMISSED
        objection.answered_by, objection.answer, objection.answered_at = (
            actor.username, answer, now())
        objection.save()
        if rule.target == NOTICE:
            application.notice_start = on
        _record(application, rule, actor, answer, {"objection": objection.id})
    return objection


def close_notices(round_: PromotionRound, *, actor: Actor,
                  on: dt.date | None = None) -> list[Application]:
    """Approve every application whose notice has run its working days with no objection
    open (a held application is in OBJECTION, not NOTICE, so it waits)."""
    on = _today(on)
    done = []
    with db.atomic():
        for application in (Application.select()
                            .where((Application.round == round_.id)
                                   & (Application.state == NOTICE))
                            .order_by(Application.id)):
            last = notice_until(application)
            if last is None or on <= last:
                continue
            rule = _rule(application, "close_notice")
            _check_actor(application, rule, actor, round_)
            _record(application, rule, actor, "", {"notice_until": last.isoformat()})
            done.append(application)
    return done


def take_effect(round_: PromotionRound, *, actor: Actor,
                on: dt.date | None = None) -> list[Application]:
    """On (or after) the round's effective date, write the grade history of every approved
    application: a promotion effective on that date, with the round's 文号."""
    on = _today(on)
    if on < round_.effective_date:
        raise DomainError(Msg("未到生效日期 %(d)s", d=round_.effective_date.isoformat()))
    done = []
    with db.atomic():
        for application in (Application.select()
                            .where((Application.round == round_.id)
                                   & (Application.state == APPROVED))
                            .order_by(Application.id)):
            rule = _rule(application, "take_effect")
            _check_actor(application, rule, actor, round_)
            mediator = application.mediator
            latest = latest_change(mediator)
            current = latest.grade if latest else "none"
            if current != application.from_grade:
                raise DomainError(Msg(
                    "调解员「%(no)s」的等级已变为%(grade)s，与申请时不同，请先处理",
                    no=mediator.staff_no, grade=Msg(GRADES[current])))
            change = change_grade(mediator, application.to_grade, round_.effective_date,
                                  PROMOTION, actor=actor.username, scope=None,
                                  doc_no=round_.doc_no, note=round_.name)
            _record(application, rule, actor, "", {"grade_change": change.id})
            done.append(application)
    return done


FINAL_STATES = (REJECTED, EFFECTIVE)


def finish_round(round_: PromotionRound, *, actor: Actor) -> PromotionRound:
    """Close a round once every submitted application has reached its end (rejected or in
    effect); drafts never submitted lapse with it. A finished round takes no application."""
    if actor.organization is not None and actor.organization.id != round_.organization_id:
        raise OutOfScope(Msg("只有开启本轮晋升的机构可以执行该操作"))
    with db.atomic():
        round_ = PromotionRound.get_by_id(round_.id)
        if round_.status != OPEN:
            raise DomainError(Msg("本轮晋升已结束"))
        open_ones = (Application.select()
                     .where((Application.round == round_.id)
                            & Application.state.not_in([*FINAL_STATES, DRAFT])).count())
        if open_ones:
            raise DomainError(Msg("还有%(n)d份申请未办结，不能结束本轮", n=open_ones))
        round_.status = FINISHED
        round_.save(only=[PromotionRound.status])
        audit.record(actor.username, "finish", "promotion_round", round_.id, round_.name,
                     {"status": [OPEN, FINISHED]}, org_path=round_.organization.path)
    return round_
