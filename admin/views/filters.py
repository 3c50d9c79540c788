"""List filters that work with peewee foreign keys and are computed per request.

Flask-Admin's own peewee filters refuse foreign keys and freeze their options when the view
is built (stale on an empty database, the same for every user): these take callables.
"""
from __future__ import annotations

from flask import has_request_context
from flask_admin.babel import lazy_gettext
from flask_admin.contrib.peewee.filters import BasePeeweeFilter
from flask_admin.model import filters as model_filters

from network.models import Organization
from network.services import CODE_RE
from network.tree import in_subtree


class EqualFilter(BasePeeweeFilter):
    """`options` may be a callable: it runs per request (see ScopedView._get_filter_groups)."""

    def get_options(self, view):
        if callable(self.options) and not has_request_context():
            return None
        return super().get_options(view)

    def validate(self, value) -> bool:
        """Only an offered value: anything else typed into the URL would reach the database
        as a wrongly typed or out-of-range literal (a 500 on PostgreSQL)."""
        options = self.options() if callable(self.options) else self.options
        if options is None:
            return True
        return str(value) in {str(key) for key, _label in options}

    def apply(self, query, value):
        return query.where(self.column == value)

    def operation(self):
        return lazy_gettext("equals")


class SubtreeFilter(BasePeeweeFilter):
    """Rows whose organisation lies under the organisation with the given code.

    `column` is the row's foreign key to Organization; the condition is a sub-select so it
    composes with the view's own scope condition without a second join.
    """

    def __init__(self, column, name, scope_fn):
        super().__init__(column, name)
        self.scope_fn = scope_fn

    def validate(self, value) -> bool:
        return bool(CODE_RE.match((value or "").strip()))

    def apply(self, query, value):
        root = Organization.get_or_none(Organization.code == (value or "").strip())
        scope = self.scope_fn()
        if root is None or (scope is not None and not scope.contains(root)):
            return query.where(self.column.is_null() & ~self.column.is_null())
        ids = Organization.select(Organization.id).where(in_subtree(Organization.path, root))
        return query.where(self.column.in_(ids))

    def operation(self):
        return lazy_gettext("机构编码（含下级）")


class DateFromFilter(BasePeeweeFilter, model_filters.BaseDateFilter):
    """On or after the day (Flask-Admin's own "greater than" leaves the day out)."""

    def apply(self, query, value):
        return query.where(self.column >= value)

    def operation(self):
        return lazy_gettext("起")


class DateToFilter(BasePeeweeFilter, model_filters.BaseDateFilter):
    def apply(self, query, value):
        return query.where(self.column <= value)

    def operation(self):
        return lazy_gettext("止")
