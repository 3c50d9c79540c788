"""培训场次: the coordinator's list, details, create and edit of sessions within the host
organisation's subtree, copy and cancel with a reason.

Every write goes through training.sessions with the caller's scope; the warnings of
training.calendar (holiday, venue or trainer double-booked) are shown and must be confirmed
before a save, because they are intended sometimes (a course on a 调休 Saturday).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.routing import BuildError
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.models import Organization
from network.tree import subtree_ids
from org.models import ADMIN, EMPLOYMENT, GRADES, MANAGER, TRAINER
from training import calendar, sessions
from training.models import CANCELLED, SESSION_STATUSES, Course, Session

from ..forms import CSRFForm, tr
from ..views.base import ScopedView, as_pk, current_scope
from ..views.filters import EqualFilter, SubtreeFilter
from ..views.formatting import choice, choices, yes_no
from .kinds import kind_choices, kind_name

TIME_FIELDS = ("start", "end", "enrol_deadline")
EDITABLE_STATUSES = {k: v for k, v in SESSION_STATUSES.items() if k != CANCELLED}


class CancelForm(CSRFForm):
    reason = StringField(lazy_gettext("取消原因"))


class CopyForm(CSRFForm):
    code = StringField(lazy_gettext("新场次编号"))
    start = StringField(lazy_gettext("开始时间"), description="YYYY-MM-DD HH:MM")
    confirm = BooleanField(lazy_gettext("已知悉提醒（节假日、地点或主讲人冲突），仍然保存"))


def mandatory_badge(session: Session) -> Markup:
    """必修 beside a session's code in lists: it is enrolled by the coordinator, not offered."""
    if not session.mandatory:
        return Markup("")
    return Markup(' <span class="badge badge-danger mandatory">{}</span>').format(gettext("必修"))


def scope_sessions(query, scope):
    """Sessions hosted in the subtree of `scope`: the one rule for every training page."""
    return query.where(Session.host.in_(subtree_ids(scope)))


def visible_session(pk) -> Session:
    """A session id typed into a URL: 404 when unknown or outside the caller's subtree (the
    same answer, so ids cannot be probed)."""
    pk = as_pk(pk)
    session = Session.get_or_none(Session.id == pk) if pk is not None else None
    if session is None:
        abort(404)
    scope = current_scope()
    if scope is not None and not scope.contains(session.host):
        abort(404)
    return session


def confirm_warnings(warnings: list[Msg], confirmed: bool) -> None:
    """Unconfirmed warnings stop the save: each one is flashed, the confirm box marked."""
    if warnings and not confirmed:
        for warning in warnings:
            flash(tr(warning), "warning")
        raise ValidationError({"confirm": Msg("存在以上提醒，请勾选确认后再保存")})


def copy_warnings(session: Session, form: CopyForm) -> None:
    """The copy's calendar warnings (holiday, venue or trainer double booked) stop it until
    confirmed, like the session form's."""
    data = sessions.copy_data(session, code=form.code.data, start=form.start.data)
    probe = Session(start=data["start"], end=data["end"], trainers=data["trainers"],
                    venue=data["venue"])
    probe.pending_dates = data["dates"]
    confirm_warnings(calendar.session_warnings(probe), bool(form.confirm.data))


