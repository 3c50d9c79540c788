"""The periods the dashboard's picker offers, resolved to date ranges (no Flask here).

A preset runs from its first day up to `today` (本月, 本季度, 本年, 近12个月), so that its
comparison — the same dates one year earlier — measures like against like. A custom period is
any [from, to] of at most MAX_MONTHS calendar months.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from network.db import N_
from network.errors import Msg

MONTH, QUARTER, YEAR, LAST12, CUSTOM = "month", "quarter", "year", "last12", "custom"
PERIODS = {MONTH: N_("本月"), QUARTER: N_("本季度"), YEAR: N_("本年"), LAST12: N_("近12个月"),
           CUSTOM: N_("自定义")}
DEFAULT = YEAR
MAX_MONTHS = 120
EARLIEST, LATEST = dt.date(1901, 1, 1), dt.date(2999, 12, 31)
BAD_DATE = {"from": Msg("开始日期应为 YYYY-MM-DD 格式的日期"),
            "to": Msg("结束日期应为 YYYY-MM-DD 格式的日期")}
MISSING = {"from": Msg("自定义期间需要填写开始日期"), "to": Msg("自定义期间需要填写结束日期")}


class PeriodError(ValueError):
    """A period that cannot be shown; args[0] is the Chinese `Msg` for the page."""


class DashboardPeriod(NamedTuple):
    kind: str
    start: dt.date
    end: dt.date

    def year_before(self) -> tuple[dt.date, dt.date]:
        return year_before(self.start), year_before(self.end)


def year_before(day: dt.date) -> dt.date:
    """The same date one year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _parse(text: str | None, which: str) -> dt.date:
    text = (text or "").strip()
    if not text:
        raise PeriodError(MISSING[which])
    try:
        if len(text) != 10:
            raise ValueError
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(BAD_DATE[which]) from None
    if not EARLIEST <= day <= LATEST:
        raise PeriodError(Msg("日期应在 1901-01-01 至 2999-12-31 之间"))
    return day


def resolve(kind: str | None, today: dt.date, start: str | None = None,
            end: str | None = None) -> DashboardPeriod:
    """The date range of a period kind (DEFAULT when empty); raises PeriodError."""
    kind = (kind or DEFAULT).strip()
    if kind == MONTH:
        return DashboardPeriod(kind, today.replace(day=1), today)
    if kind == QUARTER:
        return DashboardPeriod(kind, dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    if kind == YEAR:
        return DashboardPeriod(kind, dt.date(today.year, 1, 1), today)
    if kind == LAST12:
        months = today.year * 12 + today.month - 1 - 11
        return DashboardPeriod(kind, dt.date(months // 12, months % 12 + 1, 1), today)
    if kind != CUSTOM:
        raise PeriodError(Msg("未知的统计期间"))
    first, last = _parse(start, "from"), _parse(end, "to")
    if first > last:
        raise PeriodError(Msg("开始日期不能晚于结束日期"))
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise PeriodError(Msg("统计期间不能超过 %(n)s 个月", n=MAX_MONTHS))
    return DashboardPeriod(kind, first, last)
