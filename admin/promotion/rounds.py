"""Promotion rounds in the portal: open a round (the snapshot freezes then), apply or
nominate, the review queue of each level, an application's page with its chain, objections
and their answers, and the owner's dated steps (close the notices, take effect, finish).

Every move goes through promotion.rounds, whose transition table decides who may do what;
the pages offer the steps the table allows in an application's state and show the domain's
refusal when the caller is not the level that acts.
"""
from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user

from network.errors import DomainError, OutOfScope, ValidationError
from network.models import Organization
from network.tree import ancestors, in_subtree, subtree_ids
from org.models import ADMIN, GRADES, MANAGER, MEDIATOR, Mediator
from promotion import rounds
from promotion.eligibility import Criterion, Eligibility
from promotion.models import (
    CITY_DECISION,
    COUNTY_REVIEW,
    NOTICE,
    OBJECTION,
    OBJECTION_STATUSES,
    OPEN,
    ROUND_STATUSES,
    STATES,
    STATION_REVIEW,
    Application,
    Objection,
    PromotionRound,
    Review,
)

from ..forms import CSRFForm, tr
from ..views.base import Page, acts_for_the_city, as_pk, current_scope
from .common import actor, visible_mediator
from .explain import lines

MANUAL = ("submit", "pass", "approve", "return", "reject")
REVIEW_STATES = (STATION_REVIEW, COUNTY_REVIEW, CITY_DECISION, OBJECTION)


def acting_level(state: str) -> str | None:
    """Who acts on an application in `state`, read from the transition table."""
    for rule in rounds.TRANSITIONS:
        if rule.source == state and rule.by not in (rounds.ANYONE, rounds.OWNER,
                                                     rounds.APPLICANT):
            return rule.by
    return None


def acting_unit(application: Application) -> Organization | None:
    level = acting_level(application.state)
    if level is None:
        return None
    return rounds.unit_for(application.station, level, application.decided_by)


def visible_rounds():
    """Rounds covering the caller: opened above or at their unit, or inside their subtree."""
    query = PromotionRound.select(PromotionRound, Organization).join(Organization)
    if current_user.role == MEDIATOR:
        station = current_user.mediator.station if current_user.mediator else None
        if station is None:
            return query.where(PromotionRound.id == 0)
        return query.where(Organization.id.in_([o.id for o in ancestors(station)]))
    scope = current_scope()
    if scope is None:
        return query
    return query.where(Organization.id.in_([o.id for o in ancestors(scope)])
                       | in_subtree(Organization.path, scope))


def visible_applications(round_: PromotionRound):
    query = (Application.select(Application, Mediator, Organization)
             .join(Mediator, on=(Application.mediator == Mediator.id))
             .switch(Application).join(Organization, on=(Application.station == Organization.id))
             .where(Application.round == round_.id))
    if current_user.role == MEDIATOR:
        return query.where(Application.mediator == current_user.mediator_id)
    scope = current_scope()
    if scope is not None:
        query = query.where(Application.station.in_(subtree_ids(scope)))
    return query


def round_or_404(round_id) -> PromotionRound:
    pk = as_pk(round_id)
    round_ = visible_rounds().where(PromotionRound.id == pk).first() if pk else None
    if round_ is None:  # unknown or outside the scope: the same answer
        abort(404)
    return round_


def application_or_404(application_id) -> Application:
    """An application the caller may see: 404 when unknown or outside their jurisdiction."""
    pk = as_pk(application_id)
    application = Application.get_or_none(Application.id == pk) if pk else None
    if application is None:
        abort(404)
    round_or_404(application.round_id)
    if visible_applications(application.round).where(Application.id == pk).first() is None:
        abort(404)
    return application


def _refused(exc: DomainError) -> None:
    if isinstance(exc, ValidationError):
        flash("；".join(tr(m) for m in exc.errors.values()), "error")
    else:
        flash(tr(exc.message), "error")


