"""待审批: the station manager's list of their mediators' pending sign-ups, any host, with
approve and reject (training.enrolment decides; training.approvals picks the rows). A sign-up
of a mediator outside the caller's scope answers like a missing one (404)."""
from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user

from network.errors import DomainError, OutOfScope
from org.models import ADMIN, MANAGER, TRAINER
from training import enrolment
from training.approvals import pending_in_scope, pending_sign_ups
from training.calendar import enrolment_warnings

from ..forms import CSRFForm, tr
from ..views.base import Page, as_pk, current_scope
from .enrolment import ApproveForm


class ApprovalView(Page):
    roles = (ADMIN, MANAGER, TRAINER)

    @expose("/")
    def index(self):
        rows = list(pending_sign_ups(current_scope()))
        # what the approver should know first: the same person already holds a place then
        clashes = {row.id: enrolment_warnings(row.session, [row.mediator_id]).get(
            row.mediator_id, []) for row in rows}
        return self.render("training/approvals.html", rows=rows, form=CSRFForm(),
                           clashes=clashes, tr=tr)

    @expose("/decide/", methods=("POST",))
    def decide(self):
        form = ApproveForm(request.form)
        if not form.validate():
            abort(400)
        pk = as_pk(form.enrolment.data)
        row = pending_in_scope(pk, current_scope()) if pk is not None else None
        if row is None:
            abort(404)
        answer = request.form.get("answer")
        if answer not in ("approve", "reject"):
            abort(400)
        approve = answer == "approve"
        try:
            if approve:
                enrolment.approve(row, actor=current_user.username, scope=current_scope())
            else:
                enrolment.reject(row, actor=current_user.username, scope=current_scope(),
                                 reason=request.form.get("reason", ""))
        except OutOfScope:
            abort(404)
        except DomainError as exc:
            flash(tr(exc.message), "error")
        else:
            flash(gettext("已审批通过") if approve else gettext("已退回该报名"), "success")
        return redirect(self.get_url(".index"))
