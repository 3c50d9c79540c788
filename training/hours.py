"""Credited hours (认定学时): the one rule, and the set-based sums other packages call.

The rule (domain.md): 出席 → the session's 学时; 迟到/早退 → 学时 × 实到分钟 / scheduled minutes,
rounded DOWN to a multiple of 0.5; 缺席/请假 → 0. `credit()` applies it and is the only place
that does; each attendance record stores its result (`Attendance.credited`), written on every
change of the record or of its session's hours (`recredit_session`), so that the sums below
are a plain SUM that a province of 30,000 mediators answers in one grouped query.

A session belongs to the Asia/Shanghai day of its start (`Session.start_day`); windows are
dates, both ends included. Cancelled sessions never count.

Stable signatures (the promotion package calls them):

- ``credited_hours(mediator_ids, start_date, end_date, kinds=None) -> dict[int, Decimal]``
  mediator_ids: an iterable of ids, a peewee sub-select of ids, or None (every mediator);
  start_date / end_date: dt.date or None for an open end; kinds: kind codes (e.g.
  ``[models.PRE_SERVICE]``) or None for all kinds. With ids given, every id is a key (0 when
  nothing was credited); with None, only mediators with credited hours > 0 appear.
- ``hours_by_kind(mediator_ids, start_date, end_date) -> dict[int, dict[str, Decimal]]``
  kind code → hours per mediator, only kinds with hours > 0.
- ``mediator_hours(mediator_id, start_date, end_date, kinds=None) -> Decimal``
- ``participations(mediator_ids, start_date, end_date, kinds=None) -> dict[int, int]``
  the number of attendance records with credited hours > 0 (人次).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal

import peewee as pw

from network.db import db, id_list, split_ids

from .models import (
    ABSENT,
    ATTENDANCE_STATUSES,
    CANCELLED,
    LATE,
    LEAVE,
    LEFT_EARLY,
    PRESENT,
    Attendance,
    Session,
    TrainingKind,
)

ZERO = Decimal("0.0")
HALF = Decimal("0.5")
# SQLite limits the parameters of one statement; a longer id list is asked in slices.
ID_SLICE = 5000

MediatorIds = Iterable[int] | pw.SelectQuery | None


def credit(status: str, hours: Decimal, minutes: int | None, scheduled_minutes: int) -> Decimal:
    """Credited hours of one attendance record."""
    hours = Decimal(hours)
    if status == PRESENT:
        return hours.quantize(Decimal("0.1"))
    if status in (LATE, LEFT_EARLY):
        if not minutes or minutes <= 0 or scheduled_minutes <= 0:
            return ZERO
        minutes = min(minutes, scheduled_minutes)
        exact = hours * minutes / scheduled_minutes
        halves = (exact / HALF).to_integral_value(rounding=ROUND_FLOOR)
        return (halves * HALF).quantize(Decimal("0.1"))
    if status in (ABSENT, LEAVE):
        return ZERO
    raise ValueError(f"unknown attendance status {status!r} (one of {list(ATTENDANCE_STATUSES)})")


def recredit_session(session: Session) -> int:
    """Write every attendance record's credited hours again after the session's 学时 or
    schedule changed; returns the number of records whose figure moved."""
    changed = 0
    with db.atomic():
        for record in Attendance.select().where(Attendance.session == session.id):
            value = credit(record.status, session.hours, record.minutes, session.minutes)
            if Decimal(record.credited) != value:
                Attendance.update(credited=value).where(Attendance.id == record.id).execute()
                changed += 1
    return changed


def _window(query: pw.ModelSelect, start_date: dt.date | None, end_date: dt.date | None,
            kinds: Iterable[str] | None) -> pw.ModelSelect:
    query = query.where(Session.status != CANCELLED, Attendance.credited > 0)
    if start_date is not None:
        query = query.where(Session.start_day >= start_date)
    if end_date is not None:
        query = query.where(Session.start_day <= end_date)
    if kinds is not None:
        query = query.where(Session.kind.in_(
            TrainingKind.select(TrainingKind.id).where(TrainingKind.code.in_(list(kinds)))))
    return query


def _by_mediator(columns: list, mediator_ids: MediatorIds, start_date, end_date, kinds,
                 group_by: list) -> list[tuple]:
    """Rows of `columns` over the attendance of the window, grouped by mediator and
    `group_by`, for the ids asked."""

    def run(ids_condition) -> list[tuple]:
        query = (Attendance.select(Attendance.mediator, *columns)
                 .join(Session, on=(Attendance.session == Session.id)))
        query = _window(query, start_date, end_date, kinds)
        if ids_condition is not None:
            query = query.where(ids_condition)
        # from the cursor: the callers convert the sums (_decimal), and peewee's row
        # conversion of a province's rows costs more than the query
        return list(db.execute(query.group_by(Attendance.mediator, *group_by)))

    if mediator_ids is None:
        return run(None)
    if isinstance(mediator_ids, pw.SelectQuery):
        return run(Attendance.mediator.in_(mediator_ids))
    ids = list(mediator_ids)
    if len(ids) > ID_SLICE:
        # one pass over the window, kept for the ids asked, rather than a pass per slice
        wanted = set(ids)
        return [row for row in run(None) if row[0] in wanted]
    return run(Attendance.mediator.in_(ids)) if ids else []


def _decimal(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


def _keys(mediator_ids: MediatorIds) -> list[int]:
    if mediator_ids is None:
        return []
    if isinstance(mediator_ids, pw.SelectQuery):
        return [row[0] for row in mediator_ids.tuples()]
    return list(mediator_ids)


def credited_hours(mediator_ids: MediatorIds, start_date: dt.date | None,
                   end_date: dt.date | None, kinds: Iterable[str] | None = None
                   ) -> dict[int, Decimal]:
    """Credited hours per mediator over sessions started in [start_date, end_date]."""
    result = {mediator_id: ZERO for mediator_id in _keys(mediator_ids)}
    for mediator_id, total in _by_mediator([pw.fn.SUM(Attendance.credited)], mediator_ids,
                                           start_date, end_date, kinds, []):
        result[mediator_id] = _decimal(total)
    return result


def hours_by_kind(mediator_ids: MediatorIds, start_date: dt.date | None,
                  end_date: dt.date | None) -> dict[int, dict[str, Decimal]]:
    """Credited hours per mediator and kind code (kinds with hours only)."""
    result: dict[int, dict[str, Decimal]] = {m: {} for m in _keys(mediator_ids)}
    codes = dict(TrainingKind.select(TrainingKind.id, TrainingKind.code).tuples())
    for mediator_id, kind_id, total in _by_mediator(
            [Session.kind, pw.fn.SUM(Attendance.credited)], mediator_ids, start_date,
            end_date, None, [Session.kind]):
        result.setdefault(mediator_id, {})[codes[kind_id]] = _decimal(total)
    return result


def participations(mediator_ids: MediatorIds, start_date: dt.date | None,
                   end_date: dt.date | None, kinds: Iterable[str] | None = None
                   ) -> dict[int, int]:
    """Attendance records with credited hours > 0 (人次) per mediator."""
    result = {mediator_id: 0 for mediator_id in _keys(mediator_ids)}
    for mediator_id, count in _by_mediator([pw.fn.COUNT(Attendance.id)], mediator_ids,
                                           start_date, end_date, kinds, []):
        result[mediator_id] = count
    return result


def credited_evidence(mediator_ids: MediatorIds, start_date: dt.date | None,
                      end_date: dt.date | None, kinds: Iterable[str] | None = None
                      ) -> dict[int, tuple[Decimal, list[int]]]:
    """(credited hours, ids of the attendance records summed) per mediator with credited
    hours: the figure of `credited_hours` and the evidence a promotion round freezes with
    it, in one grouped query (the ids joined into one text a mediator by the database)."""
    return {mediator_id: (_decimal(total), split_ids(ids)) for mediator_id, total, ids
            in _by_mediator([pw.fn.SUM(Attendance.credited), id_list(Attendance.id)],
                            mediator_ids, start_date, end_date, kinds, [])}


def mediator_hours(mediator_id: int, start_date: dt.date | None, end_date: dt.date | None,
                   kinds: Iterable[str] | None = None) -> Decimal:
    return credited_hours([mediator_id], start_date, end_date, kinds)[mediator_id]


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
