"""The statistical report (统计报表) of a scope organisation for a month, quarter or year, as XLSX.

Sheet 1: one row per direct child unit (its whole subtree), a row for the cases registered at
the scope organisation itself when it has any, and a total row that is `kpis()` of the scope
organisation — the same figures as the dashboard and the API, to the yuan. Sheet 2: the cases
received in the period by 纠纷类型 for the same rows. Labels are Chinese (the report's language);
`label` lets the web layer translate them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import peewee as pw
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from network.cells import safe_row
from network.db import N_
from network.models import Organization
from network.sheets import Rate, append_typed, fit_widths

from .kpis import KPI_KEYS, Figures, case_figures, children_kpis, derive, in_org, kpis
from .mix import own_counts, received_mix_counts
from .models import DISPUTE_TYPES, Case
from .periods import Period

KPI_LABELS = {
    "received": N_("受理数"), "closed": N_("结案数"), "succeeded": N_("调解成功"),
    "failed": N_("调解不成功"), "withdrawn": N_("撤回"), "success_rate": N_("调解成功率"),
    "amount_involved": N_("标的金额（元）"), "agreed_amount": N_("协议金额（元）"),
    "avg_days": N_("平均办理天数"), "online": N_("线上调解"),
    "judicial_confirmed": N_("司法确认"), "fulfilment_rate": N_("履行率"),
}
AMOUNTS = ("amount_involved", "agreed_amount")
RATES = ("success_rate", "fulfilment_rate")
TOTAL, OWN = N_("合计"), N_("本级")
FORMATS = {**{k: "#,##0.00" for k in AMOUNTS}, **{k: "0.00%" for k in RATES}, "avg_days": "0.0"}


def _identity(text: str) -> str:
    return text


def report_rows(org: Organization, start: dt.date, end: dt.date) -> list[tuple[str, str, dict]]:
    """(code, name, KPIs): each direct child, the unit itself (its own code) when it has cases,
    then the total (no code, name TOTAL)."""
    rows = [(child.code, child.name, figures) for child, figures in children_kpis(org, start, end)]
    own = Figures()
    for fig in case_figures(Case.station == org.id, [(start, end)]).values():
        own.add(fig)
    if not own.is_zero() or not rows:
        rows.append((org.code, org.name, derive(own)))
    rows.append(("", TOTAL, kpis(org, start, end)))
    return rows


def shown_name(org: Organization, code: str, name: str, label: Callable[[str], str]) -> str:
    """A report row's name: the total and the unit's own cases say what they are."""
    if name == TOTAL and not code:
        return label(TOTAL)
    return f"{name}（{label(OWN)}）" if code == org.code else name


def type_breakdown(org: Organization, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """{child id (or org id for its own cases): {纠纷类型: received count}}: each child's
    split from the mix rollups (evaluation.mix), the unit's own cases counted directly."""
    out: dict[int, dict[str, int]] = {}
    units = [(child, received_mix_counts(child, start, end)) for child in
             Organization.select().where(Organization.parent == org.id)]
    units.append((org, own_counts((Case.station == org.id) & Case.received.between(start, end))))
    for unit, counts in units:
        for (dispute_type, _source), count in counts.items():
            if count:
                bucket = out.setdefault(unit.id, {})
                bucket[dispute_type] = bucket.get(dispute_type, 0) + count
    return out


def type_breakdown_direct(org: Organization, start: dt.date,
                          end: dt.date) -> dict[int, dict[str, int]]:
    """type_breakdown grouped straight from the subtree's cases (the cross-check)."""
    depth = len(org.path.strip("/").split("/"))
    rows = (Case.select(Organization.path, Case.dispute_type, pw.fn.COUNT(Case.id))
            .join(Organization, on=(Case.station == Organization.id))
            .where(in_org(org) & Case.received.between(start, end))
            .group_by(Organization.path, Case.dispute_type).tuples())
    out: dict[int, dict[str, int]] = {}
    for path, dispute_type, count in rows:
        ids = path.strip("/").split("/")
        unit = int(ids[depth]) if len(ids) > depth else org.id
        bucket = out.setdefault(unit, {})
        bucket[dispute_type] = bucket.get(dispute_type, 0) + count
    return out


def _cell(key: str, value):
    """A KPI typed for the sheet: rates are fractions shown as %, money is Decimal."""
    if key in RATES and value is not None:
        return Rate(value)
    return value


def _header(sheet, title: str, period_line: str, headers: list[str]) -> None:
    sheet.append(safe_row([title]))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(safe_row([period_line]))
    sheet.append(safe_row(headers))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.freeze_panes = "C4"


def build_report(org: Organization, period: Period,
                 label: Callable[[str], str] = _identity) -> Workbook:
    """The workbook of `org`'s report for `period` (see the module docstring)."""
    start, end = period.start, period.end
    title = f"{org.name} {period.text} " + label(N_("金融纠纷调解统计报表"))
    period_line = label(N_("统计期间")) + f"：{start.isoformat()} — {end.isoformat()}"
    book = Workbook()
    sheet = book.active
    sheet.title = label(N_("调解统计"))
    _header(sheet, title, period_line, [label(N_("机构编码")), label(N_("机构名称"))]
            + [label(KPI_LABELS[k]) for k in KPI_KEYS])
    rows = report_rows(org, start, end)
    names = [shown_name(org, code, name, label) for code, name, _figures in rows]
    for name, (code, _name, figures) in zip(names, rows, strict=True):
        append_typed(sheet, [code, name] + [_cell(k, figures[k]) for k in KPI_KEYS],
                     {column: FORMATS[k] for column, k in enumerate(KPI_KEYS, start=2)
                      if k in FORMATS})
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)

    types = type_breakdown(org, start, end)
    known = list(DISPUTE_TYPES)
    extra = sorted({t for unit in types.values() for t in unit} - set(known))
    columns = known + extra
    by_type = book.create_sheet(label(N_("纠纷类型")))
    _header(by_type, title, period_line, [label(N_("机构编码")), label(N_("机构名称"))]
            + [label(t) for t in columns] + [label(TOTAL)])
    units = {o.code: o.id for o in Organization.select(Organization.id, Organization.code)
             .where(Organization.parent == org.id)}
    units[org.code] = org.id
    totals = [0] * len(columns)
    for name, (code, _name, _figures) in zip(names[:-1], rows[:-1], strict=True):
        counts = types.get(units[code], {})
        values = [counts.get(t, 0) for t in columns]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        append_typed(by_type, [code, name] + values + [sum(values)])
    append_typed(by_type, ["", label(TOTAL)] + totals + [sum(totals)])
    for cell in by_type[by_type.max_row]:
        cell.font = Font(bold=True)
    fit_widths(sheet, 3)
    fit_widths(by_type, 3)
    return book
