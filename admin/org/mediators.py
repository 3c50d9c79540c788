"""Mediators: list, details with assignment history, create/edit, audited reveal, delete.

身份证号 and mobile appear masked everywhere (list, details, exports, the edit form); the full
value is fetched one record and one field at a time through `reveal`, which the domain audits.
"""
from __future__ import annotations

from flask import jsonify, request
from flask_admin import expose
from flask_admin.form.widgets import DatePickerWidget
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from evaluation.models import RESULTS, Case
from network.errors import DomainError, OutOfScope
from network.models import Organization
from network.tree import in_subtree, subtree_ids
from org import services
from org.identity import mask_id_number, mask_mobile
from org.models import (
    ADMIN,
    ASSIGNMENT_KINDS,
    EDUCATION,
    EMPLOYMENT,
    GENDERS,
    MANAGER,
    MEDIATOR_STATUSES,
    POLITICAL,
    TRAINER,
    Assignment,
    Mediator,
)

from ..forms import CSRFForm, tr
from ..promotion.grades import GradeFilter, current_grade_sql, grade_cell
from ..views.base import ScopedView, as_pk, current_scope
from ..views.filters import EqualFilter, SubtreeFilter
from ..views.formatting import choice, choices, linked, masked, related

IDENTIFIERS = {"id_number": mask_id_number, "mobile": mask_mobile}


def _station_name(view, context, model, name):
    return model.station.name


def _revealable(field: str):
    """Masked value plus a 查看 button for roles that may reveal (details page only)."""
    mask = IDENTIFIERS[field]

    def revealable(view, context, model, name):
        shown = Markup('<span class="reveal-value" data-field="{}">{}</span>').format(
            field, mask(getattr(model, field)))
        if view.can_reveal() and getattr(model, field):
            shown += Markup(' <button type="button" class="btn btn-sm btn-outline-primary '
                            'reveal-btn" data-id="{}" data-field="{}">{}</button>').format(
                model.id, field, gettext("查看"))
        return shown

    return revealable