class RoundView(Page):
    roles = (ADMIN, MANAGER, MEDIATOR)

    can_open = staticmethod(acts_for_the_city)

    def _back(self, application: Application):
        return redirect(url_for(".application", application_id=application.id))

    # --- rounds ---------------------------------------------------------------------------
    @expose("/")
    def index(self):
        queue = []
        if current_user.role == MANAGER:
            scope = current_scope()
            pending = (Application.select(Application, Mediator, Organization)
                       .join(Mediator, on=(Application.mediator == Mediator.id))
                       .switch(Application)
                       .join(Organization, on=(Application.station == Organization.id))
                       .where(Application.state.in_(REVIEW_STATES)
                              & Application.station.in_(subtree_ids(scope)))
                       .order_by(Application.id))
            queue = [a for a in pending if (acting_unit(a) or scope).id == scope.id]
        return self.render("promotion/rounds.html",
                           rounds=list(visible_rounds().order_by(PromotionRound.id.desc())),
                           statuses=ROUND_STATUSES, can_open=self.can_open(), queue=queue,
                           states=STATES, grades=GRADES, form=CSRFForm(),
                           values=request.form, errors={})

    @expose("/open/", methods=("POST",))
    def open(self):
        if not self.can_open():
            abort(403)
        form = CSRFForm(request.form)
        if not form.validate():
            abort(400)
        data = {name: request.form.get(name, "") for name in (
            "name", "reference_date", "deadline", "notice_days", "effective_date", "doc_no")}
        code = (request.form.get("organization") or "").strip()
        if current_user.role == ADMIN and code:
            data["organization"] = Organization.get_or_none(Organization.code == code)
        try:
            round_ = rounds.open_round(data, actor=actor())
        except ValidationError as exc:
            return self.render("promotion/rounds.html",
                               rounds=list(visible_rounds().order_by(PromotionRound.id.desc())),
                               statuses=ROUND_STATUSES, can_open=True, queue=[], states=STATES,
                               grades=GRADES, form=form, values=request.form,
                               errors={k: tr(v) for k, v in exc.errors.items()}), 400
        except DomainError as exc:
            _refused(exc)
            return redirect(url_for(".index"))
        total = round_.snapshots.count()
        eligible = round_.snapshots.where(rounds.Snapshot.eligible == True).count()  # noqa: E712
        flash(gettext("已开启「%(name)s」：冻结了%(n)d名调解员的资格快照，其中%(m)d名符合条件",
                      name=round_.name, n=total, m=eligible), "success")
        return redirect(url_for(".round", round_id=round_.id))

    @expose("/<round_id>/")
    def round(self, round_id):
        round_ = round_or_404(round_id)
        applications = list(visible_applications(round_).order_by(Application.id))
        me = current_user.mediator if current_user.role == MEDIATOR else None
        own = snapshot_lines = None
        if me is not None:
            own = rounds.snapshot_of(round_, me)
            snapshot_lines = _snapshot_lines(own) if own else None
        owner = current_user.role == ADMIN or (
            current_scope() is not None and current_scope().id == round_.organization_id)
        return self.render("promotion/round.html", round=round_, applications=applications,
                           states=STATES, grades=GRADES, statuses=ROUND_STATUSES,
                           snapshot=own, snapshot_lines=snapshot_lines, owner=owner,
                           can_nominate=current_user.role == MANAGER and round_.status == OPEN,
                           form=CSRFForm(), notice_until=rounds.notice_until)

    @expose("/<round_id>/apply/", methods=("POST",))
    def apply(self, round_id):
        round_ = round_or_404(round_id)
        if not CSRFForm(request.form).validate():
            abort(400)
        if current_user.role == MEDIATOR:
            mediator = current_user.mediator or abort(403)
        else:
            staff_no = (request.form.get("staff_no") or "").strip()
            if not staff_no:
                flash(gettext("请填写工号"), "error")
                return redirect(url_for(".round", round_id=round_.id))
            mediator = visible_mediator(staff_no=staff_no)
        try:
            application = rounds.apply(round_, mediator, actor=actor(),
                                       reason=request.form.get("reason", ""))
        except OutOfScope:
            abort(403)
        except DomainError as exc:
            _refused(exc)
            return redirect(url_for(".round", round_id=round_.id))
        flash(gettext("已建立申请（草稿），提交后进入工作站预审"), "success")
        return self._back(application)

    @expose("/<round_id>/step/", methods=("POST",))
    def owner_step(self, round_id):
        """The owner's dated steps: close the notices that have run, take effect, finish."""
        round_ = round_or_404(round_id)
        if current_user.role == MEDIATOR or not CSRFForm(request.form).validate():
            abort(403)
        step = request.form.get("step")
        try:
            if step == "close_notices":
                done = rounds.close_notices(round_, actor=actor())
                flash(gettext("公示期满、批准%(n)d份申请", n=len(done)), "success")
            elif step == "take_effect":
                done = rounds.take_effect(round_, actor=actor())
                flash(gettext("%(n)d份晋升已生效", n=len(done)), "success")
            elif step == "finish":
                rounds.finish_round(round_, actor=actor())
                flash(gettext("本轮晋升已结束"), "success")
            else:
                abort(400)
        except OutOfScope:
            abort(403)
        except DomainError as exc:
            _refused(exc)
        return redirect(url_for(".round", round_id=round_.id))

    # --- one application ------------------------------------------------------------------
    @expose("/application/<application_id>/")
    def application(self, application_id):
        application = application_or_404(application_id)
        snap = rounds.snapshot_of(application.round, application.mediator)
        steps = sorted({rule.action for rule in rounds.TRANSITIONS
                        if rule.action in MANUAL and rounds.allowed(application, rule.action)},
                       key=MANUAL.index)
        if current_user.role == MEDIATOR:
            steps = [s for s in steps if s == "submit"]
        unit = acting_unit(application)
        return self.render(
            "promotion/application.html", application=application, snapshot=snap,
            snapshot_lines=_snapshot_lines(snap) if snap else [],
            reviews=list(application.reviews.order_by(Review.id)),
            objections=list(application.objections.order_by(Objection.id)),
            steps=steps, unit=unit, states=STATES, grades=GRADES,
            objection_statuses=OBJECTION_STATUSES, form=CSRFForm(),
            notice_until=rounds.notice_until(application),
            can_answer=application.state == OBJECTION and current_user.role == MANAGER,
            can_object=application.state in (NOTICE, OBJECTION))

    @expose("/application/<application_id>/act/", methods=("POST",))
    def act(self, application_id):
        application = application_or_404(application_id)
        if not CSRFForm(request.form).validate():
            abort(400)
        action = request.form.get("action", "")
        if action not in MANUAL:
            abort(400)
        try:
            rounds.act(application, action, actor=actor(), comment=request.form.get("comment", ""))
        except OutOfScope:
            abort(403)
        except DomainError as exc:
            _refused(exc)
            return self._back(application)
        flash(gettext("已办理：%(state)s", state=tr(STATES[Application.get_by_id(
            application.id).state])), "success")
        return self._back(application)

    @expose("/objection/<objection_id>/answer/", methods=("POST",))
    def answer(self, objection_id):
        pk = as_pk(objection_id)
        objection = Objection.get_or_none(Objection.id == pk) if pk else None
        if objection is None:
            abort(404)
        application = application_or_404(objection.application_id)
        if not CSRFForm(request.form).validate():
            abort(400)
        try:
            rounds.answer_objection(objection, request.form.get("upheld") == "1",
                                    request.form.get("answer", ""), actor=actor())
        except OutOfScope:
            abort(403)
        except DomainError as exc:
            _refused(exc)
            return self._back(application)
        flash(gettext("异议已处理"), "success")
        return self._back(application)


def _snapshot_lines(snapshot) -> list:
    """The frozen criteria of a snapshot, in the words of 我的等级 (decimals are stored as
    their exact text)."""

    def value(v):
        return Decimal(v) if isinstance(v, str) else v

    criteria = tuple(Criterion(c["key"], value(c["required"]), value(c["actual"]), c["met"])
                     for c in snapshot.criteria)
    frozen = Eligibility(snapshot.mediator_id, "", snapshot.station_id, None, (None, None),
                         True, snapshot.grade, snapshot.grade_since, snapshot.next_grade,
                         snapshot.eligible, criteria)
    return lines(frozen)



