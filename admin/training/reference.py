"""The training reference data the city keeps: 工作日历 (holidays and 调休 days, which sessions'
holiday warnings and the promotion notice period count with) and 培训要求 (annual and
pre-service hours, optionally per grade). Everyone who watches training reads them; the
system administrator keeps the calendar, and the city (the administrator or a manager of a
city) the requirements. Each change goes through
the domain functions, which audit it."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import HiddenField, SelectField, StringField

from network.dates import local_today
from network.errors import ValidationError
from org.models import ADMIN, GRADES
from training import workcalendar
from training.models import REQUIREMENT_KINDS, TrainingRequirement, WorkDay
from training.requirements import remove_requirement, set_requirement

from ..forms import CSRFForm, apply_errors, tr
from ..i18n import label
from ..views.base import Page, acts_for_the_city

FIRST_YEAR, LAST_YEAR = 2000, 2100


class DayForm(CSRFForm):
    day = StringField(lazy_gettext("日期"), description=lazy_gettext("如 2027-01-01"))
    is_workday = SelectField(lazy_gettext("类型"), choices=[
        ("0", lazy_gettext("休息日（节假日）")), ("1", lazy_gettext("工作日（调休上班）"))])
    name = StringField(lazy_gettext("名称"), description=lazy_gettext("如 元旦、春节调休"))


class ClearDayForm(CSRFForm):
    day = HiddenField()


class RequirementForm(CSRFForm):
    kind = SelectField(lazy_gettext("要求类型"),
                       choices=[(k, v) for k, v in REQUIREMENT_KINDS.items()])
    grade = SelectField(lazy_gettext("专业等级"), choices=[("", lazy_gettext("默认（所有等级）"))]
                        + list(GRADES.items()))
    hours = StringField(lazy_gettext("学时"), description=lazy_gettext("0.5 的整数倍"))


class RemoveRequirementForm(CSRFForm):
    kind = HiddenField()
    grade = HiddenField()


def field_errors(form, exc: ValidationError) -> None:
    """A domain refusal on the form's fields; what no field shows is flashed."""
    for text in apply_errors(form, exc.errors):
        flash(text, "error")


class ReferencePage(Page):
    """Read by the watching roles, written by the administrator."""

    def can_edit(self) -> bool:
        return current_user.role == ADMIN

    def check_post(self, form) -> bool:
        if not self.can_edit():
            abort(403)
        if not form.validate():
            flash(gettext("页面已过期，请重新提交"), "error")
            return False
        return True


class WorkCalendarView(ReferencePage):
    def _year(self) -> int:
        year = request.args.get("year", type=int) or local_today().year
        return min(max(year, FIRST_YEAR), LAST_YEAR)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        year = self._year()
        form = DayForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and self.check_post(form):
            try:
                day = dt.date.fromisoformat((form.day.data or "").strip())
            except ValueError:
                form.day.errors = [gettext("日期应为 YYYY-MM-DD 格式，如 2027-01-01")]
            else:
                try:
                    workcalendar.set_day(day, form.is_workday.data == "1", form.name.data,
                                         actor=current_user.username)
                except ValidationError as exc:
                    field_errors(form, exc)
                else:
                    flash(gettext("已保存 %(day)s", day=day.isoformat()), "success")
                    return redirect(url_for(".index", year=day.year))
        days = list(WorkDay.select().where(
            WorkDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
            .order_by(WorkDay.day))
        return self.render("training/workdays.html", year=year, days=days, form=form,
                           clear_form=ClearDayForm(), can_edit=self.can_edit(),
                           known_years=workcalendar.known_years(),
                           workdays=workcalendar.working_days_between(
                               dt.date(year, 1, 1), dt.date(year, 12, 31)))

    @expose("/clear", methods=("POST",))
    def clear(self):
        form = ClearDayForm(request.form)
        if self.check_post(form):
            try:
                day = dt.date.fromisoformat((form.day.data or "").strip())
            except ValueError:
                abort(400)
            if workcalendar.clear_day(day, actor=current_user.username):
                flash(gettext("%(day)s 已恢复按周一至周五计算", day=day.isoformat()), "success")
            return redirect(url_for(".index", year=day.year))
        return redirect(url_for(".index"))


class RequirementView(ReferencePage):
    """Requirements are the city's: a manager of a city (or above) edits them too."""

    def can_edit(self) -> bool:
        return acts_for_the_city()

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = RequirementForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and self.check_post(form):
            try:
                set_requirement(form.kind.data, form.hours.data, grade=form.grade.data or None,
                                actor=current_user.username)
            except ValidationError as exc:
                field_errors(form, exc)
            else:
                flash(gettext("培训要求已保存"), "success")
                return redirect(url_for(".index"))
        order = {code: i for i, code in enumerate(GRADES)}
        rows = sorted(TrainingRequirement.select(),
                      key=lambda r: (list(REQUIREMENT_KINDS).index(r.kind),
                                     -1 if r.grade is None else order.get(r.grade, 99)))
        return self.render("training/requirements.html", rows=rows, form=form,
                           remove_form=RemoveRequirementForm(), can_edit=self.can_edit(),
                           kinds={k: label(v) for k, v in REQUIREMENT_KINDS.items()},
                           grades={k: label(v) for k, v in GRADES.items()})

    @expose("/remove", methods=("POST",))
    def remove(self):
        form = RemoveRequirementForm(request.form)
        if self.check_post(form):
            try:
                if remove_requirement(form.kind.data, form.grade.data,
                                      actor=current_user.username):
                    flash(gettext("已删除，该等级按默认要求计算"), "success")
            except ValidationError as exc:
                flash("；".join(tr(m) for m in exc.errors.values()), "error")
        return redirect(url_for(".index"))
