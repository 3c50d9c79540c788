"""KPI endpoints of /api/v1: the figures of evaluation.kpis as JSON, scoped like every route.

Amounts travel as strings with two decimals (exact yuan), rates and mean days as numbers.
"""
from __future__ import annotations

import datetime as dt

from flask import jsonify, request

from evaluation.kpis import KPI_KEYS, children_kpis, kpis, monthly_kpis
from evaluation.periods import MAX_MONTHS
from evaluation.signals import AMOUNTS
from network.dates import in_range, iso_day
from network.errors import Msg
from network.models import Organization

from ..api.core import ApiError, api_bp, requested_org, units_only

NUMBERS = ("success_rate", "avg_days", "fulfilment_rate")


def kpis_json(figures: dict) -> dict:
    out = {}
    for key in KPI_KEYS:
        value = figures[key]
        if key in AMOUNTS:
            value = f"{value:.2f}"
        elif key in NUMBERS:
            value = float(value)
        out[key] = value
    return out


def _date(name: str) -> dt.date:
    text = (request.args.get(name) or "").strip()
    if not text:
        raise ApiError(400, "bad_request", Msg("缺少参数 %(name)s（YYYY-MM-DD）", name=name))
    day = iso_day(text)
    if day is None:
        raise ApiError(400, "bad_request", Msg(
            "参数 %(name)s 应为 YYYY-MM-DD 格式的日期：「%(v)s」", name=name, v=text))
    if not in_range(day):
        raise ApiError(400, "bad_request",
                       Msg("参数 %(name)s 应在 1901-01-01 至 2999-12-31 之间", name=name))
    return day


def kpi_request() -> tuple[Organization, dt.date, dt.date]:
    """The organisation (default: the caller's own) and the date range of a KPI request."""
    org = requested_org()
    start, end = _date("from"), _date("to")
    if start > end:
        raise ApiError(400, "bad_request", Msg("参数 from 不能晚于 to"))
    return org, start, end


def _head(org: Organization, start: dt.date, end: dt.date) -> dict:
    return {"station": org.code, "name": org.name, "from": start.isoformat(),
            "to": end.isoformat()}


@api_bp.route("/kpis")
@units_only
def kpis_view():
    org, start, end = kpi_request()
    return jsonify({**_head(org, start, end), **kpis_json(kpis(org, start, end))})


@api_bp.route("/kpis/children")
@units_only
def kpis_children():
    org, start, end = kpi_request()
    return jsonify([{**_head(child, start, end), **kpis_json(figures)}
                    for child, figures in children_kpis(org, start, end)])


@api_bp.route("/kpis/monthly")
@units_only
def kpis_monthly():
    org, start, end = kpi_request()
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise ApiError(400, "bad_request",
                       Msg("按月统计的范围不能超过 %(n)d 个月", n=MAX_MONTHS))
    return jsonify([{"month": first.strftime("%Y-%m"), **_head(org, first, last),
                     **kpis_json(figures)}
                    for first, last, figures in monthly_kpis(org, start, end)])
