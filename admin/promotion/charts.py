"""Promotion's figures as pages: a round's summary (applied, passed each step, objections,
approved by grade and by organisation), the grade distribution per organisation with a
drill-down like the dashboard's, and promotions per round. Every chart has its table twin
and an XLSX export of that table; the charts are pyecharts options drawn by the vendored
ECharts.

Scope: the distribution and the promotions per round count only the caller's subtree; a
round's summary covers the whole round, so only its owner (or an administrator) opens it.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

import peewee as pw
from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext
from pyecharts import options as opts
from pyecharts.charts import Bar

from network.dates import local_today
from network.models import Organization
from network.tree import ancestors, in_subtree, subtree_ids
from org.grades import standings
from org.models import ADMIN, GRADES, MANAGER, TRAINER, Mediator
from promotion.models import (
    APPROVED,
    CITY_DECISION,
    COUNTY_REVIEW,
    EFFECTIVE,
    OBJECTION_STATUSES,
    STATION_REVIEW,
    Application,
    PromotionRound,
)
from promotion.summary import summary

from ..i18n import label
from ..views.base import Page, as_pk, chosen_org, current_scope, xlsx_download

GRADE_ORDER = ["1", "2", "3", "4", "none"]  # 一级 first, as bureaus list them


class Table(NamedTuple):
    name: str
    title: str
    headers: list[str]
    rows: list[list]
    links: list[str] | None = None


def bars(name: str, categories: list[str], series: dict[str, list[int]],
         stack: bool = False) -> dict:
    """Horizontal bars (first category on top), one series per key, stacked if asked."""
    chart = Bar(init_opts=opts.InitOpts(bg_color="#ffffff")).add_xaxis(categories[::-1])
    for serie, values in series.items():
        chart.add_yaxis(serie, values[::-1], stack="all" if stack else None,
                        label_opts=opts.LabelOpts(is_show=False))
    chart.reversal_axis()
    chart.set_global_opts(
        toolbox_opts=opts.ToolboxOpts(pos_right="10", pos_left=None, feature={
            "saveAsImage": {"title": gettext("保存为图片"), "name": name, "pixelRatio": 2}}),
        legend_opts=opts.LegendOpts(pos_top="0", pos_left="center"),
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
        xaxis_opts=opts.AxisOpts(name=gettext("人"), min_=0, min_interval=1),
        yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(interval=0)))
    option = json.loads(chart.dump_options())
    option["grid"] = {"left": 8, "right": 36, "top": 36, "bottom": 8, "containLabel": True}
    return option


def grade_names() -> list[str]:
    return [label(GRADES[g]) for g in GRADE_ORDER]


# --- grade distribution ------------------------------------------------------------------------

def distribution(org: Organization, day: dt.date) -> Table:
    """Mediators by current grade for each direct child of `org` (and those at `org` itself)."""
    people = (Mediator.select(Mediator.id, Organization.path)
              .join(Organization, on=(Mediator.station == Organization.id))
              .where(in_subtree(Organization.path, org)))
    rows_by_id = list(people.tuples())
    grades = standings(people.clone().select(Mediator.id).order_by(), day)
    children = list(Organization.select().where(Organization.parent == org.id)
                    .order_by(Organization.code))
    units = [(child, child.path) for child in children]
    counts = {child.id: dict.fromkeys(GRADE_ORDER, 0) for child in children}
    own = dict.fromkeys(GRADE_ORDER, 0)
    for mediator_id, path in rows_by_id:
        grade = grades[mediator_id].grade if mediator_id in grades else "none"
        unit = next((c for c, p in units if path.startswith(p)), None)  # Organization.contains
        (counts[unit.id] if unit is not None else own)[grade] += 1
    rows, links = [], []
    for child in children:
        figures = [counts[child.id][g] for g in GRADE_ORDER]
        rows.append([child.name, *figures, sum(figures)])
        links.append(url_for(".index", org=child.code))
    if any(own.values()):
        figures = [own[g] for g in GRADE_ORDER]
        rows.append([gettext("%(name)s（本级）", name=org.name), *figures, sum(figures)])
        links.append("")
    return Table("distribution", gettext("各机构专业等级分布"),
                 [gettext("机构"), *grade_names(), gettext("合计")], rows, links)


def promotions_per_round(scope: Organization | None) -> Table:
    """Approved or effective promotions per round and grade, inside the caller's subtree."""
    query = (Application.select(PromotionRound.id, PromotionRound.name, Application.to_grade,
                                pw.fn.COUNT(Application.id))
             .join(PromotionRound)
             .where(Application.state.in_([APPROVED, EFFECTIVE]))
             .group_by(PromotionRound.id, PromotionRound.name, Application.to_grade)
             .order_by(PromotionRound.id))
    if scope is not None:
        query = query.where(Application.station.in_(subtree_ids(scope)))
    per_round: dict[int, list] = {}
    for round_id, name, grade, n in query.tuples():
        per_round.setdefault(round_id, [name, dict.fromkeys(GRADE_ORDER[:4], 0)])[1][grade] = n
    rows = [[name, *[by[g] for g in GRADE_ORDER[:4]], sum(by.values())]
            for name, by in per_round.values()]
    return Table("rounds", gettext("历次晋升人数"),
                 [gettext("轮次"), *grade_names()[:4], gettext("合计")], rows)


