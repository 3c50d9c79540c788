"""Reference data training needs on a fresh install: the kinds, the default requirements and
the official work calendar for the years `chinesecalendar` knows.

Written in plain SQL against the database it is given (not through the models), because
migration 011 calls it: a migration must keep working when the models change later. Every
insert skips rows already there, so running it again (tests restoring seeded rows, an upgrade
over a hand-edited calendar) changes nothing that exists.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw

from network.dates import local_now

from .models import DEFAULT_KINDS, DEFAULT_REQUIREMENTS

CALENDAR_YEARS = range(2020, 2027)  # chinesecalendar 1.11 knows 2004–2026
HOLIDAY_NAMES = {  # chinesecalendar names its holidays in English
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _mark(database: pw.Database) -> str:
    return "%s" if isinstance(database, pw.PostgresqlDatabase) else "?"


def official_days(years=CALENDAR_YEARS) -> list[tuple[dt.date, bool, str]]:
    """(day, is_workday, name) for the holidays and adjusted working days of `years`; a year
    the package has no notice for gives nothing (it is not an error: an admin enters it)."""
    import chinese_calendar

    days = []
    for day, name in chinese_calendar.holidays.items():
        if day.year in years:
            days.append((day, False, HOLIDAY_NAMES.get(name, name or "")))
    for day, name in chinese_calendar.workdays.items():
        if day.year in years and day.weekday() >= 5:  # a weekend day worked in exchange
            label = HOLIDAY_NAMES.get(name, name or "")
            days.append((day, True, f"{label}调休" if label else "调休"))
    return sorted(days)


def seed(database: pw.Database, years=CALENDAR_YEARS) -> None:
    mark = _mark(database)
    kinds = {code for (code,) in database.execute_sql(
        "SELECT code FROM training_kind").fetchall()}
    for order, (code, name) in enumerate(DEFAULT_KINDS, start=1):
        if code not in kinds:
            database.execute_sql(
                "INSERT INTO training_kind (code, name, sort_order, active) "
                f"VALUES ({mark}, {mark}, {mark}, {mark})", (code, name, order, True))
    have = {kind for (kind,) in database.execute_sql(
        "SELECT kind FROM training_requirement WHERE grade IS NULL").fetchall()}
    stamp = local_now()
    for kind, hours in DEFAULT_REQUIREMENTS.items():
        if kind not in have:
            database.execute_sql(
                "INSERT INTO training_requirement (kind, grade, hours, updated_by, updated_at) "
                f"VALUES ({mark}, NULL, {mark}, '', {mark})", (kind, hours, stamp))
    seed_calendar(database, years)


def official_years() -> list[int]:
    """The years chinesecalendar holds the State Council's notice for."""
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays})


def seed_calendar(database: pw.Database, years=CALENDAR_YEARS) -> tuple[int, int]:
    """Add the official days of `years` that have no row; a day already there (an admin's
    correction, or an earlier seed) is kept as it is. Returns (added, kept)."""
    mark = _mark(database)
    known = {row[0] if isinstance(row[0], dt.date) else dt.date.fromisoformat(row[0])
             for row in database.execute_sql("SELECT day FROM work_day").fetchall()}
    official = official_days(years)
    rows = [(day, workday, name) for day, workday, name in official if day not in known]
    if rows:
        database.cursor().executemany(
            "INSERT INTO work_day (day, is_workday, name, source) "
            f"VALUES ({mark}, {mark}, {mark}, 'chinesecalendar')",
            [(day.isoformat(), workday, name) for day, workday, name in rows])
    return len(rows), len(official) - len(rows)
