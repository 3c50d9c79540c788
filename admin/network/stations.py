"""Organisations (centres, stations, rooms): list, details, create, edit, close, move."""
from __future__ import annotations

import peewee as pw
from flask import flash, request
from flask_admin.actions import action
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import SelectField

from network import services
from network.errors import DomainError, Msg, ValidationError
from network.models import LEVELS, STATUSES, Organization, OrgKind
from network.tree import in_subtree
from org.models import ADMIN, MANAGER, TRAINER

from ..forms import tr
from ..i18n import label
from ..views.base import ScopedView, as_pks, current_scope
from ..views.filters import EqualFilter, SubtreeFilter

Parent = Organization.alias("parent_org")


def _kind_options():
    return [(k.id, k.name) for k in OrgKind.select().order_by(OrgKind.sort_order, OrgKind.id)]


class StationView(ScopedView):
    audit_table = "organization"
    # Training coordinators need the stations of their subtree, but only to read them.
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, MANAGER)
    import_endpoint = "imports.index"
    column_list = ["code", "name", "level", "parent", "kind", "division_code", "status"]
    column_details_list = ["code", "name", "level", "parent", "kind", "division_code", "address",
                           "phone", "founded", "longitude", "latitude", "status", "created_at",
                           "updated_at"]
    column_export_list = column_details_list
    column_searchable_list = ["code", "name", "division_code", "address"]
    column_sortable_list = ["code", "name", "level", "division_code", "status"]
    column_default_sort = ("code", False)
    column_formatters = {
        "level": lambda v, c, m, n: label(LEVELS.get(m.level)),
        "status": lambda v, c, m, n: label(STATUSES.get(m.status)),
        "parent": lambda v, c, m, n: m.parent.name if m.parent_id else "",
        "kind": lambda v, c, m, n: label(m.kind.name),
        "name": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            v.get_url(".details_view", id=m.id), escape(m.name)),
    }
    column_formatters_export = {
        "level": lambda v, c, m, n: label(LEVELS.get(m.level)),
        "status": lambda v, c, m, n: label(STATUSES.get(m.status)),
        "parent": lambda v, c, m, n: m.parent.code if m.parent_id else "",
        "kind": lambda v, c, m, n: m.kind.name,
        "name": lambda v, c, m, n: m.name,
    }
    form_columns = ["code", "name", "level", "parent", "kind", "division_code", "address",
                    "phone", "founded", "longitude", "latitude", "status"]
    form_overrides = {"level": SelectField, "status": SelectField}
    form_args = {
        "level": {"coerce": int,
                  "choices": [(k, lazy_gettext(v)) for k, v in LEVELS.items()]},
        "division_code": {"description": lazy_gettext("6位数字，GB/T 2260")},
        "status": {"choices": [(k, lazy_gettext(v)) for k, v in STATUSES.items()]},
    }
    form_ajax_refs = {"parent": {"fields": ["code", "name"], "placeholder": lazy_gettext("输入编码或名称")}}
    scoped_refs = {"parent": Organization}

    column_filters = [
        EqualFilter(Organization.level, lazy_gettext("层级"),
                    options=[(k, lazy_gettext(v)) for k, v in LEVELS.items()]),
        EqualFilter(Organization.status, lazy_gettext("状态"),
                    options=[(k, lazy_gettext(v)) for k, v in STATUSES.items()]),
        EqualFilter(Organization.kind, lazy_gettext("机构类型"), options=_kind_options),
        SubtreeFilter(Organization.id, lazy_gettext("所属机构"), current_scope),
    ]

    def scope_query(self, query, scope):
        return query.where(in_subtree(Organization.path, scope))

    def get_query(self):
        query = (Organization.select(Organization, OrgKind, Parent)
                 .join(OrgKind).switch(Organization)
                 .join(Parent, pw.JOIN.LEFT_OUTER, on=(Organization.parent == Parent.id),
                       attr="parent"))
        return self.restrict(query)

    def _submitted_parent(self, data, current=None):
        """The parent look-up silently turns an id outside the scope into "no parent": refuse it
        on the field instead, except the unchanged parent of the record being edited (a
        manager's own county sits under the city, which lies above their scope)."""
        raw = (request.form.get("parent") or "").strip()
        if data.get("parent") is None and raw:
            if current is not None and raw == str(current.parent_id):
                data["parent"] = current.parent
            else:
                raise ValidationError({"parent": Msg("超出您的管辖范围")})
        return data

    def create_record(self, data):
        return services.create_org(self._submitted_parent(data), actor=self._actor(),
                                   scope=current_scope())

    def update_record(self, model, data):
        return services.update_org(model, self._submitted_parent(data, model),
                                   actor=self._actor(), scope=current_scope())

    def delete_record(self, model):
        services.delete_org(model, actor=self._actor(), scope=current_scope())

    def _actor(self) -> str:
        return current_user.username

    @action("close", lazy_gettext("撤销"), lazy_gettext("撤销所选机构？撤销后保留历史数据。"))
    def action_close(self, ids):
        done = 0
        rows = self.get_query().where(Organization.id.in_(as_pks(ids)))
        for org in rows:
            try:
                services.close_org(org, actor=self._actor(), scope=current_scope())
                done += 1
            except DomainError as exc:
                flash(tr(exc.message), "error")
        if done:
            flash(gettext("已撤销%(n)d个机构", n=done), "success")


class KindView(ScopedView):
    """The editable list of organisation kinds (city administrators only)."""

    roles = ("admin",)
    write_roles = ("admin",)
    column_list = ["name", "sort_order", "active"]
    form_columns = ["name", "sort_order", "active"]
    column_formatters = {"name": lambda v, c, m, n: label(m.name)}

    def scope_query(self, query, scope):
        return query

    def create_record(self, data):
        return services.save_kind(None, data, actor=current_user.username)

    def update_record(self, model, data):
        return services.save_kind(model, data, actor=current_user.username)

    def delete_record(self, model):
        services.delete_kind(model, actor=current_user.username)