class MediatorView(ScopedView):
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, MANAGER)
    reveal_roles = (ADMIN, MANAGER)
    audit_table = "mediator"
    import_endpoint = "imports.index"
    details_template = "admin/mediator_details.html"

    column_list = ["staff_no", "name", "gender", "station", "grade", "employment", "status",
                   "mobile", "id_number"]
    # Birth date is left out on purpose: the mask hides it inside the 身份证号 too.
    column_details_list = ["staff_no", "name", "gender", "id_number", "mobile", "education",
                           "speciality", "political_status", "employment", "employer", "joined",
                           "status", "station", "created_at", "updated_at"]
    column_export_list = [*column_details_list[:12], "grade", *column_details_list[12:]]
    column_labels = {"grade": lazy_gettext("专业等级")}
    column_searchable_list = ["staff_no", "name", "employer"]
    column_sortable_list = ["staff_no", "name", "employment", "status", "joined"]
    column_default_sort = ("staff_no", False)
    column_formatters = {
        "gender": choice(GENDERS),
        "employment": choice(EMPLOYMENT),
        "status": choice(MEDIATOR_STATUSES),
        "station": _station_name,
        "id_number": masked(mask_id_number),
        "mobile": masked(mask_mobile),
        "grade": grade_cell,
        "name": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            v.get_url(".details_view", id=m.id), escape(m.name)),
    }
    column_formatters_export = {
        **{k: f for k, f in column_formatters.items() if k != "name"},
        "station": related("station", lambda s: s.code),
    }

    column_formatters_detail = {**{k: f for k, f in column_formatters.items() if k != "name"},
                                "station": linked("station", "stations",
                                                  lambda s: f"{s.name}（{s.code}）"),
                                "id_number": _revealable("id_number"),
                                "mobile": _revealable("mobile")}

    form_columns = ["staff_no", "name", "gender", "education", "speciality",
                    "political_status", "employment", "employer", "joined", "status", "station"]
    form_overrides = {"gender": SelectField, "employment": SelectField, "status": SelectField,
                      "education": SelectField, "political_status": SelectField}
    form_args = {
        "gender": {"choices": choices(GENDERS)},
        "education": {"choices": choices(EDUCATION, blank=True)},
        "political_status": {"choices": choices(POLITICAL, blank=True)},
        "employment": {"choices": choices(EMPLOYMENT)},
        "status": {"choices": choices(MEDIATOR_STATUSES)},
    }
    # Identifiers are plain optional fields: on edit they start empty and blank keeps the
    # stored value, so the page never carries the full number. The domain checks them.
    form_extra_fields = {
        "id_number": StringField(lazy_gettext("身份证号"), validators=[Optional()]),
        "mobile": StringField(lazy_gettext("手机号"), validators=[Optional()]),
        "assignment_kind": SelectField(lazy_gettext("驻点方式"), choices=choices(ASSIGNMENT_KINDS),
                                       default="resident"),
        "move_on": DateField(lazy_gettext("调动日期"), validators=[Optional()],
                             widget=DatePickerWidget(),
                             description=lazy_gettext("更换所属机构时填写，默认今天；原任职记录保留为历史")),
    }
    form_ajax_refs = {"station": {"fields": ["code", "name"],
                                  "placeholder": lazy_gettext("输入机构编码或名称")}}
    scoped_refs = {"station": Organization}

    column_filters = [
        SubtreeFilter(Mediator.station, lazy_gettext("所属机构"), current_scope),
        EqualFilter(Mediator.employment, lazy_gettext("专兼职"), options=choices(EMPLOYMENT)),
        EqualFilter(Mediator.status, lazy_gettext("状态"), options=choices(MEDIATOR_STATUSES)),
        EqualFilter(Mediator.gender, lazy_gettext("性别"), options=choices(GENDERS)),
        GradeFilter(lazy_gettext("专业等级")),
    ]

    # --- scope ------------------------------------------------------------------------------
    def scope_query(self, query, scope):
        return query.where(Mediator.station.in_(subtree_ids(scope)))

    def get_query(self):
        return self.restrict(Mediator.select(Mediator, Organization,
                                             current_grade_sql().alias("current_grade"))
                             .join(Organization))

    # --- forms ------------------------------------------------------------------------------
    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if obj is not None:
            for name, mask in IDENTIFIERS.items():
                field = getattr(form, name)
                if request.method == "GET":
                    field.data = ""
                current = mask(getattr(obj, name))
                field.description = (gettext("当前：%(v)s；留空则保持不变", v=current) if current
                                     else gettext("留空则保持不变"))
        return form

    def on_form_prefill(self, form, id):
        model = self.get_one(id)
        current = services.primary_assignment(model) if model is not None else None
        if current is not None and request.method == "GET":
            form.assignment_kind.data = current.kind

    def _split(self, data: dict, editing: bool) -> tuple[dict, str, object]:
        """Separate the assignment fields from the mediator's; blank identifiers mean
        "unchanged" on edit."""
        kind = data.pop("assignment_kind", None) or "resident"
        move_on = data.pop("move_on", None)
        if editing:
            for name in IDENTIFIERS:
                if not (data.get(name) or "").strip():
                    data.pop(name, None)
        return data, kind, move_on

    def create_record(self, data):
        data, kind, _on = self._split(data, editing=False)
        return services.create_mediator(data, actor=current_user.username,
                                        scope=current_scope(), kind=kind)

    def update_record(self, model, data):
        data, kind, move_on = self._split(data, editing=True)
        return services.update_mediator(model, data, actor=current_user.username,
                                        scope=current_scope(), kind=kind, on=move_on)

    def delete_record(self, model):
        services.delete_mediator(model, actor=current_user.username, scope=current_scope())

    # --- details: history and reveal ----------------------------------------------------------
    def can_reveal(self) -> bool:
        return current_user.is_authenticated and current_user.role in self.reveal_roles

    def reveal_form(self) -> CSRFForm:
        return CSRFForm()

    def assignment_history(self, mediator: Mediator) -> list[Assignment]:
        return list(Assignment.select(Assignment, Organization).join(Organization)
                    .where(Assignment.mediator == mediator)
                    .order_by(Assignment.start.desc(), Assignment.id.desc()))

    def recent_cases(self, mediator: Mediator, limit: int = 20) -> list:
        """The mediator's latest cases inside the caller's jurisdiction (a moved mediator's
        cases at a unit outside it stay hidden), each linked from the details page."""
        query = Case.select(Case, Organization).join(Organization).where(
            Case.mediator == mediator)
        scope = current_scope()
        if scope is not None:
            query = query.where(in_subtree(Organization.path, scope))
        return list(query.order_by(Case.received.desc(), Case.id.desc()).limit(limit))

    def result_label(self, result: str) -> str:
        return gettext(RESULTS.get(result, result))

    def assignment_kind_label(self, kind: str) -> str:
        return gettext(ASSIGNMENT_KINDS.get(kind, kind))

    @expose("/reveal/", methods=("POST",))
    def reveal_view(self):
        """One field of one mediator, unmasked, as JSON; the domain records who looked."""
        if not self.can_reveal():
            return self._json_error("forbidden", gettext("您没有查看完整信息的权限"), 403)
        if not CSRFForm(request.form).validate():
            return self._json_error("csrf", gettext("页面已过期，请刷新后重试"), 400)
        ident = request.form.get("id", "")
        pk = as_pk(ident)
        mediator = Mediator.get_or_none(Mediator.id == pk) if pk is not None else None
        if mediator is None:
            return self._json_error("not_found", gettext("未找到"), 404)
        try:
            value = services.reveal(mediator, request.form.get("field", ""),
                                    actor=current_user.username, scope=current_scope())
        except OutOfScope:  # answered like a missing id: ids outside say nothing
            return self._json_error("not_found", gettext("未找到"), 404)
        except DomainError as exc:
            return self._json_error("invalid", tr(exc.message), 400)
        return jsonify({"id": mediator.id, "field": request.form["field"], "value": value})

    @staticmethod
    def _json_error(code: str, message: str, status: int):
        return jsonify({"error": code, "message": message}), status
