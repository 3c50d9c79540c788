"""Every period the portal reads, in one vocabulary: the dashboard's presets (本月, 本季度, 本年,
近12个月, 自定义) and the periods people write (`2025`, `2025Q3`, `2025-03`, a day range).

A preset runs from its first day up to `today`, so that its comparison — the same dates one
year earlier — measures like against like. Every parser raises PeriodError (a ValueError)
whose args[0] is the Chinese `Msg` for the page or the command line, so a wrong period gets
the same message wherever it is typed.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from network.dates import (
    EARLIEST,
    LATEST,
    OUT_OF_RANGE,
    in_range,
    iso_day,
    month_end,
    year_before,
)
from network.db import N_
from network.errors import Msg

YEAR, QUARTER, MONTH, LAST12, CUSTOM, RANGE = "year", "quarter", "month", "last12", "custom", "range"
# The dashboard picker's presets, in menu order.
PERIODS = {MONTH: N_("本月"), QUARTER: N_("本季度"), YEAR: N_("本年"), LAST12: N_("近12个月"),
           CUSTOM: N_("自定义")}
DEFAULT = YEAR
COMPARED = {MONTH: N_("上月同期"), QUARTER: N_("上季度同期")}
MAX_MONTHS = 120
PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})|[Qq]([1-4]))?$")
BAD_DATE = {"from": Msg("开始日期应为 YYYY-MM-DD 格式的日期"),
            "to": Msg("结束日期应为 YYYY-MM-DD 格式的日期")}
MISSING = {"from": Msg("自定义期间需要填写开始日期"), "to": Msg("自定义期间需要填写结束日期")}


class PeriodError(ValueError):
    """A period that cannot be used; args[0] is the Chinese `Msg`."""


class Period(NamedTuple):
    kind: str
    start: dt.date
    end: dt.date
    text: str = ""  # as written: 2025, 2025Q3, 2025-03, or 2025-01-01~2025-02-15

    def year_before(self) -> tuple[dt.date, dt.date]:
        return year_before(self.start), year_before(self.end)

    def compared(self) -> tuple[dt.date, dt.date]:
        """The window this period is compared with, like against like: 本月 and 本季度 (up to
        today) against the same days of the previous month or quarter, so the 2nd of the month
        is compared with the 1st–2nd of the last one, not with a whole month; the others
        against the same dates a year earlier."""
        if self.kind in (MONTH, QUARTER):
            months = 1 if self.kind == MONTH else 3
            index = self.start.year * 12 + self.start.month - 1 - months
            start = dt.date(index // 12, index % 12 + 1, 1)
            last = month_end(dt.date((index + months - 1) // 12, (index + months - 1) % 12 + 1, 1))
            return start, min(start + (self.end - self.start), last)
        return self.year_before()

    @property
    def compared_label(self) -> str:
        return COMPARED.get(self.kind, N_("去年同期"))


def parse_day(text: str | None, which: str) -> dt.date:
    """One end ("from" or "to") of a custom period."""
    raw = (text or "").strip()
    if not raw:
        raise PeriodError(MISSING[which])
    day = iso_day(raw)
    if day is None:
        raise PeriodError(BAD_DATE[which])
    if not in_range(day):
        raise PeriodError(OUT_OF_RANGE)
    return day


def parse_range(start_text: str | None, end_text: str | None) -> Period:
    """A custom range of days (YYYY-MM-DD, both ends included)."""
    first, last = parse_day(start_text, "from"), parse_day(end_text, "to")
    if first > last:
        raise PeriodError(Msg("开始日期不能晚于结束日期"))
    return Period(RANGE, first, last, f"{first.isoformat()}~{last.isoformat()}")


def resolve(kind: str | None, today: dt.date, start: str | None = None,
            end: str | None = None) -> Period:
    """The dashboard's period: a preset up to `today` (DEFAULT when empty), or a custom range
    of at most MAX_MONTHS calendar months."""
    kind = (kind or DEFAULT).strip()
    if kind == MONTH:
        return Period(kind, today.replace(day=1), today)
    if kind == QUARTER:
        return Period(kind, dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    if kind == YEAR:
        return Period(kind, dt.date(today.year, 1, 1), today)
    if kind == LAST12:
        months = today.year * 12 + today.month - 1 - 11
        return Period(kind, dt.date(months // 12, months % 12 + 1, 1), today)
    if kind != CUSTOM:
        raise PeriodError(Msg("未知的统计期间"))
    chosen = parse_range(start, end)
    first, last = chosen.start, chosen.end
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise PeriodError(Msg("统计期间不能超过 %(n)s 个月", n=MAX_MONTHS))
    return Period(kind, first, last, chosen.text)


def parse_period(text: str | None) -> Period:
    """A period as people write it: a year (2025), a quarter (2025Q1) or a month (2025-03)."""
    raw = (text or "").strip()
    match = PERIOD_RE.match(raw)
    if not match:
        raise PeriodError(Msg("统计期间「%(v)s」无效，应为年度（2025）、季度（2025Q1）或月份（2025-03）",
                              v=raw[:20]))
    year = int(match.group(1))
    if not EARLIEST.year <= year <= LATEST.year:
        raise PeriodError(Msg("统计期间的年份应在1901到2999之间：「%(v)s」", v=raw))
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(Msg("统计期间的月份应在01到12之间：「%(v)s」", v=raw))
        start = dt.date(year, month, 1)
        return Period(MONTH, start, month_end(start), f"{year}-{month:02d}")
    if match.group(3):
        quarter = int(match.group(3))
        start = dt.date(year, 3 * quarter - 2, 1)
        return Period(QUARTER, start, month_end(dt.date(year, 3 * quarter, 1)),
                      f"{year}Q{quarter}")
    return Period(YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
