"""The audit trail, read-only: who changed what, when, old → new.

A manager sees the records filed under their subtree (`org_path`); records without an
organisation (system settings, administrator accounts) are for system administrators only.
"""
from __future__ import annotations

import json

from flask_admin.contrib.peewee.filters import (
    DateTimeBetweenFilter,
    DateTimeGreaterFilter,
    DateTimeSmallerFilter,
    FilterEqual,
    FilterLike,
)
from flask_babel import lazy_gettext
from markupsafe import Markup

from network.audit import ACTIONS, TABLES
from network.models import AuditLog
from network.tree import in_subtree
from org.identity import mask_identifiers

from ..i18n import label
from ..views.base import ScopedView
from ..views.filters import EqualFilter
from ..views.formatting import choice, choices


def _table_options():
    """The object types present in the trail, computed per request."""
    names = [row[0] for row in AuditLog.select(AuditLog.table).distinct()
             .order_by(AuditLog.table).tuples()]
    return [(name, label(TABLES.get(name, name))) for name in names]


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _changes(model) -> dict:
    """Masked again when shown: rows written before the birth date was masked carry it."""
    return mask_identifiers(model.changes_dict)


def _changes_export(view, context, model, name) -> str:
    changes = _changes(model)
    return json.dumps(changes, ensure_ascii=False) if changes else ""


def _changes_table(view, context, model, name):
    """The changes as rows field | old | new (a snapshot or a note has only the new side)."""
    rows = Markup("")
    for field, value in _changes(model).items():
        old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
        rows += Markup("<tr><td>{}</td><td>{}</td><td>→</td><td>{}</td></tr>").format(
            field, _shown(old), _shown(new))
    if not rows:
        return ""
    head = Markup("<tr><th>{}</th><th>{}</th><th></th><th>{}</th></tr>").format(
        lazy_gettext("字段"), lazy_gettext("原值"), lazy_gettext("新值"))
    return Markup('<table class="table table-sm table-bordered audit-changes mb-0">'
                  "<thead>{}</thead><tbody>{}</tbody></table>").format(head, rows)


class AuditView(ScopedView):
    allow_create = False
    allow_edit = False
    allow_delete = False

    column_list = ["created_at", "actor", "action", "table", "object_repr"]
    column_details_list = ["created_at", "actor", "action", "table", "object_id", "object_repr",
                           "changes"]
    column_export_list = column_details_list
    column_searchable_list = ["actor", "object_repr", "object_id"]
    column_sortable_list = ["created_at", "actor", "action", "table"]
    column_default_sort = [("created_at", True), ("id", True)]
    column_formatters = {"action": choice(ACTIONS), "table": choice(TABLES)}
    column_formatters_detail = {**column_formatters, "changes": _changes_table}
    column_formatters_export = {**column_formatters, "changes": _changes_export}

    column_filters = [
        FilterLike(AuditLog.actor, lazy_gettext("操作人")),
        FilterEqual(AuditLog.actor, lazy_gettext("操作人")),
        EqualFilter(AuditLog.action, lazy_gettext("操作"), options=choices(ACTIONS)),
        EqualFilter(AuditLog.table, lazy_gettext("对象类型"), options=_table_options),
        DateTimeBetweenFilter(AuditLog.created_at, lazy_gettext("时间")),
        DateTimeGreaterFilter(AuditLog.created_at, lazy_gettext("时间")),
        DateTimeSmallerFilter(AuditLog.created_at, lazy_gettext("时间")),
    ]

    def scope_query(self, query, scope):
        # Empty org_path never matches a prefix: those rows stay with administrators.
        return query.where(in_subtree(AuditLog.org_path, scope) & (AuditLog.org_path != ""))

    def get_query(self):
        return self.restrict(AuditLog.select())


