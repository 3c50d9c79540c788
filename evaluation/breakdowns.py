"""How an organisation's cases split by dispute type, source and method over a date range.

Each breakdown is one GROUP BY over the cases of the organisation's whole subtree and counts
what its KPI counterpart counts, so the parts add up to a dashboard card:
- `by_dispute_type` and `by_source` split the *received* cases (受理日期 in range), summing to
  the KPI `received`;
- `by_method` splits the *concluded* cases (结案日期 in range, result not 调解中), summing to
  the KPI `closed`; its 线上 part is the KPI `online`.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw

from network.models import Organization

from .kpis import in_org
from .models import CONCLUDED, METHODS, Case

UNFILLED = ""  # key of the cases whose optional column is empty


def _count_by(column: pw.Field, date_field: pw.Field, org: Organization, start: dt.date,
              end: dt.date, extra: pw.Node | None = None) -> dict[str, int]:
    if start > end:
        raise ValueError("start after end")
    cond = in_org(org) & date_field.between(start, end)
    if extra is not None:
        cond &= extra
    query = (Case.select(column, pw.fn.COUNT(Case.id)).where(cond).group_by(column)
             .order_by(pw.fn.COUNT(Case.id).desc(), column))
    return {key if key is not None else UNFILLED: count for key, count in query.tuples()}


def by_dispute_type(org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Received cases (受理日期 in [start, end]) per 纠纷类型, largest first."""
    return _count_by(Case.dispute_type, Case.received, org, start, end)


def by_source(org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Received cases (受理日期 in [start, end]) per 案件来源; UNFILLED for no source recorded."""
    return _count_by(Case.source, Case.received, org, start, end)


def by_method(org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Concluded cases (结案日期 in [start, end]) per 调解方式 key (online/offline), both present."""
    counts = _count_by(Case.method, Case.closed, org, start, end, Case.result.in_(CONCLUDED))
    return {key: counts.get(key, 0) for key in METHODS} | counts
