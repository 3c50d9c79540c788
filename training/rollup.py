"""Figures kept beside the attendance so that a province's coverage reads a few thousand
rows: each session's participant count (人次) and each mediator's credited hours per
calendar year and kind (YearHours).

One function keeps both: `refresh_sessions(ids)` recomputes the counts of those sessions and
the year rows (per kind, and in all) of everyone who attended them, for the sessions' years
(and `extra_years`, the year a session moved away from). Every write path calls it but the
import: recording attendance, a change of a session's hours, kind, date or status.
Recomputing from the attendance, instead of adding differences, keeps the figures right
whatever changed.

The attendance import is the exception (`Changes`): it knows each record's former and new
credited hours, all at sessions that are not cancelled, so it adds the differences to the
rows of the sessions and mediators it touched, a few set-based statements per file; redoing
every participant's year from the attendance cost seconds a file (tests/bench/README.md).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

import peewee as pw

from network import bulk
from network.db import db

from .models import CANCELLED, Attendance, Session, YearHours, YearTotal

SLICE = 5000  # ids per statement (SQLite's parameter limit)


def _slices(ids: list[int]) -> Iterable[list[int]]:
    for at in range(0, len(ids), SLICE):
        yield ids[at:at + SLICE]


def refresh_sessions(session_ids: Iterable[int], extra_years: Iterable[int] = ()) -> None:
    ids = sorted(set(session_ids))
    if not ids:
        return
    years: set[int] = set(extra_years)
    for chunk in _slices(ids):
        counted = (Attendance.select(pw.fn.COUNT(Attendance.id))
                   .where(Attendance.session == Session.id, Attendance.credited > 0))
        Session.update(participants=counted).where(Session.id.in_(chunk)).execute()
        years |= {day.year for (day,) in Session.select(Session.start_day)
                  .where(Session.id.in_(chunk)).distinct().tuples()}
    people: set[int] = set()
    for chunk in _slices(ids):
        people |= {m for (m,) in Attendance.select(Attendance.mediator)
                   .where(Attendance.session.in_(chunk)).distinct().tuples()}
    refresh_mediators(people, years)


def refresh_mediators(mediator_ids: Iterable[int], years: Iterable[int]) -> None:
    """Recompute the YearHours rows of these mediators for these years."""
    people = sorted(set(mediator_ids))
    for year in sorted(set(years)):
        for chunk in _slices(people):
            YearHours.delete().where(YearHours.year == year,
                                     YearHours.mediator.in_(chunk)).execute()
            sums = (Attendance.select(Attendance.mediator, pw.Value(year), Session.kind,
                                      pw.fn.SUM(Attendance.credited),
                                      pw.fn.COUNT(Attendance.id))
                    .join(Session, on=(Attendance.session == Session.id))
                    .where(Attendance.mediator.in_(chunk), Attendance.credited > 0,
                           Session.status != CANCELLED,
                           Session.start_day.between(dt.date(year, 1, 1),
                                                     dt.date(year, 12, 31)))
                    .group_by(Attendance.mediator, Session.kind))
            YearHours.insert_from(sums, [YearHours.mediator, YearHours.year, YearHours.kind,
                                         YearHours.hours, YearHours.participations]).execute()
            YearTotal.delete().where(YearTotal.year == year,
                                     YearTotal.mediator.in_(chunk)).execute()
            totals = (YearHours.select(YearHours.mediator, YearHours.year,
                                       pw.fn.SUM(YearHours.hours),
                                       pw.fn.SUM(YearHours.participations))
                      .where(YearHours.year == year, YearHours.mediator.in_(chunk))
                      .group_by(YearHours.mediator, YearHours.year))
            YearTotal.insert_from(totals, [YearTotal.mediator, YearTotal.year, YearTotal.hours,
                                           YearTotal.participations]).execute()


def rebuild() -> None:
    """Everything again from the attendance (after a bulk load, or to check)."""
    YearHours.delete().execute()
    YearTotal.delete().execute()
    ids = [i for (i,) in Session.select(Session.id).tuples()]
    refresh_sessions(ids)


class Changes:
    """What records written at sessions that are not cancelled change in the kept figures:
    each record's credited hours counted out (`remove`, its former value) and in (`add`)."""

    def __init__(self) -> None:
        self.participants: Counter[int] = Counter()
        # (mediator, year, kind) → [hours, participations]
        self.hours: defaultdict[tuple[int, int, int], list] = defaultdict(
            lambda: [Decimal(0), 0])
        # (mediator, year) → [hours, participations], summed as the records come: an import
        # adds them while the database still takes its rows, not after
        self.totals: defaultdict[tuple[int, int], list] = defaultdict(lambda: [Decimal(0), 0])

    def add(self, session_id: int, mediator_id: int, year: int, kind_id: int,
            credited: Decimal, sign: int = 1) -> None:
        if credited > 0:  # only records with credited hours count (人次, year rows)
            self.participants[session_id] += sign
            change = credited * sign
            for cell in (self.hours[(mediator_id, year, kind_id)],
                         self.totals[(mediator_id, year)]):
                cell[0] += change
                cell[1] += sign

    def remove(self, session_id: int, mediator_id: int, year: int, kind_id: int,
               credited: Decimal) -> None:
        self.add(session_id, mediator_id, year, kind_id, credited, -1)

    def apply(self, run: bulk.Runner | None = None) -> None:
        """Add the differences to the sessions' counts and the year rows (inserting the rows
        that do not exist yet), then drop the year rows left without any participation, as
        a recompute would not write them. `run`: each statement through it (an import's
        bulk.Inserter.execute, behind its rows), not db.execute_sql."""
        run = run or db.execute_sql
        bulk.add(Session, ["participants"],
                 [(s, (n,)) for s, n in sorted(self.participants.items()) if n], run=run)
        rows = [(*key, hours, n) for key, (hours, n) in sorted(self.hours.items())
                if n or hours]
        bulk.upsert_add(YearHours, ["mediator", "year", "kind"], ["hours", "participations"],
                        rows, run=run)
        bulk.upsert_add(YearTotal, ["mediator", "year"], ["hours", "participations"],
                        [(*key, hours, n) for key, (hours, n) in sorted(self.totals.items())
                         if n or hours], run=run)
        emptied: defaultdict[int, set[int]] = defaultdict(set)
        for mediator, year, _, _, n in rows:
            if n < 0:
                emptied[year].add(mediator)
        for year, people in sorted(emptied.items()):
            for chunk in _slices(sorted(people)):
                for model in (YearHours, YearTotal):
                    run(*model.delete().where(model.year == year, model.mediator.in_(chunk),
                                              model.participations <= 0).sql())
