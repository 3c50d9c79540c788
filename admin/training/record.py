"""培训档案: one mediator's training record (history, hours per year and kind, certificates with
their PDF) and its XLSX export. A mediator reaches their own only (我的培训档案 on their home);
staff reach the mediators of their jurisdiction from the mediator's details page. Anyone else's
record, certificate or an unknown id answers 404 alike (visible_mediator), so ids cannot be
probed across jurisdictions.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user

from network.errors import DomainError
from org.models import ADMIN, MANAGER, MEDIATOR, TRAINER
from training import certificates, records
from training.models import SESSION_STATUSES, Certificate
from training.sessions import status_now

from ..forms import tr
from ..views.base import Page, as_pk, visible_mediator, xlsx_download
from .certificates import verify_base
from .signin import BUNDLED_FONT


class TrainingRecordView(Page):
    roles = (ADMIN, MANAGER, TRAINER, MEDIATOR)

    def is_visible(self) -> bool:
        return False  # reached from the mediator's details page or the mediator's home

    def _mediator(self):
        """?mediator=ID for staff; a mediator's own record whatever they pass (another id is
        404 like a missing one)."""
        pk = request.args.get("mediator")
        if current_user.role == MEDIATOR:
            if current_user.mediator_id is None:
                abort(404)
            pk = pk or current_user.mediator_id
        return visible_mediator(pk)

    @expose("/")
    def index(self):
        mediator = self._mediator()
        rows = records.history(mediator.id)
        years = records.hours_by_year(rows)
        kinds = sorted({kind for year in years for kind in year["by_kind"]})
        held = [(c, certificates.status(c)) for c in records.certificates_of(mediator.id)]
        return self.render("training/record.html", mediator=mediator, rows=rows, years=years,
                           kinds=kinds, held=held, statuses=certificates.CERTIFICATE_STATUSES,
                           session_statuses=SESSION_STATUSES, status_now=status_now,
                           own=current_user.role == MEDIATOR)

    @expose("/export/")
    def export(self):
        mediator = self._mediator()
        headers = [gettext("场次编号"), gettext("课程名称"), gettext("培训类型"), gettext("开始时间"),
                   gettext("出勤情况"), gettext("实到分钟"), gettext("学时"), gettext("认定学时")]
        rows = [[r["session"], r["course"], gettext(r["kind"]),
                 r["start"].strftime("%Y-%m-%d %H:%M"), gettext(r["status"]), r["minutes"],
                 float(r["hours"]), float(r["credited"])] for r in records.history(mediator.id)]
        return xlsx_download(f"{gettext('培训档案')}_{mediator.staff_no}_{mediator.name}",
                             headers, rows, notes=[(gettext("调解员"),
                                                    f"{mediator.staff_no} {mediator.name}")])

    @expose("/certificate/")
    def certificate(self):
        """A certificate's PDF: the holder's own, or one held by a mediator in the caller's
        jurisdiction; any other id is 404 like a missing one."""
        pk = as_pk(request.args.get("id"))
        found = Certificate.get_or_none(Certificate.id == pk) if pk is not None else None
        if found is None:
            abort(404)
        visible_mediator(found.mediator_id)  # 404 unless the holder is the caller or in scope
        try:
            content = certificates.pdf(found, verify_base(), BUNDLED_FONT)
        except DomainError as exc:
            flash(tr(exc.message), "error")
            return redirect(url_for(".index", mediator=found.mediator_id))
        response = Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f"inline; filename={found.serial}.pdf"
        return response

