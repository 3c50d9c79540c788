"""培训证书: the list of certificates held by mediators of the caller's subtree, issuing them
for a session's attendees, revoking with a reason (audited by the domain), the PDF; and the
public verification page the QR code points to (no login: the serial's random part is the key,
and the page shows the holder's name only)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import StringField

from network.errors import DomainError, OutOfScope, ValidationError
from network.tree import subtree_ids
from org.models import ADMIN, MANAGER, TRAINER, Mediator
from training import certificates
from training.models import Certificate, Course

from ..forms import CSRFForm, tr
from ..views.base import ScopedView, current_scope
from ..views.filters import SubtreeFilter
from .sessions import visible_session
from .signin import BUNDLED_FONT

public_bp = Blueprint("training_public", __name__)
VERIFY_PATH = "/verify"


def verify_base() -> str:
    """The stable public address a certificate's QR code carries (serial appended)."""
    return request.url_root.rstrip("/") + VERIFY_PATH


@public_bp.route(f"{VERIFY_PATH}/<serial>")
def verify(serial: str):
    found = certificates.verify(serial[:40])
    status = 404 if found is None else 200
    return render_template("training/verify.html", found=found,
                           statuses=certificates.CERTIFICATE_STATUSES), status


class RevokeForm(CSRFForm):
    reason = StringField(lazy_gettext("撤销原因"))


def _status(view, context, model, name):
    return gettext(certificates.CERTIFICATE_STATUSES[certificates.status(model)])


class CertificateView(ScopedView):
    query_joins_all = True
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, TRAINER)
    allow_create = allow_edit = allow_delete = False  # issued from a session, revoked with reason
    details_template = "training/certificate_details.html"

    column_list = ["serial", "mediator", "course", "hours", "issued", "expires", "status",
                   "revoke_reason"]
    column_details_list = ["serial", "mediator", "course", "session", "hours", "issued",
                           "expires", "status", "revoked_at", "revoke_reason", "issuer"]
    column_export_list = column_details_list
    column_labels = {"status": lazy_gettext("状态")}
    column_searchable_list = ["serial"]
    column_sortable_list = ["serial", "issued", "expires"]
    column_default_sort = ("issued", True)
    column_formatters = {
        "mediator": lambda v, c, m, n: f"{m.mediator.staff_no} {m.mediator.name}",
        "course": lambda v, c, m, n: m.course.name,
        "session": lambda v, c, m, n: m.session.code if m.session else "",
        "status": _status,
        "serial": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            v.get_url(".details_view", id=m.id), escape(m.serial)),
    }
    column_formatters_export = {**{k: f for k, f in column_formatters.items()
                                   if k != "serial"}}
    column_formatters_detail = column_formatters_export
    column_filters = [SubtreeFilter(Mediator.station, lazy_gettext("所属机构"), current_scope)]

    def scope_query(self, query, scope):
        return query.where(Mediator.station.in_(subtree_ids(scope)))

    def get_query(self):
        return self.restrict(Certificate.select(Certificate, Mediator, Course)
                             .join(Mediator).switch(Certificate).join(Course))

    def can_write(self) -> bool:
        return self._writable()

    def _certificate(self) -> Certificate:
        certificate = self.get_one(request.args.get("id"))
        if certificate is None:  # unknown or outside the scope: the same answer
            abort(404)
        return certificate

    @expose("/pdf/")
    def pdf_view(self):
        certificate = self._certificate()
        try:
            content = certificates.pdf(certificate, verify_base(), BUNDLED_FONT)
        except DomainError as exc:
            flash(tr(exc.message), "error")
            return redirect(self.get_url(".details_view", id=certificate.id))
        response = Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f"inline; filename={certificate.serial}.pdf"
        return response

    @expose("/revoke/", methods=("GET", "POST"))
    def revoke_view(self):
        if not self._writable():
            abort(403)
        certificate = self._certificate()
        form = RevokeForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                certificates.revoke(certificate, form.reason.data,
                                    actor=current_user.username, scope=current_scope())
            except ValidationError as exc:
                form.reason.errors = [tr(m) for m in exc.errors.values()]
            except OutOfScope:
                abort(403)
            except DomainError as exc:
                flash(tr(exc.message), "error")
                return redirect(self.get_url(".details_view", id=certificate.id))
            else:
                flash(gettext("证书「%(serial)s」已撤销", serial=certificate.serial), "success")
                return redirect(self.get_url(".details_view", id=certificate.id))
        return self.render("training/certificate_revoke.html", certificate=certificate,
                           form=form)

    @expose("/issue/", methods=("GET", "POST"))
    def issue_view(self):
        """Certificates for everyone who completed a session (existing kept)."""
        if not self._writable():
            abort(403)
        session = visible_session(request.args.get("session"))
        form = CSRFForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                issued = certificates.issue_for_session(session, actor=current_user.username,
                                                        scope=current_scope())
            except OutOfScope:
                abort(403)
            except DomainError as exc:
                flash(tr(exc.message), "error")
            else:
                flash(gettext("已发放证书%(n)d张", n=len(issued)), "success")
                return redirect(self.get_url(".index_view"))
        attendees = certificates.completers(session)
        return self.render("training/certificate_issue.html", session=session, form=form,
                           attendees=attendees)
