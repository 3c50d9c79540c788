"""Portal accounts: a manager manages accounts of their own subtree, never above their rank.

Writes go through org.accounts with the current user as actor, so the same rights checks
guard the web form, the command line and any future import. Password hashes never leave
the database: the form has a write-only password field.
"""
from __future__ import annotations

import peewee as pw
from flask import flash
from flask_admin.actions import action
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import PasswordField, SelectField
from wtforms.validators import Optional

from network.errors import DomainError
from network.models import Organization
from network.tree import subtree_ids
from org import accounts
from org.models import ADMIN, MANAGER, RANK, ROLES, Mediator, User

from ..forms import tr
from ..views.base import ScopedView, as_pks, current_scope
from ..views.filters import EqualFilter, SubtreeFilter
from ..views.formatting import choice, choices, related, yes_no


class UserView(ScopedView):
    roles = (ADMIN, MANAGER)
    write_roles = (ADMIN, MANAGER)
    audit_table = "user"
    # Accounts carry an audit trail: they are switched off (启用), not deleted.
    allow_delete = False

    column_list = ["username", "display_name", "role", "organization", "active",
                   "locked_until", "last_login"]
    column_details_list = ["username", "display_name", "role", "organization", "mediator",
                           "active", "locked_until", "last_login", "created_at"]
    column_export_list = column_details_list
    column_searchable_list = ["username", "display_name"]
    column_sortable_list = ["username", "display_name", "role", "active", "last_login"]
    column_default_sort = ("username", False)
    column_labels = {"password": lazy_gettext("密码")}
    column_formatters = {
        "role": choice(ROLES),
        "organization": related("organization"),
        "mediator": related("mediator"),
        "active": yes_no("active"),
    }

    form_columns = ["username", "display_name", "role", "organization", "mediator", "active"]
    form_overrides = {"role": SelectField}
    form_args = {
        "role": {"choices": choices(ROLES)},
        "organization": {"description": lazy_gettext("管理员、培训管理员必填；调解员账号取其所属机构")},
        "mediator": {"description": lazy_gettext("调解员账号必填")},
    }
    form_extra_fields = {
        "password": PasswordField(lazy_gettext("密码"), validators=[Optional()],
                                  description=lazy_gettext("至少8位；修改时留空则不变")),
    }
    form_ajax_refs = {
        "organization": {"fields": ["code", "name"],
                         "placeholder": lazy_gettext("输入机构编码或名称")},
        "mediator": {"fields": ["staff_no", "name"],
                     "placeholder": lazy_gettext("输入工号或姓名")},
    }
    scoped_refs = {"organization": Organization, "mediator": Mediator}

    column_filters = [
        EqualFilter(User.role, lazy_gettext("角色"), options=choices(ROLES)),
        EqualFilter(User.active, lazy_gettext("启用"),
                    options=[("1", lazy_gettext("是")), ("0", lazy_gettext("否"))]),
        SubtreeFilter(User.organization, lazy_gettext("所属机构"), current_scope),
    ]

    # --- scope ------------------------------------------------------------------------------
    def scope_query(self, query, scope):
        orgs = subtree_ids(scope)
        people = Mediator.select(Mediator.id).where(Mediator.station.in_(orgs))
        return query.where(User.organization.in_(orgs) | User.mediator.in_(people))

    def get_query(self):
        # The organisation column is on every row: join it rather than one query per row.
        return self.restrict(User.select(User, Organization)
                             .join(Organization, pw.JOIN.LEFT_OUTER))

    # --- forms ------------------------------------------------------------------------------
    def role_choices(self) -> list[tuple[str, str]]:
        """Roles the current user may grant: a manager never more than manager."""
        limit = RANK[ADMIN] if current_user.role == ADMIN else RANK[MANAGER]
        return [(code, text) for code, text in choices(ROLES) if RANK[code] <= limit]

    def _limit_roles(self, form):
        form.role.choices = self.role_choices()
        return form

    def create_form(self, obj=None):
        return self._limit_roles(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._limit_roles(super().edit_form(obj))

    def create_record(self, data):
        return accounts.create_user(data, actor=current_user._get_current_object())

    def update_record(self, model, data):
        return accounts.update_user(model, data, actor=current_user._get_current_object())

    # --- bulk -------------------------------------------------------------------------------
    @action("unlock", lazy_gettext("解除锁定"), lazy_gettext("解除所选账号的锁定？"))
    def action_unlock(self, ids):
        done = 0
        rows = self.get_query().where(User.id.in_(as_pks(ids)))
        for user in rows:
            try:
                accounts.unlock_user(user, actor=current_user._get_current_object())
                done += 1
            except DomainError as exc:
                flash(tr(exc.message), "error")
        if done:
            flash(gettext("已解除%(n)d个账号的锁定", n=done), "success")