class SessionView(ScopedView):
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, TRAINER)
    allow_delete = False  # a session is cancelled with a reason, never deleted
    audit_table = "training_session"
    import_endpoint = "imports.index"
    details_template = "training/session_details.html"

    column_list = ["code", "course", "kind", "host", "start", "end", "hours", "capacity",
                   "booked", "status"]
    column_details_list = ["code", "course", "kind", "host", "trainers", "venue", "online_link",
                           "start", "end", "minutes", "hours", "capacity", "booked",
                           "dates", "enrol_deadline", "audience_orgs", "audience_grades",
                           "audience_employment", "mandatory", "needs_approval", "status", "cancel_reason",
                           "created_at", "updated_at"]
    column_export_list = column_details_list
    column_searchable_list = ["code", "trainers", "venue"]
    column_sortable_list = ["code", "start", "hours", "capacity", "booked", "status"]
    column_default_sort = ("start", True)
    # the two that are no model fields (a session's days and audience units)
    column_labels = {"dates": lazy_gettext("分日日程"), "audience_orgs": lazy_gettext("面向机构")}
    column_formatters = {
        "status": lambda v, c, m, n: gettext(SESSION_STATUSES[sessions.status_now(m.status,
                                                                                  m.end)]),
        "mandatory": yes_no("mandatory"),
        "needs_approval": yes_no("needs_approval"),
        "audience_employment": choice(EMPLOYMENT),
        "audience_grades": lambda v, c, m, n: "、".join(
            gettext(label) for code, label in GRADES.items() if code in sessions.grades_of(m)),
        "audience_orgs": lambda v, c, m, n: "、".join(sessions.audience_codes(m)),
        "dates": lambda v, c, m, n: "；".join(sessions.dates_text(m).splitlines()),
        "host": lambda v, c, m, n: m.host.name,
        "course": lambda v, c, m, n: m.course.name,
        "kind": kind_name,
        "start": lambda v, c, m, n: m.start.strftime(sessions.TIME_FORMAT),
        "end": lambda v, c, m, n: m.end.strftime(sessions.TIME_FORMAT),
        "enrol_deadline": lambda v, c, m, n: (m.enrol_deadline.strftime(sessions.TIME_FORMAT)
                                              if m.enrol_deadline else ""),
        "code": lambda v, c, m, n: Markup('<a href="{}">{}</a>{}').format(
            v.get_url(".details_view", id=m.id), escape(m.code), mandatory_badge(m)),
    }
    column_formatters_export = {**{k: f for k, f in column_formatters.items() if k != "code"},
                                "host": lambda v, c, m, n: m.host.code}
    # the page shows the host as the list does (by name); the export keeps the code a
    # re-import matches on
    column_formatters_detail = {**column_formatters_export,
                                "host": lambda v, c, m, n: f"{m.host.name}（{m.host.code}）"}

    form_columns = ["code", "course", "kind", "host", "trainers", "venue", "online_link",
                    "start", "end", "hours", "capacity", "enrol_deadline", "audience_grades",
                    "audience_employment", "mandatory", "needs_approval", "status"]
    form_overrides = {"course": StringField, "start": StringField, "end": StringField,
                      "enrol_deadline": StringField, "status": SelectField,
                      "audience_employment": SelectField, "audience_grades": SelectMultipleField}
    form_args = {
        # required unless the days below are given: training.sessions decides
        "start": {"description": "YYYY-MM-DD HH:MM", "validators": [Optional()]},
        "end": {"description": "YYYY-MM-DD HH:MM", "validators": [Optional()]},
        "enrol_deadline": {"description": "YYYY-MM-DD HH:MM", "validators": [Optional()]},
        "status": {"choices": choices(EDITABLE_STATUSES)},
        "audience_employment": {"choices": choices(EMPLOYMENT, blank=True)},
        "audience_grades": {"choices": choices(GRADES), "validators": [Optional()],
                            "description": lazy_gettext("不选为面向所有等级；按场次开始当日的等级")},
        "course": {"description": lazy_gettext("已有课程名称，或新课程名称（按本场次类型新建）")},
    }
    form_extra_fields = {
        "dates": TextAreaField(lazy_gettext("分日日程"), description=lazy_gettext(
            "多日培训每行一天，如 2026-05-06 09:00-12:00；填写后开始、结束时间取首日开始与末日结束")),
        "audience_orgs": StringField(lazy_gettext("面向机构"), description=lazy_gettext(
            "机构编码，多个用逗号分隔（含下级机构）；留空为不限")),
        "confirm": BooleanField(lazy_gettext("已知悉提醒（节假日、地点或主讲人冲突），仍然保存")),
    }
    form_ajax_refs = {"host": {"fields": ["code", "name"],
                               "placeholder": lazy_gettext("输入机构编码或名称")}}
    scoped_refs = {"host": Organization}

    column_filters = [
        SubtreeFilter(Session.host, lazy_gettext("主办机构"), current_scope),
        EqualFilter(Session.status, lazy_gettext("状态"), options=choices(SESSION_STATUSES)),
    ]

    def scope_query(self, query, scope):
        return scope_sessions(query, scope)

    def get_query(self):
        return self.restrict(Session.select(Session, Course, Organization)
                             .join(Course).switch(Session).join(Organization))

    # --- forms ------------------------------------------------------------------------------
    @staticmethod
    def _times_optional(form):
        """The browser must let start/end be left empty when the days are typed instead."""
        for name in ("start", "end"):
            getattr(form, name).flags.required = False
        return form

    def create_form(self, obj=None):
        return kind_choices(self._times_optional(super().create_form(obj)))

    def edit_form(self, obj=None):
        form = kind_choices(self._times_optional(super().edit_form(obj)),
                            obj.kind_id if obj is not None else None)
        if obj is not None and request.method == "GET":
            for name in TIME_FIELDS:
                value = getattr(obj, name)
                getattr(form, name).data = value.strftime(sessions.TIME_FORMAT) if value else ""
            form.course.data = obj.course.name
            form.audience_grades.data = sorted(sessions.grades_of(obj))
            form.audience_orgs.data = "，".join(sessions.audience_codes(obj))
            form.dates.data = sessions.dates_text(obj)
        return form

    def form_data(self, form) -> dict:
        data = super().form_data(form)
        course = data.get("course")  # a form posted without the field keeps the row's Course
        if not isinstance(course, Course):
            data["course"] = str(course or "").strip()
        return data

    def _warnings(self, data: dict, instance: Session | None) -> None:
        """Check the fields (errors first), then the calendar warnings of the result."""
        confirmed = bool(data.pop("confirm", False))
        values = sessions.clean_session(data, instance)
        # A fresh row with the instance's values: copy.copy would share (and change) its data.
        probe = Session(**dict(instance.__data__)) if instance is not None else Session()
        for name in ("start", "end", "trainers", "venue"):
            if name in values:
                setattr(probe, name, values[name])
        probe.pending_dates = values.get("dates")
        confirm_warnings(calendar.session_warnings(probe), confirmed)

    def create_record(self, data):
        self._warnings(data, None)
        return sessions.create_session(data, actor=current_user.username, scope=current_scope())

    def update_record(self, model, data):
        self._warnings(data, model)
        return sessions.update_session(model, data, actor=current_user.username,
                                       scope=current_scope())

    # --- copy and cancel ----------------------------------------------------------------------
    def can_write(self) -> bool:
        return self._writable()

    def copy_form(self, session: Session) -> CopyForm:
        form = CopyForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            form.code.data = f"{session.code}-2"[:40]
            form.start.data = session.start.strftime(sessions.TIME_FORMAT)
        return form

    def _writable_session(self) -> Session:
        if not self._writable():
            abort(403)
        return visible_session(request.args.get("id"))

    @expose("/copy/", methods=("GET", "POST"))
    def copy_view(self):
        session = self._writable_session()
        form = self.copy_form(session)
        if request.method == "POST" and form.validate():
            try:
                copy_warnings(session, form)
                new = sessions.copy_session(session, code=form.code.data, start=form.start.data,
                                            actor=current_user.username, scope=current_scope())
            except ValidationError as exc:
                for name, msg in exc.errors.items():
                    field = getattr(form, name, None) or form.code
                    field.errors = [*field.errors, tr(msg)]
            except ValueError as exc:
                form.start.errors = [tr(exc.args[0])]
            except OutOfScope:
                abort(403)
            except DomainError as exc:
                flash(tr(exc.message), "error")
            else:
                flash(gettext("已复制并保存为场次「%(code)s」，如需调整可在此修改", code=new.code), "success")
                return redirect(self.get_url(".edit_view", id=new.id))
        return self.render("training/session_copy.html", session=session, form=form)

    def _cancelled(self, session: Session):
        """A cancelled session is kept as it was: its edit and cancel pages say so and go back
        to its details instead of offering a form that can only be refused."""
        flash(gettext("场次「%(code)s」已取消，不能再修改", code=session.code), "warning")
        return redirect(self.get_url(".details_view", id=session.id))

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        session = self.get_one(request.args.get("id"))  # scoped; others fall through
        if session is not None and session.status == CANCELLED:
            return self._cancelled(session)
        return super().edit_view()

    @expose("/cancel/", methods=("GET", "POST"))
    def cancel_view(self):
        session = self._writable_session()
        if session.status == CANCELLED:
            return self._cancelled(session)
        form = CancelForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                sessions.cancel_session(session, form.reason.data, actor=current_user.username,
                                        scope=current_scope())
            except ValidationError as exc:
                form.reason.errors = [tr(m) for m in exc.errors.values()]
            except OutOfScope:
                abort(403)
            except DomainError as exc:
                flash(tr(exc.message), "error")
                return redirect(self.get_url(".details_view", id=session.id))
            else:
                flash(gettext("场次「%(code)s」已取消，已通知报名人员", code=session.code),
                      "success")
                return redirect(self.get_url(".details_view", id=session.id))
        return self.render("training/session_cancel.html", session=session, form=form)

    def links(self, session: Session) -> list[tuple[str, str]]:
        """The pages of one session the details page links to (those registered)."""
        out = []
        pages = [("training_enrolment.index", gettext("报名管理"))]
        if session.status != CANCELLED:  # nobody attends, signs in or is certified
            pages += [("training_attendance.index", gettext("出勤登记")),
                      ("training_attendance.sheet", gettext("签到表PDF")),
                      ("training_certificates.issue_view", gettext("发放证书"))]
        for endpoint, text in pages:
            try:
                out.append((url_for(endpoint, session=session.id), text))
            except BuildError:  # a page not registered is simply not linked
                continue
        return out
