"""Mediators who took cases before completing pre-service training (岗前培训).

It joins cases (evaluation) with credited hours (training), so it lives in promotion, the one
package above both (evaluation and training never import each other); the 未定级 → 四级 step
reads the same pre-service hours. A mediator completed pre-service training on the day of the session at
which their credited 岗前培训 hours (cumulative, in session order) first reached the
requirement; a case received before that day, or any case without that day, is a finding.
A case received on the completion day itself is not (the session may well come first).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from evaluation.models import Case
from network.models import Organization
from network.tree import in_subtree
from org.grades import grades_on_days
from org.models import UNGRADED, Mediator
from training.models import (
    CANCELLED,
    PRE_SERVICE,
    PRE_SERVICE_HOURS,
    Attendance,
    Session,
    TrainingKind,
)
from training.requirements import graded, requirement

CHUNK = 5000


@dataclass
class PreServiceGap:
    mediator_id: int
    staff_no: str
    name: str
    station_code: str
    first_case: dt.date
    completed_on: dt.date | None
    hours_ever: Decimal


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def completion_days(mediator_ids: pw.SelectQuery | list[int],
                    required: Decimal) -> dict[int, dt.date]:
    """Mediator → the day their pre-service hours reached `required` (one windowed query)."""
    running = pw.fn.SUM(Attendance.credited).over(
        partition_by=[Attendance.mediator], order_by=[Session.start_day, Session.id])
    steps = (Attendance.select(Attendance.mediator.alias("mediator_id"),
                               Session.start_day.alias("day"), running.alias("running"))
             .join(Session, on=(Attendance.session == Session.id))
             .join(TrainingKind, on=(Session.kind == TrainingKind.id))
             .where(TrainingKind.code == PRE_SERVICE, Session.status != CANCELLED,
                    Attendance.credited > 0, Attendance.mediator.in_(mediator_ids))
             .alias("steps"))
    # a float parameter: hours are multiples of 0.5, exact in binary, and SQLite would compare
    # a Decimal's text with its numeric sum as text
    rows = (Attendance.select(steps.c.mediator_id, pw.fn.MIN(steps.c.day))
            .from_(steps).where(steps.c.running >= float(required))
            .group_by(steps.c.mediator_id).tuples())
    return {mediator_id: _as_date(day) for mediator_id, day in rows}


def _completed(people: pw.SelectQuery, first_cases: dict[int, dt.date]) -> dict[int, dt.date]:
    """Completion days against each mediator's own requirement: the default, or the row of
    the grade they held on the day of their first case (when grades have rows of their own:
    one windowed query per distinct requirement, at most one per grade)."""
    default = requirement(PRE_SERVICE_HOURS)
    rows = graded(PRE_SERVICE_HOURS)
    if not rows:
        return completion_days(people, default)
    held = grades_on_days(first_cases)
    groups: dict[Decimal, list[int]] = {}
    for mid in first_cases:
        groups.setdefault(rows.get(held.get(mid, UNGRADED), default), []).append(mid)
    completed: dict[int, dt.date] = {}
    for required, ids in groups.items():
        for i in range(0, len(ids), CHUNK):  # SQLite takes at most 32,766 parameters
            completed.update(completion_days(ids[i:i + CHUNK], required))
    return completed


def cases_before_pre_service(scope: Organization | None) -> list[PreServiceGap]:
    """In the scope (current primary station in the subtree), every mediator whose first
    case came before they completed pre-service training, the earliest first case first."""
    people = (Mediator.select(Mediator.id)
              .join(Organization, on=(Mediator.station == Organization.id))
              .where(in_subtree(Organization.path, scope)))
    first_cases = dict(Case.select(Case.mediator, pw.fn.MIN(Case.received))
                       .where(Case.mediator.in_(people)).group_by(Case.mediator).tuples())
    if not first_cases:
        return []
    completed = _completed(people, {mid: _as_date(day) for mid, day in first_cases.items()})
    late = {mid: _as_date(day) for mid, day in first_cases.items()
            if mid not in completed or _as_date(day) < completed[mid]}
    if not late:
        return []
    hours = dict(Attendance.select(Attendance.mediator, pw.fn.SUM(Attendance.credited))
                 .join(Session, on=(Attendance.session == Session.id))
                 .join(TrainingKind, on=(Session.kind == TrainingKind.id))
                 .where(TrainingKind.code == PRE_SERVICE, Session.status != CANCELLED,
                        Attendance.mediator.in_(list(late)))
                 .group_by(Attendance.mediator).tuples())
    details = (Mediator.select(Mediator.id, Mediator.staff_no, Mediator.name, Organization.code)
               .join(Organization, on=(Mediator.station == Organization.id))
               .where(Mediator.id.in_(list(late))).tuples())
    gaps = [PreServiceGap(mid, no, name, code, late[mid], completed.get(mid),
                          Decimal(str(hours.get(mid) or 0)).quantize(Decimal("0.1")))
            for mid, no, name, code in details]
    return sorted(gaps, key=lambda g: (g.first_case, g.staff_no))
