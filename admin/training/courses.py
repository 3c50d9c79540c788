"""培训课程: the city's courses, read by everyone who watches training and kept by the
coordinators and the administrator; writes go through training.courses (checked, audited; a
course with sessions is not deleted)."""
from __future__ import annotations

from flask_babel import lazy_gettext
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import Optional

from org.models import ADMIN, MANAGER, TRAINER
from training import courses
from training.models import Course, TrainingKind

from ..views.base import ScopedView, current_scope
from .kinds import kind_choices, kind_name


class CourseView(ScopedView):
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, TRAINER)
    audit_table = "course"
    column_list = ["name", "kind", "valid_months", "description", "created_at"]
    column_details_list = column_list
    column_searchable_list = ["name", "description"]
    column_sortable_list = ["name", "valid_months", "created_at"]
    column_default_sort = "name"
    column_labels = {"created_at": lazy_gettext("创建时间")}
    column_formatters = {"kind": kind_name}
    form_columns = ["name", "kind", "valid_months", "description"]
    form_overrides = {"valid_months": IntegerField}
    form_args = {"valid_months": {"validators": [Optional()],
                                  "description": lazy_gettext("留空：证书长期有效")}}

    def scope_query(self, query, scope):
        return query  # courses are the city's reference data, the same for every scope

    def get_query(self):
        return Course.select(Course, TrainingKind).join(TrainingKind)

    def create_form(self, obj=None):
        return kind_choices(super().create_form(obj))

    def edit_form(self, obj=None):
        return kind_choices(super().edit_form(obj), obj.kind_id if obj is not None else None)

    def create_record(self, data):
        return courses.create_course(data, actor=current_user.username)

    def update_record(self, model, data):
        return courses.update_course(model, data, actor=current_user.username,
                                     scope=current_scope())

    def delete_record(self, model):
        courses.delete_course(model, actor=current_user.username, scope=current_scope())
