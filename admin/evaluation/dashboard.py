"""The dashboard: one organisation's KPIs over a period, its charts and their table twins.

The organisation is the caller's own (the first root for the city administrator) or any unit
inside their scope named by `?org=CODE`; every figure comes from evaluation.kpis (the same
numbers as /api/v1/kpis) or evaluation.breakdowns. A page render issues a fixed number of
queries, however many child units there are. Each table can be downloaded as XLSX, scoped
the same way as the page.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext

from evaluation import breakdowns, signals
from evaluation.kpis import (
    KPI_KEYS,
    children_kpis,
    derive,
    figures,
    mediator_kpis,
    monthly_kpis,
)
from evaluation.models import METHODS
from evaluation.periods import PERIODS, Period, PeriodError, resolve
from evaluation.signals import AMOUNTS, RATES, days_light, percent, share, success_light
from network.dates import local_today
from network.models import Organization
from network.settings import get_settings
from network.sheets import Percent, Rate
from network.tree import ancestors
from org.models import Mediator

from ..forms import tr
from ..i18n import label
from ..network.pages import MAPS_DIR, map_shape
from ..views.base import Page, chosen_org, current_scope, xlsx_download
from . import charts

WAN, YI = Decimal(10_000), Decimal(100_000_000)

KPI_LABELS = {
    "received": lazy_gettext("受理数"), "closed": lazy_gettext("结案数"),
    "succeeded": lazy_gettext("调解成功"), "failed": lazy_gettext("调解不成功"),
    "withdrawn": lazy_gettext("撤回"), "success_rate": lazy_gettext("调解成功率"),
    "amount_involved": lazy_gettext("标的金额（元）"), "agreed_amount": lazy_gettext("协议金额（元）"),
    "avg_days": lazy_gettext("平均办理天数"), "online": lazy_gettext("线上调解"),
    "judicial_confirmed": lazy_gettext("司法确认"), "fulfilment_rate": lazy_gettext("履行率"),
}
LIGHTS = {"green": lazy_gettext("绿灯"), "yellow": lazy_gettext("黄灯"), "red": lazy_gettext("红灯"),
          "none": lazy_gettext("无结案")}
def display(key: str, value) -> str:
    if key in RATES:
        return f"{percent(value)}%"
    if key in AMOUNTS:
        return f"{value:,.2f}"
    return str(value)


def short_amount(value) -> str:
    """Yuan as a card can hold them: 万元 from ten thousand, 亿元 from a hundred million."""
    value = Decimal(value)
    if abs(value) >= YI:
        return gettext("%(n)s亿元", n=f"{value / YI:,.2f}")
    if abs(value) >= WAN:
        return gettext("%(n)s万元", n=f"{value / WAN:,.2f}")
    return gettext("%(n)s元", n=f"{value:,.2f}")


def change(key: str, now: dict, before: dict, before_raw: dict) -> dict | None:
    """evaluation.signals.change with the words the page shows."""
    moved = signals.change(key, now, before, before_raw)
    if moved is None:
        return None
    unit = " " + gettext("个百分点") if moved["unit"] == "points" else "%"
    digits = 2 if moved["unit"] == "points" else 1
    return {**moved, "text": f"{moved['delta']:+.{digits}f}{unit}"}


class Board:
    """The figures of one organisation and period, each computed (once) on first use."""

    def __init__(self, org: Organization, period: Period):
        self.org, self.period = org, period
        self.start, self.end = period.start, period.end

    @cached_property
    def raw(self):
        return figures(self.org, self.start, self.end)

    @cached_property
    def raw_before(self):
        return figures(self.org, *self.period.compared())

    @cached_property
    def kpis(self) -> dict:
        return derive(self.raw)

    @cached_property
    def kpis_before(self) -> dict:
        return derive(self.raw_before)

    @cached_property
    def thresholds(self) -> dict:
        return get_settings([k for k in ("traffic.success_green", "traffic.success_yellow",
                                         "traffic.days_green", "traffic.days_yellow")])

    @cached_property
    def monthly(self):
        return monthly_kpis(self.org, self.start, self.end)

    @cached_property
    def children(self):
        return children_kpis(self.org, self.start, self.end)

    @cached_property
    def is_leaf(self) -> bool:
        """A unit without child units (a room): its dashboard shows its mediators instead."""
        return not Organization.select().where(Organization.parent == self.org.id).exists()

    @cached_property
    def mediators(self) -> list[tuple[Mediator, dict]]:
        """(mediator, KPIs) of everyone with a case received or closed here, by 工号."""
        found = mediator_kpis(self.org, self.start, self.end)
        people = (Mediator.select().where(Mediator.id.in_(list(found))).order_by(Mediator.staff_no)
                  if found else [])
        return [(m, found[m.id]) for m in people]

    @cached_property
    def mix(self):
        return breakdowns.received_mix(self.org, self.start, self.end)

    @property
    def types(self):
        return self.mix[0]

    @property
    def sources(self):
        return self.mix[1]

    @property
    def methods(self):
        return breakdowns.methods_of(self.raw)

    def cards(self) -> list[dict]:
        out = []
        for key in KPI_KEYS:
            light = {"success_rate": success_light, "avg_days": days_light}.get(key)
            out.append({"key": key, "label": KPI_LABELS[key],
                        "value": (short_amount(self.kpis[key]) if key in AMOUNTS
                                  else display(key, self.kpis[key])),
                        "exact": display(key, self.kpis[key]),
                        "before": display(key, self.kpis_before[key]),
                        "change": change(key, self.kpis, self.kpis_before, self.raw_before),
                        "light": light(self.kpis, self.thresholds) if light else None})
        return out


# --- the tables (each also an XLSX download) ---------------------------------------------------

class Table(NamedTuple):
    name: str
    title: str
    headers: list[str]
    rows: list[list]
    links: list[str] | None = None


def period_args(period: Period) -> dict:
    args = {"period": period.kind}
    if period.kind == "custom":
        args.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return args


def kpi_cell(key: str, kpis: dict, raw) -> object:
    """A KPI as the sheet types it: counts and days numbers, yuan Decimal (two decimals), a
    rate a fraction shown as % — none at all when nothing was there to rate (no closed case:
    no success rate, not 0 %)."""
    value = kpis[key]
    if key in RATES:
        return Rate(value) if raw[RATES[key]] else None
    return float(value) if key == "avg_days" else value


def kpi_table(board: Board) -> Table:
    rows = [[str(c["label"]), kpi_cell(c["key"], board.kpis, board.raw),
             kpi_cell(c["key"], board.kpis_before, board.raw_before),
             c["change"]["text"] if c["change"] else "—"]
            for c in board.cards()]
    return Table("kpis", gettext("主要指标"),
                 [gettext("指标"), gettext("本期"), label(board.period.compared_label),
                  gettext("变化")], rows)


def trend_table(board: Board) -> Table:
    """A month without a closed case has no success rate (None: a gap in the line and an
    empty cell), not 0 %."""
    rows = [[first.strftime("%Y-%m"), k["received"], k["closed"],
             Percent(percent(k["success_rate"])) if k["closed"] else None]
            for first, _, k in board.monthly]
    return Table("trend", gettext("月度趋势"), [gettext("月份"), gettext("受理数"),
                                             gettext("结案数"), gettext("调解成功率（%）")], rows)


def children_table(board: Board) -> Table:
    args = period_args(board.period)
    rows, links = [], []
    for child, k in board.children:
        rows.append([child.name, child.code, k["received"], k["closed"], k["succeeded"],
                     Percent(percent(k["success_rate"]))])
        links.append(url_for("dashboard.index", org=child.code, **args))
    return Table("children", gettext("下级机构"),
                 [gettext("机构名称"), gettext("机构编码"), gettext("受理数"), gettext("结案数"),
                  gettext("调解成功"), gettext("调解成功率（%）")], rows, links)


def mediators_table(board: Board) -> Table:
    rows = [[m.name, m.staff_no, k["received"], k["closed"], k["succeeded"],
             Percent(percent(k["success_rate"])) if k["closed"] else None, k["agreed_amount"],
             float(k["avg_days"]) if k["closed"] else None]
            for m, k in board.mediators]
    links = [url_for("mediators.details_view", id=m.id) for m, _ in board.mediators]
    return Table("mediators", gettext("调解员"),
                 [gettext("姓名"), gettext("工号"), gettext("受理数"), gettext("结案数"),
                  gettext("调解成功"), gettext("调解成功率（%）"), gettext("协议金额（元）"),
                  gettext("平均办理天数")], rows, links)


def _count_table(name: str, title: str, key_header: str, count_header: str,
                 counts: dict[str, int], names) -> Table:
    total = sum(counts.values())
    rows = [[names(key), n, Percent(share(n, total))] for key, n in counts.items()]
    return Table(name, title, [key_header, count_header, gettext("占比（%）")], rows)


def _unfilled(key: str) -> str:
    return label(key) if key else gettext("未填写")


def types_table(board: Board) -> Table:
    return _count_table("types", gettext("纠纷类型构成"), gettext("纠纷类型"),
                        gettext("受理数"), board.types, _unfilled)


def sources_table(board: Board) -> Table:
    return _count_table("sources", gettext("案件来源"), gettext("案件来源"), gettext("受理数"),
                        board.sources, _unfilled)


def methods_table(board: Board) -> Table:
    return _count_table("methods", gettext("线上调解占比"), gettext("调解方式"), gettext("结案数"),
                        board.methods, lambda key: label(METHODS.get(key, key)))


def map_table(board: Board) -> Table:
    rows = []
    for child, k in board.children:
        located = child.longitude is not None and child.latitude is not None
        rows.append([child.name, child.code,
                     float(child.longitude) if located else None,
                     float(child.latitude) if located else None,
                     Percent(percent(k["success_rate"])),
                     str(LIGHTS[success_light(k, board.thresholds)])])
    return Table("map", gettext("下级机构成功率地图"),
                 [gettext("机构名称"), gettext("机构编码"), gettext("经度"), gettext("纬度"),
                  gettext("调解成功率（%）"), gettext("信号灯")], rows)


TABLES = {"kpis": kpi_table, "trend": trend_table, "children": children_table,
          "types": types_table, "methods": methods_table, "sources": sources_table,
          "map": map_table, "mediators": mediators_table}


# --- charts from the tables -------------------------------------------------------------------

def chart_options(board: Board, tables: dict[str, Table]) -> dict:
    stem = f"{board.org.name}_{board.start}_{board.end}"
    trend, kids = tables["trend"], tables["children"]
    out = {
        "trend": charts.trend_option(f"{trend.title}_{stem}", [r[0] for r in trend.rows],
                                     [r[1] for r in trend.rows], [r[2] for r in trend.rows],
                                     [None if r[3] is None else float(r[3])
                                      for r in trend.rows]),
        "types": charts.pie_option(f"{tables['types'].title}_{stem}", gettext("受理数"),
                                   [(r[0], r[1]) for r in tables["types"].rows]),
        "methods": charts.pie_option(f"{tables['methods'].title}_{stem}", gettext("结案数"),
                                     [(r[0], r[1]) for r in tables["methods"].rows]),
        "sources": charts.bar_option(f"{tables['sources'].title}_{stem}", gettext("受理数"),
                                     [(r[0], r[1]) for r in tables["sources"].rows]),
    }
    if kids.rows:
        out["children"] = charts.children_option(
            f"{kids.title}_{stem}", [r[0] for r in kids.rows], [r[2] for r in kids.rows],
            [r[3] for r in kids.rows], [r[4] for r in kids.rows])
    return out


def map_chart(board: Board, table: Table) -> dict | None:
    located = [child for child, _ in board.children
               if child.longitude is not None and child.latitude is not None]
    if not located:
        return None
    shape = map_shape(located)
    points = [{"name": r[0], "lng": r[2], "lat": r[3], "rate": float(r[4]),
               "light": success_light(k, board.thresholds)}
              for r, (_, k) in zip(table.rows, board.children, strict=True) if r[2] is not None]
    lights = {key: str(text) for key, text in LIGHTS.items()}
    return {"map": shape, "map_url": url_for("static", filename=f"{MAPS_DIR}/{shape}.json"),
            "option": charts.light_map_option(f"{table.title}_{board.org.name}", shape, points,
                                              lights)}


# --- the page ---------------------------------------------------------------------------------

def chosen_period() -> Period:
    return resolve(request.args.get("period"), local_today(), request.args.get("from"),
                   request.args.get("to"))


def _sheet_safe(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", text)


class DashboardView(Page):
    @expose("/")
    def index(self):
        org = chosen_org()
        form = {"period": request.args.get("period") or "year",
                "from": (request.args.get("from") or "")[:10],
                "to": (request.args.get("to") or "")[:10]}
        context = {"org": org, "periods": PERIODS, "form": form, "error": None, "board": None,
                   "chain": [], "args": {}, "period_args": {}}
        if org is None:
            return self.render("dashboard/index.html", **context)
        try:
            period = chosen_period()
        except PeriodError as exc:
            context["error"] = tr(exc.args[0])
            return self.render("dashboard/index.html", **context), 400
        board = Board(org, period)
        tables = {name: build(board) for name, build in TABLES.items()
                  if name != "mediators" or board.is_leaf}
        scope = current_scope()
        chain = [o for o in ancestors(org) if scope is None or scope.contains(o)]
        form.update({"period": period.kind, "from": period.start.isoformat(),
                     "to": period.end.isoformat()})
        context.update(board=board, tables=tables, cards=board.cards(), chain=chain,
                       lights=LIGHTS, before=period.compared(),
                       compared_label=label(period.compared_label),
                       options=chart_options(board, tables),
                       map_chart=map_chart(board, tables["map"]),
                       period_args=period_args(period),
                       args={"org": org.code, **period_args(period)})
        return self.render("dashboard/index.html", **context)

    @expose("/export/<table>.xlsx")
    def export(self, table: str):
        build = TABLES.get(table)
        org = chosen_org()
        if build is None or org is None:
            abort(404)
        try:
            period = chosen_period()
        except PeriodError:
            abort(400)
        rows = build(Board(org, period))
        title = _sheet_safe(f"{rows.title}_{org.name}_{period.start}_{period.end}")
        return xlsx_download(title, rows.headers, rows.rows, sheet=rows.title, notes=[
            (gettext("机构"), f"{org.code} {org.name}"),
            (gettext("统计期间"), f"{period.start} — {period.end}")])
