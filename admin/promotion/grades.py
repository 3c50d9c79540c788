"""Grades in the portal: the ladder page, one mediator's grade history with the change and
revert forms, and the 等级 column and filter the mediator list borrows.

Every write goes through org.grades (which checks the order of the history, the scope and
audits); these views only turn forms into calls and the domain's refusals into messages.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form.widgets import DatePickerWidget
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from network.dates import local_today
from network.errors import DomainError, OutOfScope, ValidationError
from org import grades
from org.models import (
    ADMIN,
    CHANGE_REASONS,
    DECIDERS,
    GRADES,
    MANAGER,
    TRAINER,
    UNGRADED,
    GradeChange,
    GradeStep,
    Mediator,
)

from ..forms import CSRFForm, apply_errors, tr
from ..i18n import label
from ..views.base import Page, as_pk, current_scope
from ..views.filters import EqualFilter
from ..views.formatting import choices
from .common import visible_mediator

REAL_GRADES = {code: text for code, text in GRADES.items() if code != UNGRADED}


# --- the mediator list's 等级 column and filter -------------------------------------------------

def current_grade_sql(day: dt.date | None = None) -> pw.Node:
    """The grade in force on `day` for each row of a Mediator query, as a correlated
    sub-select (NULL for 未定级): org.grades.standings' rule — the last live entry by
    (effective, id) on or before the day — written so a list page sorts and filters on it."""
    day = day or local_today()
    inner = GradeChange.alias("current_grade_change")
    return (inner.select(inner.grade)
            .where((inner.mediator == Mediator.id) & inner.reverted_at.is_null()
                   & (inner.effective <= day))
            .order_by(inner.effective.desc(), inner.id.desc()).limit(1))


class GradeFilter(EqualFilter):
    """等级 = one of 未定级, 四级 … 一级, on the grade in force today."""

    def __init__(self, name):
        super().__init__(Mediator.id, name, options=choices(GRADES))

    def apply(self, query, value):
        grade = current_grade_sql()
        if value == UNGRADED:
            return query.where(pw.fn.COALESCE(grade, UNGRADED) == UNGRADED)
        return query.where(grade == value)


def grade_cell(view, context, model, name):
    return label(GRADES.get(getattr(model, "current_grade", None) or UNGRADED))


# --- forms --------------------------------------------------------------------------------------

class StepForm(CSRFForm):
    months_at_grade = StringField(lazy_gettext("任现等级月数"))
    closed_cases = StringField(lazy_gettext("结案数"))
    success_rate = StringField(lazy_gettext("调解成功率"),
                               description=lazy_gettext("0到1之间的小数，留空表示不考核"))
    training_hours = StringField(lazy_gettext("培训学时"))
    decided_by = SelectField(lazy_gettext("决定层级"), choices=choices(DECIDERS))
    awards_bonus = SelectField(lazy_gettext("获奖可加分"),
                               choices=[("0", lazy_gettext("否")), ("1", lazy_gettext("是"))])


class ChangeForm(CSRFForm):
    reason = SelectField(lazy_gettext("变更原因"), choices=choices(CHANGE_REASONS))
    grade = SelectField(lazy_gettext("专业等级"), choices=choices(REAL_GRADES))
    effective = DateField(lazy_gettext("生效日期"), validators=[DataRequired()],
                          widget=DatePickerWidget())
    doc_no = StringField(lazy_gettext("文号"), validators=[Optional(), Length(max=60)])
    note = TextAreaField(lazy_gettext("说明"), validators=[Optional(), Length(max=1000)])


class RevertForm(CSRFForm):
    revert_reason = TextAreaField(lazy_gettext("撤回原因"),
                                  validators=[DataRequired(), Length(max=1000)])


def _flash_domain(exc: DomainError) -> None:
    flash(tr(exc.message), "error")


# --- the ladder -----------------------------------------------------------------------------

class LadderView(Page):
    """Everyone who watches the network reads the ladder; only the system administrator (the
    city's, who owns the 管理办法) edits it."""

    roles = (ADMIN, MANAGER, TRAINER)

    @staticmethod
    def can_edit() -> bool:
        return current_user.role == ADMIN

    def _form(self, step: GradeStep, data=None) -> StepForm:
        form = StepForm(data)
        if data is None:
            form.months_at_grade.data = str(step.months_at_grade)
            form.closed_cases.data = str(step.closed_cases)
            form.success_rate.data = "" if step.success_rate is None else str(step.success_rate)
            form.training_hours.data = str(step.training_hours)
            form.decided_by.data = step.decided_by
            form.awards_bonus.data = "1" if step.awards_bonus else "0"
        return form

    def _render(self, forms: dict, status: int = 200):
        steps = sorted(grades.ladder().values(), key=lambda s: list(GRADES).index(s.from_grade))
        forms = {step.id: forms.get(step.id) or self._form(step) for step in steps}
        return self.render("promotion/ladder.html", steps=steps, forms=forms,
                           can_edit=self.can_edit(), grades=GRADES, deciders=DECIDERS), status

    @expose("/")
    def index(self):
        return self._render({})

    @expose("/<int:step_id>/", methods=("POST",))
    def update(self, step_id: int):
        if not self.can_edit():
            abort(403)
        step = GradeStep.get_or_none(GradeStep.id == as_pk(step_id))  # a huge id: none
        if step is None:
            abort(404)
        form = self._form(step, request.form)
        if not form.validate():
            flash(gettext("保存失败，请更正标出的错误"), "error")
            return self._render({step.id: form}, 400)
        data = {name: field.data for name, field in form._fields.items()
                if name != "csrf_token"}
        try:
            grades.update_step(step, data, actor=current_user.username)
        except ValidationError as exc:
            apply_errors(form, exc.errors)
            flash(gettext("保存失败，请更正标出的错误"), "error")
            return self._render({step.id: form}, 400)
        flash(gettext("已保存：%(step)s", step=f"{label(GRADES[step.from_grade])} → "
                                                 f"{label(GRADES[step.to_grade])}"), "success")
        return redirect(url_for(".index"))


# --- one mediator's grade history ------------------------------------------------------------

def grade_rows(mediator: Mediator) -> list[GradeChange]:
    """The history newest first, as the details page and 我的等级 show it."""
    return list(reversed(grades.history(mediator)))


class GradeView(Page):
    """/admin/grades/<mediator id>/: the history, the change form and the revert form."""

    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, MANAGER)

    def is_visible(self) -> bool:
        return False  # reached from a mediator's details page

    def can_write(self) -> bool:
        return current_user.role in self.write_roles

    @expose("/")
    def index(self):
        return redirect(url_for("mediators.index_view"))

    def _render(self, mediator, change_form=None, revert_form=None, status=200):
        latest = grades.latest_change(mediator)
        return self.render(
            "promotion/grade_history.html", mediator=mediator,
            standing=grades.standing(mediator), rows=grade_rows(mediator), latest=latest,
            change_form=change_form or ChangeForm(), revert_form=revert_form or RevertForm(),
            can_write=self.can_write(), grades=GRADES, reasons=CHANGE_REASONS), status

    @expose("/<int:mediator_id>/")
    def history(self, mediator_id: int):
        return self._render(visible_mediator(mediator_id))

    @expose("/<int:mediator_id>/change/", methods=("POST",))
    def change(self, mediator_id: int):
        if not self.can_write():
            abort(403)
        mediator = visible_mediator(mediator_id)
        form = ChangeForm(request.form)
        if not form.validate():
            flash(gettext("保存失败，请更正标出的错误"), "error")
            return self._render(mediator, change_form=form, status=400)
        try:
            grades.change_grade(mediator, form.grade.data, form.effective.data,
                                form.reason.data, actor=current_user.username,
                                scope=current_scope(), doc_no=form.doc_no.data or "",
                                note=form.note.data or "")
        except OutOfScope:
            abort(403)
        except ValidationError as exc:
            leftover = apply_errors(form, exc.errors)
            flash(gettext("保存失败，请更正标出的错误") + ("：" + "；".join(leftover) if leftover
                                                 else ""), "error")
            return self._render(mediator, change_form=form, status=400)
        except DomainError as exc:
            _flash_domain(exc)
            return self._render(mediator, change_form=form, status=400)
        flash(gettext("等级变更已记录"), "success")
        return redirect(url_for(".history", mediator_id=mediator.id))

    @expose("/revert/<change_id>/", methods=("POST",))
    def revert(self, change_id):
        if not self.can_write():
            abort(403)
        pk = as_pk(change_id)
        change = GradeChange.get_or_none(GradeChange.id == pk) if pk is not None else None
        if change is None:
            abort(404)
        mediator = visible_mediator(change.mediator_id)
        form = RevertForm(request.form)
        if not form.validate():
            flash(gettext("请填写撤回原因"), "error")
            return self._render(mediator, revert_form=form, status=400)
        try:
            grades.revert_change(change, form.revert_reason.data, actor=current_user.username,
                                 scope=current_scope())
        except OutOfScope:
            abort(403)
        except ValidationError as exc:
            apply_errors(form, exc.errors)
            return self._render(mediator, revert_form=form, status=400)
        except DomainError as exc:
            _flash_domain(exc)
            return self._render(mediator, revert_form=form, status=400)
        flash(gettext("已撤回该等级变更"), "success")
        return redirect(url_for(".history", mediator_id=mediator.id))
