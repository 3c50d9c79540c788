"""出勤登记 of one session: a tick list of everyone holding a seat (and anyone already recorded),
with 出席/迟到/早退/缺席/请假 and 实到分钟, saved through training.attendance so that the credited
hours come from training.hours; and the printable sign-in sheet. A mediator from outside the
coordinator's scope who signed up themself is listed (the host needs the head count) without
inputs: their hours are recorded by a coordinator whose scope holds them.

The page saves all rows or none: one bad row shows its message beside the row and every typed
value stays on the page.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user

from network.db import db
from network.errors import DomainError, OutOfScope, ValidationError
from network.models import Organization
from org.models import ADMIN, MANAGER, TRAINER, Mediator
from org.services import in_scope
from training.attendance import check_recordable, record_attendance
from training.models import ATTENDANCE_STATUSES, ENROLLED, OFFERED, Attendance, Enrolment

from ..forms import CSRFForm, tr
from ..views.base import Page, current_scope
from .sessions import visible_session
from .signin import signin_sheet


class _Rollback(Exception):
    """Raised inside the transaction to undo every row when one failed."""


def roster(session) -> list[tuple[Mediator, Attendance | None]]:
    """Seat holders and anyone already recorded, by 工号, each with their record (or None)."""
    records = {a.mediator_id: a for a in Attendance.select().where(Attendance.session == session.id)}
    seated = (Enrolment.select(Enrolment.mediator).where(
        Enrolment.session == session.id, Enrolment.status.in_([ENROLLED, OFFERED])))
    # with their stations: the scope checks of the page and of each saved row read them
    people = (Mediator.select(Mediator, Organization)
              .join(Organization, on=(Mediator.station == Organization.id))
              .where((Mediator.id.in_(seated)) | (Mediator.id.in_(list(records) or [0])))
              .order_by(Mediator.staff_no))
    return [(m, records.get(m.id)) for m in people]


class AttendanceView(Page):
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, TRAINER)

    def is_visible(self) -> bool:
        return False  # a page of one session, reached from its details page

    def can_write(self) -> bool:
        return current_user.role in self.write_roles

    @expose("/", methods=("GET", "POST"))
    def index(self):
        session = visible_session(request.args.get("session"))
        rows = roster(session)
        errors: dict[int, str] = {}
        if request.method == "POST":
            if not self.can_write():
                abort(403)
            if not CSRFForm(request.form).validate():
                flash(gettext("页面已过期，请重新提交"), "error")
            else:
                errors = self._save(session, rows)
                if not errors:
                    flash(gettext("出勤已保存"), "success")
                    return redirect(self.get_url(".index", session=session.id))
                flash(gettext("保存失败，请更正标出的行，未保存任何记录"), "error")
        try:
            check_recordable(session)
            closed = ""
        except DomainError as exc:  # not begun, or cancelled: said once, no inputs
            closed = tr(exc.message)
        return self.render("training/attendance.html", session=session, rows=rows,
                           outside={m.id for m, _ in rows if not in_scope(m, current_scope())},
                           closed=closed,
                           errors=errors, statuses=ATTENDANCE_STATUSES, form=CSRFForm(),
                           typed=request.form if request.method == "POST" else None,
                           can_write=self.can_write())

    def _save(self, session, rows) -> dict[int, str]:
        errors: dict[int, str] = {}
        try:
            with db.atomic():
                for mediator, _record in rows:
                    status = (request.form.get(f"status-{mediator.id}") or "").strip()
                    if not status:
                        continue
                    try:
                        record_attendance(session, mediator, status,
                                          request.form.get(f"minutes-{mediator.id}"),
                                          actor=current_user.username, scope=current_scope())
                    except ValidationError as exc:
                        errors[mediator.id] = "；".join(tr(m) for m in exc.errors.values())
                    except OutOfScope as exc:  # a row the page shows without inputs
                        errors[mediator.id] = tr(exc.message)
                    except DomainError as exc:
                        errors[mediator.id] = tr(exc.message)
                if errors:
                    raise _Rollback
        except _Rollback:
            pass
        return errors

    @expose("/sheet.pdf")
    def sheet(self):
        session = visible_session(request.args.get("session"))
        try:
            content = signin_sheet(session, [m for m, _ in roster(session)])
        except DomainError as exc:
            flash(tr(exc.message), "error")
            return redirect(self.get_url(".index", session=session.id))
        response = Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f"inline; filename=signin-{session.id}.pdf")
        return response
