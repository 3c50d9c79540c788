"""Reporting periods as people write them: `2025` (year), `2025Q3` (quarter), `2025-03` (month).

The statistical report, the nomination page and the CLI all read a period through `parse_period`,
so "2025Q3" means the same days everywhere and a wrong one gets the same Chinese message.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from network.errors import Msg

from .kpis import month_end

PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})|[Qq]([1-4]))?$")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
YEAR, QUARTER, MONTH, RANGE = "year", "quarter", "month", "range"


class Period(NamedTuple):
    text: str  # canonical: 2025, 2025Q3, 2025-03, or 2025-01-01~2025-02-15
    kind: str
    start: dt.date
    end: dt.date


def parse_period(text: str | None) -> Period:
    """The days of a period; ValueError(Msg) naming the accepted forms when it is not one."""
    raw = (text or "").strip()
    match = PERIOD_RE.match(raw)
    if not match:
        raise ValueError(Msg("统计期间「%(v)s」无效，应为年度（2025）、季度（2025Q1）或月份（2025-03）",
                             v=raw[:20]))
    year = int(match.group(1))
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValueError(Msg("统计期间的年份应在1900到2999之间：「%(v)s」", v=raw))
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(Msg("统计期间的月份应在01到12之间：「%(v)s」", v=raw))
        start = dt.date(year, month, 1)
        return Period(f"{year}-{month:02d}", MONTH, start, month_end(start))
    if match.group(3):
        quarter = int(match.group(3))
        start = dt.date(year, 3 * quarter - 2, 1)
        return Period(f"{year}Q{quarter}", QUARTER, start,
                      month_end(dt.date(year, 3 * quarter, 1)))
    return Period(str(year), YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def parse_range(start_text: str | None, end_text: str | None) -> Period:
    """A custom range of days (YYYY-MM-DD, both ends included)."""
    days = []
    for value in (start_text, end_text):
        raw = (value or "").strip()
        try:
            if len(raw) != 10:
                raise ValueError
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(Msg("日期应为 YYYY-MM-DD 格式：「%(v)s」", v=raw[:20])) from None
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise ValueError(Msg("日期应在1900-01-01至2999-12-31之间：「%(v)s」", v=raw))
        days.append(day)
    if days[0] > days[1]:
        raise ValueError(Msg("开始日期不能晚于结束日期"))
    return Period(f"{days[0].isoformat()}~{days[1].isoformat()}", RANGE, days[0], days[1])