# --- one round's summary -----------------------------------------------------------------------

def round_tables(round_: PromotionRound) -> list[Table]:
    figures = summary(round_)
    steps = Table("steps", gettext("申报与各环节通过人数"), [gettext("环节"), gettext("人数")], [
        [gettext("申报（已提交）"), figures["applied"]],
        [gettext("工作站预审通过"), figures["passed"][STATION_REVIEW]],
        [gettext("区县审核通过"), figures["passed"][COUNTY_REVIEW]],
        [gettext("市级决定批准"), figures["passed"][CITY_DECISION]],
        [gettext("批准（含已生效）"), figures["approved"]],
    ])
    objections = Table("objections", gettext("异议"), [gettext("处理结果"), gettext("件数")],
                       [[label(text), figures["objections"][key]]
                        for key, text in OBJECTION_STATUSES.items()])
    by_grade = Table("grades", gettext("按晋升等级的批准人数"),
                     [gettext("晋升等级"), gettext("人数")],
                     [[label(GRADES[g]), figures["approved_by_grade"].get(g, 0)]
                      for g in GRADE_ORDER[:4]])
    names = dict(Organization.select(Organization.id, Organization.name).where(
        Organization.id.in_(list(figures["approved_by_county"]) or [0])).tuples())
    by_org = Table("orgs", gettext("按机构的批准人数"), [gettext("机构"), gettext("人数")],
                   sorted(([names[k], n] for k, n in figures["approved_by_county"].items()),
                          key=lambda row: (-row[1], row[0])))
    return [steps, objections, by_grade, by_org]


def table_chart(table: Table) -> dict:
    return bars(table.title, [str(r[0]) for r in table.rows],
                {table.headers[1]: [r[1] for r in table.rows]})


class PromotionChartsView(Page):
    roles = (ADMIN, MANAGER, TRAINER)

    def _export(self, table: Table, suffix: str):
        return xlsx_download(f"{table.title}_{suffix}", table.headers, table.rows)

    @expose("/")
    def index(self):
        org = chosen_org()
        if org is None:
            abort(404)
        day = local_today()
        tables = [distribution(org, day), promotions_per_round(current_scope())]
        wanted = request.args.get("export")
        if wanted:
            table = next((t for t in tables if t.name == wanted), None) or abort(404)
            return self._export(table, org.name)
        dist, per_round = tables
        options = {
            "distribution": bars(dist.title, [r[0] for r in dist.rows],
                                 {h: [r[i + 1] for r in dist.rows]
                                  for i, h in enumerate(dist.headers[1:-1])}, stack=True),
            "rounds": bars(per_round.title, [r[0] for r in per_round.rows],
                           {h: [r[i + 1] for r in per_round.rows]
                            for i, h in enumerate(per_round.headers[1:-1])}, stack=True),
        }
        scope = current_scope()
        chain = [o for o in ancestors(org) if scope is None or scope.contains(o)]
        return self.render("promotion/charts.html", org=org, tables=tables, options=options,
                           links={"distribution": dist.links}, chain=chain, round=None,
                           export_endpoint=".index", export_args={"org": org.code}, title=gettext("等级分布与历次晋升"))

    @expose("/round/<round_id>/")
    def round(self, round_id):
        pk = as_pk(round_id)
        round_ = PromotionRound.get_or_none(PromotionRound.id == pk) if pk else None
        if round_ is None:
            abort(404)
        scope = current_scope()
        if scope is not None and not scope.contains(round_.organization):
            abort(403)  # the summary spans the round: its owner (or above) only
        tables = round_tables(round_)
        wanted = request.args.get("export")
        if wanted:
            table = next((t for t in tables if t.name == wanted), None) or abort(404)
            return self._export(table, round_.name)
        options = {t.name: table_chart(t) for t in tables}
        return self.render("promotion/charts.html", org=None, tables=tables, options=options,
                           links={}, chain=[], export_endpoint=".round",
                           export_args={"round_id": round_.id}, round=round_,
                           title=gettext("%(name)s 汇总", name=round_.name))
