"""报名管理 of one session: seats left, who holds a seat, the waitlist in its order, sign-ups
waiting for approval (approve or reject), withdrawing a place (the seat goes to the next in
line), and enrolment by organisation subtree, grade or a picked list. Offers past their time
are expired when the page is read, so the lists never show a seat held by a lapsed offer.

The page only gathers what the coordinator picked; training.enrolment takes the seats (atomic,
capacity never exceeded) and refuses anyone outside the coordinator's scope. Mediators already
enrolled in an overlapping session are a warning to confirm (training.calendar).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from werkzeug.exceptions import NotFound
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from network.errors import DomainError, OutOfScope
from org.models import ADMIN, GRADES, MANAGER, TRAINER, Mediator
from training import calendar, enrolment
from training.models import (
    ENROLLED,
    ENROLMENT_STATUSES,
    OFFERED,
    PENDING,
    WAITLISTED,
    Enrolment,
    Session,
)

from ..forms import CSRFForm, tr
from ..views.base import Page, as_pk, current_scope, scoped_org
from .sessions import visible_session

BY_ORG, BY_GRADE, BY_LIST = "org", "grade", "list"


class EnrolForm(CSRFForm):
    mode = SelectField(lazy_gettext("报名方式"), choices=[
        (BY_ORG, lazy_gettext("按机构（含下级）")), (BY_GRADE, lazy_gettext("按专业等级")),
        (BY_LIST, lazy_gettext("按名单（工号）"))])
    org = StringField(lazy_gettext("机构编码"))
    grade = SelectField(lazy_gettext("专业等级"), choices=list(GRADES.items()),
                        validate_choice=False)
    staff_nos = TextAreaField(lazy_gettext("工号"),
                              description=lazy_gettext("每行一个，或用逗号、空格分隔"))
    confirm = BooleanField(lazy_gettext("已知悉时间冲突提醒，仍然报名"))


class ApproveForm(CSRFForm):
    enrolment = HiddenField()


def staff_list(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace("，", " ").split() if part]


class EnrolmentView(Page):
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, TRAINER)
    # Approval is the station manager's (the issue); coordinators may approve too.
    approve_roles = (ADMIN, MANAGER, TRAINER)

    def is_visible(self) -> bool:
        return False  # a page of one session, reached from its details page

    def can_write(self) -> bool:
        return current_user.role in self.write_roles

    def can_approve(self) -> bool:
        return current_user.role in self.approve_roles

    def lists(self, session) -> dict[str, list[Enrolment]]:
        rows = list(Enrolment.select(Enrolment, Mediator).join(Mediator)
                    .where(Enrolment.session == session.id)
                    .order_by(Enrolment.queue_no, Enrolment.id))
        return {status: [r for r in rows if r.status == status]
                for status in (ENROLLED, OFFERED, WAITLISTED, PENDING)}

    @expose("/", methods=("GET", "POST"))
    def index(self):
        session = visible_session(request.args.get("session"))
        if enrolment.expire_offers(sessions=[session.id]):
            session = Session.get_by_id(session.id)
        form = EnrolForm(request.form if request.method == "POST" else None)
        warnings = {}
        if request.method == "POST":
            if not self.can_write():
                abort(403)
            warnings = self._enrol(session, form)
            if warnings is None:
                return redirect(self.get_url(".index", session=session.id))
        return self.render("training/enrolment.html", session=session, form=form,
                           lists=self.lists(session), warnings=warnings,
                           seats_left=max(session.capacity - session.booked, 0),
                           statuses=ENROLMENT_STATUSES, approve_form=ApproveForm(),
                           can_write=self.can_write(), can_approve=self.can_approve(), tr=tr)

    def _people(self, session, form: EnrolForm) -> list[Mediator]:
        scope = current_scope()
        mode = form.mode.data
        if mode == BY_ORG:
            try:  # an empty, unknown or outside code: the field's message, the form kept
                org = scoped_org((form.org.data or "").strip())
            except NotFound:
                form.org.errors = [gettext("机构编码不存在或超出您的管辖范围")]
                return []
            return list(enrolment.candidates(scope, org=org))
        if mode == BY_GRADE:
            return list(enrolment.candidates(scope, grades=[form.grade.data],
                                             on=session.start_day))
        wanted = staff_list(form.staff_nos.data or "")
        if not wanted:
            form.staff_nos.errors = [gettext("请填写工号")]
            return []
        found = list(enrolment.candidates(scope, staff_nos=wanted))
        missing = sorted(set(wanted) - {m.staff_no for m in found})
        if missing:
            form.staff_nos.errors = [gettext("以下工号不存在、不在岗或超出您的管辖范围：%(nos)s",
                                             nos="、".join(missing))]
            return []
        return found

    def _enrol(self, session, form: EnrolForm):
        """None when enrolled; else {mediator id: warnings} to show (maybe empty)."""
        if not form.validate():
            flash(gettext("页面已过期，请重新提交"), "error")
            return {}
        try:
            people = self._people(session, form)
        except DomainError as exc:
            flash(tr(exc.message), "error")
            return {}
        if form.staff_nos.errors or form.org.errors:
            return {}
        if not people:
            flash(gettext("没有符合条件的在岗调解员"), "warning")
            return {}
        clashes = calendar.enrolment_warnings(session, [m.id for m in people])
        for mediator_id, reasons in enrolment.outside_audience(session, people).items():
            clashes.setdefault(mediator_id, []).extend(reasons)
        if clashes and not form.confirm.data:
            names = {m.id: m for m in people}
            return {names[k]: v for k, v in clashes.items()}
        try:
            result = enrolment.enrol_many(session, people, actor=current_user.username,
                                          scope=current_scope())
        except OutOfScope:
            abort(403)
        except DomainError as exc:
            flash(tr(exc.message), "error")
            return {}
        counts = result.counts()
        flash(gettext("已报名%(enrolled)d人，候补%(waitlisted)d人，已在名单中%(already)d人",
                      **counts), "success")
        return None

    def _posted_row(self, session) -> Enrolment:
        """The enrolment the form names, at this session; any other id is a 404."""
        form = ApproveForm(request.form)
        if not form.validate():
            abort(400)
        pk = as_pk(form.enrolment.data)
        row = Enrolment.get_or_none(Enrolment.id == pk, Enrolment.session == session.id) \
            if pk is not None else None
        if row is None:
            abort(404)
        return row

    def _act(self, allowed, action, done: str):
        """The posted enrolment at the session named in the query: the session must be visible
        (else 404), then `allowed()` (else 403); `action(row)` runs, a mediator outside the
        caller's scope answering like a missing one, a refusal flashed."""
        session = visible_session(request.args.get("session"))
        if not allowed():
            abort(403)
        row = self._posted_row(session)
        try:
            action(row)
        except OutOfScope:
            abort(404)
        except DomainError as exc:
            flash(tr(exc.message), "error")
        else:
            flash(done, "success")
        return redirect(self.get_url(".index", session=session.id))

    @expose("/approve/", methods=("POST",))
    def approve(self):
        return self._act(self.can_approve, lambda row: enrolment.approve(
            row, actor=current_user.username, scope=current_scope()), gettext("已审批通过"))

    @expose("/reject/", methods=("POST",))
    def reject(self):
        return self._act(self.can_approve, lambda row: enrolment.reject(
            row, actor=current_user.username, scope=current_scope(),
            reason=request.form.get("reason", "")), gettext("已退回该报名"))

    @expose("/withdraw/", methods=("POST",))
    def withdraw(self):
        return self._act(self.can_write, lambda row: enrolment.withdraw(
            row, actor=current_user.username, scope=current_scope()), gettext("已取消该调解员的报名"))
