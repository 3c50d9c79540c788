"""Dates as every package reads and counts them: today where the networks are, strict ISO days,
month ends, a year before.

Kept in network (the bottom package) so that evaluation's periods, training's years and the
grade rules all parse and count days the same way, and agree on which day it is.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from .errors import Msg

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Days outside these never mean anything here, and beyond them some drivers' date arithmetic
# (a year before 0001, say) fails.
EARLIEST, LATEST = dt.date(1901, 1, 1), dt.date(2999, 12, 31)


def local_now() -> dt.datetime:
    """Shanghai's wall-clock time, naive, to the second: what every stored timestamp holds
    and what people read, whatever the server's time zone (on a UTC server a notice sent at
    02:33 in Shanghai read 18:33 the day before, and export names were eight hours off)."""
    return dt.datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)


def local_today(at: dt.datetime | None = None) -> dt.date:
    """Today where the networks are (Asia/Shanghai), whatever the server's time zone: from
    16:00 UTC a UTC server's date is still yesterday's, and coverage judged on the server's
    date would differ from the homes' (and at a year's end count the wrong year), a date
    entered as today would be refused as later than today, and default periods would end
    yesterday."""
    return (at or dt.datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()


def iso_day(text: str | None) -> dt.date | None:
    """The day written exactly YYYY-MM-DD, else None (check `in_range` separately: the two
    mistakes get different messages)."""
    raw = (text or "").strip()
    if len(raw) != 10:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def year_before(day: dt.date) -> dt.date:
    """The same date one year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end`: a month counts once its day of the month is
    reached (31 Jan → 28 Feb is 0 months, → 1 Mar is 1)."""
    months = 12 * (end.year - start.year) + (end.month - start.month)
    return months - 1 if end.day < start.day else months


OUT_OF_RANGE = Msg("日期应在 1901-01-01 至 2999-12-31 之间")


def parse_date(value: Any) -> dt.date | None:
    """A date typed into a form or a spreadsheet cell: ISO, or with / or . between the parts,
    unpadded (2024/3/5), or already a date; None when empty; ValueError(Msg) otherwise, also
    for a day outside 1901–2999 (year 1 would break the date arithmetic of the rules)."""
    day = _any_date(value)
    if day is not None and not in_range(day):
        raise ValueError(OUT_OF_RANGE)
    return day


def _any_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if type(value) is str and len(value) == 10:  # YYYY-MM-DD, as nearly every file has it
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        parts = text.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
        raise ValueError(Msg("日期格式应为 YYYY-MM-DD")) from None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier when negative), clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))
