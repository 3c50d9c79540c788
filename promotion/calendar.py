"""Working days for the 公示 period, from training's work calendar (WorkDay).

A day is a working day by the weekday rule (Monday–Friday) unless the calendar says otherwise
(an official holiday, or a weekend day worked in exchange). Years the calendar has no notice
for simply follow the weekday rule.
"""
from __future__ import annotations

import datetime as dt

from training.models import WorkDay

# generous: N working days never span more than this many calendar days plus the holidays
SPAN_PER_DAY = 3
SPAN_EXTRA = 21


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    out = {}
    for day, workday in (WorkDay.select(WorkDay.day, WorkDay.is_workday)
                         .where(WorkDay.day.between(start, end)).tuples()):
        out[dt.date.fromisoformat(day) if isinstance(day, str) else day] = bool(workday)
    return out


def is_working_day(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    return overrides.get(day, day.weekday() < 5)


def last_working_day(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day counting from `start` itself (start included when it is a
    working day): the last day of a notice of `count` working days; one query."""
    if count < 1:
        raise ValueError("count must be at least 1")
    overrides = _overrides(start, start + dt.timedelta(days=count * SPAN_PER_DAY + SPAN_EXTRA))
    day, seen = start, 0
    while True:
        if is_working_day(day, overrides):
            seen += 1
            if seen == count:
                return day
        day += dt.timedelta(days=1)


def working_days(start: dt.date, end: dt.date) -> int:
    """Working days in [start, end] (0 when end is before start); one query."""
    if end < start:
        return 0
    overrides = _overrides(start, end)
    return sum(is_working_day(start + dt.timedelta(days=i), overrides)
               for i in range((end - start).days + 1))
