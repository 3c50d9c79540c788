"""The working calendar (工作日历): which days are working days.

A day is a working day by the weekday rule (Monday to Friday) unless a WorkDay row says
otherwise: an official holiday (seeded from chinesecalendar, or entered by an admin from the
State Council's notice for years the package does not know yet) or a weekend day worked in
exchange (调休). A year with no rows simply follows the weekday rule: "no holiday data" is
not an error. The promotion notice period (公示, 5 working days) counts with `add_working_days`.
"""
from __future__ import annotations

import datetime as dt

from network import audit
from network.errors import Msg, ValidationError

from .models import WorkDay

MAX_SPAN_DAYS = 3660  # a look-up never reads more than ten years of rows


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(WorkDay.select(WorkDay.day, WorkDay.is_workday)
                .where(WorkDay.day.between(start, end)).tuples())


def is_workday(day: dt.date) -> bool:
    row = WorkDay.get_or_none(WorkDay.day == day)
    return row.is_workday if row is not None else day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted): the fifth
    working day after a notice published on `start` ends its 公示."""
    if days < 0:
        raise ValueError("days must be >= 0")
    exceptions: dict[dt.date, bool] = {}
    day, left, read_until = start, days, start
    while left:
        day += dt.timedelta(days=1)
        if day > read_until:  # rows are read 60 days at a time
            read_until = day + dt.timedelta(days=59)
            exceptions.update(_exceptions(day, read_until))
        if exceptions.get(day, day.weekday() < 5):
            left -= 1
        if (day - start).days > MAX_SPAN_DAYS:
            raise ValueError("no working day found")
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in [start, end], both ends included."""
    if end < start:
        return 0
    exceptions = _exceptions(start, end)
    count, day = 0, start
    while day <= end:
        count += exceptions.get(day, day.weekday() < 5)
        day += dt.timedelta(days=1)
    return count


def known_years() -> list[int]:
    """Years with any calendar row (official or entered): the others follow the weekday rule."""
    return sorted({d.year for (d,) in WorkDay.select(WorkDay.day).tuples()})


def set_day(day: dt.date, is_workday_: bool, name: str, *, actor: str) -> WorkDay:
    """An admin enters or corrects a day (e.g. next year's holidays once announced)."""
    name = (name or "").strip()
    if len(name) > 30:
        raise ValidationError({"name": Msg("不能超过%(n)d个字符", n=30)})
    row = WorkDay.get_or_none(WorkDay.day == day)
    before = None if row is None else [row.is_workday, row.name]
    if row is None:
        row = WorkDay.create(day=day, is_workday=is_workday_, name=name, source="manual")
    else:
        row.is_workday, row.name, row.source = is_workday_, name, "manual"
        row.save()
    audit.record(actor, "create" if before is None else "update", "work_day", row.id,
                 day.isoformat(), {"is_workday": [before[0] if before else None, is_workday_],
                                   "name": [before[1] if before else None, name]})
    return row


def clear_day(day: dt.date, *, actor: str) -> bool:
    """Back to the weekday rule for `day`."""
    row = WorkDay.get_or_none(WorkDay.day == day)
    if row is None:
        return False
    audit.record(actor, "delete", "work_day", row.id, day.isoformat(),
                 {"is_workday": [row.is_workday, None], "name": [row.name, None]})
    row.delete_instance()
    return True
