"""培训覆盖: one organisation's training figures for a year, drilled down level by level like the
dashboard (?org=CODE, ?year=YYYY): coverage per direct sub-unit, the mediators behind the
figures, those at risk of missing the requirement, those who took cases before completing
pre-service training; charts (pyecharts) each with its table twin and XLSX export.

The figures are training.coverage's and promotion.pre_service's; this module only arranges
them, plus the monthly counts of the year (same definitions as coverage: sessions hosted in the
subtree, not cancelled; participant-times are records with credited hours > 0).
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import NamedTuple

import peewee as pw
from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext
from pyecharts import options as opts
from pyecharts.charts import Bar

from network.dates import local_today
from network.models import Organization
from network.sheets import Rate
from network.tree import ancestors, in_subtree
from org.models import ADMIN, MANAGER, TRAINER
from promotion.pre_service import cases_before_pre_service
from training.coverage import at_risk, coverage, coverage_by_child, population, standings
from training.hours import hours_by_kind, year_bounds
from training.models import CANCELLED, Attendance, Session, TrainingKind

from ..evaluation.charts import _finish, _init, bar_option, pie_option
from ..views.base import Page, chosen_org, current_scope, xlsx_download


class Table(NamedTuple):
    name: str
    title: str
    headers: list[str]
    rows: list[list]
    links: list[str] | None = None


def chosen_year() -> int:
    text = (request.args.get("year") or "").strip()
    if not text:
        return local_today().year
    if not (len(text) == 4 and text.isdigit() and 1901 <= int(text) <= 2999):
        abort(400, gettext("年份应为 1901 至 2999 之间的四位数字"))
    return int(text)


def monthly(org: Organization, year: int) -> list[tuple[str, int, int]]:
    """(YYYY-MM, sessions, participant-times) for each month of the year."""
    start, end = year_bounds(year)
    hosted = list(Session.select(Session.id, Session.start_day)
                  .join(Organization, on=(Session.host == Organization.id))
                  .where(in_subtree(Organization.path, org), Session.status != CANCELLED,
                         Session.start_day.between(start, end)).tuples())
    month_of = {sid: str(day)[:7] for sid, day in hosted}
    times = dict(Attendance.select(Attendance.session, pw.fn.COUNT(Attendance.id))
                 .where(Attendance.session.in_(list(month_of) or [0]), Attendance.credited > 0)
                 .group_by(Attendance.session).tuples())
    sessions, people = Counter(month_of.values()), Counter()
    for sid, count in times.items():
        people[month_of[sid]] += count
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    return [(m, sessions[m], people[m]) for m in months]


def kind_hours(org: Organization, year: int) -> list[tuple[str, Decimal]]:
    start, end = year_bounds(year)
    totals: Counter = Counter()
    for kinds in hours_by_kind(population(org), start, end).values():
        for code, value in kinds.items():
            totals[code] += Decimal(value)
    names = dict(TrainingKind.select(TrainingKind.code, TrainingKind.name).tuples())
    return [(gettext(names.get(code, code)), total) for code, total in
            sorted(totals.items(), key=lambda item: -item[1]) if total > 0]


def pct(rate: Decimal) -> str:
    return f"{rate * 100:.2f}%"


def hours(value) -> float:
    """Hours to one decimal, a number in the sheet (the page prints 21.0)."""
    return round(float(value), 1)


def build_tables(org: Organization, year: int) -> dict[str, Table]:
    today = local_today()
    children = coverage_by_child(org, year, today)
    months = monthly(org, year)
    people = standings(org, year, today)
    risky = at_risk(org, year, today)
    gaps = cases_before_pre_service(org)
    unit_headers = [gettext("机构"), gettext("在岗人数"), gettext("达标人数"), gettext("覆盖率"),
                    gettext("场次"), gettext("人次"), gettext("学时")]
    person_headers = [gettext("工号"), gettext("姓名"), gettext("机构编码"), gettext("认定学时"),
                      gettext("要求学时"), gettext("尚缺学时")]

    def record(s):  # each mediator's 培训档案, one click from the figures behind the rate
        return url_for("training_record.index", mediator=s.mediator_id)

    def person(s):
        return [s.staff_no, s.name, s.station_code, hours(s.hours), hours(s.required),
                hours(s.missing)]

    return {
        "units": Table("units", gettext("各下级机构覆盖率"), unit_headers,
                       [[c.org.name, c.population, c.met, Rate(c.coverage_rate), c.sessions,
                         c.participant_times, hours(c.hours)] for c in children],
                       [url_for(".index", org=c.org.code, year=year) for c in children]),
        "months": Table("months", gettext("每月场次与人次"),
                        [gettext("月份"), gettext("场次"), gettext("人次")],
                        [list(row) for row in months]),
        "kinds": Table("kinds", gettext("各类型学时"), [gettext("培训类型"), gettext("学时")],
                       [[name, hours(value)] for name, value in kind_hours(org, year)]),
        "people": Table("people", gettext("调解员学时明细"), person_headers,
                        [person(s) for s in people], [record(s) for s in people]),
        "risk": Table("risk", gettext("可能不达标的调解员"), person_headers,
                      [person(s) for s in risky], [record(s) for s in risky]),
        "preservice": Table("preservice", gettext("未完成岗前培训即办案"), [
            gettext("工号"), gettext("姓名"), gettext("机构编码"), gettext("首次办案日期"),
            gettext("岗前培训完成日期"), gettext("岗前学时")],
            [[g.staff_no, g.name, g.station_code, g.first_case, g.completed_on,
              hours(g.hours_ever)]
             for g in gaps], [record(g) for g in gaps]),
    }


def chart_options(org: Organization, year: int, tables: dict[str, Table]) -> dict:
    stem = f"{org.name}_{year}"
    months = tables["months"].rows
    monthly_chart = (Bar(init_opts=opts.InitOpts(**_init()))
                     .add_xaxis([r[0][5:] for r in months])
                     .add_yaxis(gettext("场次"), [r[1] for r in months],
                                label_opts=opts.LabelOpts(is_show=False))
                     .add_yaxis(gettext("人次"), [r[2] for r in months],
                                label_opts=opts.LabelOpts(is_show=False)))
    units = tables["units"].rows
    return {
        "months": _finish(monthly_chart, f"{tables['months'].title}_{stem}",
                          tooltip_opts=opts.TooltipOpts(trigger="axis")),
        "units": bar_option(f"{tables['units'].title}_{stem}", gettext("覆盖率（%）"),
                            [(r[0], round(float(r[3]) * 100, 2)) for r in units], unit="%"),
        "kinds": pie_option(f"{tables['kinds'].title}_{stem}", gettext("学时"),
                            [(r[0], float(r[1])) for r in tables["kinds"].rows]),
    }


class CoverageView(Page):
    roles = (ADMIN, MANAGER, TRAINER)

    def chain(self, org: Organization) -> list[Organization]:
        """The way down from the caller's scope to `org`, for the breadcrumb."""
        scope = current_scope()
        return [o for o in ancestors(org) if scope is None or scope.contains(o)]

    @expose("/")
    def index(self):
        org = chosen_org()
        year = chosen_year()
        if org is None:
            return self.render("training/coverage.html", org=None, year=year)
        tables = build_tables(org, year)
        return self.render("training/coverage.html", org=org, year=year,
                           figures=coverage(org, year), tables=tables, chain=self.chain(org),
                           options=chart_options(org, year, tables), pct=pct)

    @expose("/export.xlsx")
    def export(self):
        org = chosen_org()
        if org is None:
            abort(404)
        tables = build_tables(org, chosen_year())
        table = tables.get(request.args.get("table", ""))
        if table is None:
            abort(404)
        return xlsx_download(f"{table.title}_{org.name}", table.headers, table.rows)
