"""Eligibility for the next grade on a reference date, with every criterion explained.

The one place that reads domain.md's rules (section Grades and promotion):

- the window is the 12 months before the reference date D: [D − 1 year, D − 1 day];
- months at grade = 12·(D.year − start.year) + (D.month − start.month), minus 1 when
  D.day < start.day, from the grade's effective date (入职日期 for 未定级);
- closed cases and success rate are the KPI definitions over the cases concluded in the window
  whose 调解员 is the mediator, whatever their station (success rate half-up to 4 decimals,
  0 with no closed case);
- training hours are credited hours of sessions started in the window, or, for a step whose
  hours count "ever" (未定级 → 四级: 岗前培训 only), of every session started before D;
- no upheld complaint dated in the window, both ends included;
- a mediator not 在岗 is never eligible; 一级 has no next grade and no criteria.

Everything is computed set-based: a province's 30,000 mediators cost one query per source
(grade history, cases, complaints) and one call of training.hours per hours rule of the ladder.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

import peewee as pw

from evaluation.kpis import closed_by_mediator, closed_case_ids, success_rate
from network.db import db
from org.complaints import upheld_complaint_ids, upheld_complaints
from org.grades import UNGRADED_STANDING, ladder, standings
from org.models import GradeStep, Mediator
from training.hours import credited_evidence, credited_hours
from training.models import PRE_SERVICE

KEYS = ("months_at_grade", "closed_cases", "success_rate", "training_hours",
        "no_upheld_complaint")
ACTIVE = "on"  # Mediator.status 在岗


class Criterion(NamedTuple):
    key: str
    required: Any
    actual: Any
    met: bool

    def as_dict(self) -> dict:
        return {"key": self.key, "required": _plain(self.required),
                "actual": _plain(self.actual), "met": self.met}

    def shortfall(self) -> Any:
        """What is missing ("还需结案 4 件"): required − actual for the thresholds, the upheld
        complaints still in the window for no_upheld_complaint; None when met (or when the
        actual value is unknown: a 未定级 mediator without 入职日期)."""
        if self.met or self.actual is None:
            return None
        if self.key == "no_upheld_complaint":
            return self.actual
        return self.required - self.actual


class Eligibility(NamedTuple):
    """Tuples, not dataclasses: a province builds 30,000 of them with 150,000 criteria."""

    mediator_id: int
    staff_no: str
    station_id: int
    as_of: dt.date
    window: tuple[dt.date, dt.date]
    active: bool
    grade: str
    grade_since: dt.date | None
    next_grade: str | None
    eligible: bool
    criteria: tuple[Criterion, ...]
    # ids behind the figures ({"cases", "attendance", "complaints"}), when asked for
    evidence: dict | None = None

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)

    def as_dict(self) -> dict:
        return {"staff_no": self.staff_no, "grade": self.grade,
                "grade_since": self.grade_since.isoformat() if self.grade_since else None,
                "next_grade": self.next_grade, "eligible": self.eligible,
                "criteria": [c.as_dict() for c in self.criteria]}


def _plain(value: Any) -> Any:
    """Decimals as their exact text ("0.6000", "20.0"): JSON numbers would round them."""
    return str(value) if isinstance(value, Decimal) else value


def year_before(day: dt.date) -> dt.date:
    """D − 1 year; 29 February goes back to 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def window(day: dt.date) -> tuple[dt.date, dt.date]:
    """[D − 1 year, D − 1 day], both ends included."""
    return year_before(day), day - dt.timedelta(days=1)


def months_between(start: dt.date, day: dt.date) -> int:
    """Whole months from `start` to `day` (domain.md's formula, its day rule included)."""
    months = 12 * (day.year - start.year) + (day.month - start.month)
    return months - 1 if day.day < start.day else months


def _hours_rule(step: GradeStep) -> tuple[bool, bool]:
    return bool(step.pre_service_only), bool(step.hours_ever)


# Above this many mediators under one hours rule, training.hours is asked for everyone in
# the set through the id sub-select (one scan) rather than for a list of ids (one statement
# per 5,000 ids), and the answer is cut down to the rule's mediators.
LIST_LIMIT = 1000


def _hours(groups: dict[tuple[bool, bool], list[int]], day: dt.date, everyone: Any,
           source=credited_hours) -> dict[int, Any]:
    """Credited hours (or, with `source=credited_evidence`, the hours and the ids of the
    records behind them) per mediator under their step's rule: one call per rule."""
    start, end = window(day)
    out: dict[int, Any] = {}
    for (pre_service_only, ever), ids in groups.items():
        if not ids:
            continue
        found = source(everyone if len(ids) > LIST_LIMIT else ids, None if ever else start,
                       end, [PRE_SERVICE] if pre_service_only else None)
        out.update({mediator_id: found[mediator_id] for mediator_id in ids
                    if mediator_id in found})
    return out


class Person(NamedTuple):
    """The mediator columns eligibility reads (a province's rows are read as plain tuples)."""

    id: int
    staff_no: str
    station_id: int
    joined: dt.date | None
    status: str


PERSON_FIELDS = (Mediator.id, Mediator.staff_no, Mediator.station, Mediator.joined,
                 Mediator.status)


def _people(mediators: pw.ModelSelect | Iterable[Mediator]) -> list[Person]:
    if isinstance(mediators, pw.ModelSelect):
        # straight from the cursor (peewee's row conversion costs more than the query);
        # SQLite may hand 入职日期 back as ISO text
        return [Person(n, no, station, dt.date.fromisoformat(joined)
                       if isinstance(joined, str) else joined, status)
                for n, no, station, joined, status
                in db.execute(mediators.clone().select(*PERSON_FIELDS))]
    return [Person(m.id, m.staff_no, m.station_id, m.joined, m.status) for m in mediators]


class Thresholds(NamedTuple):
    """A step's requirements in the precision they are compared at, computed once a call."""

    step: GradeStep
    rate: Decimal | None
    hours: Decimal


def _thresholds(steps: dict[str, GradeStep]) -> dict[str, Thresholds]:
    return {grade: Thresholds(
        step, None if step.success_rate is None
        else Decimal(step.success_rate).quantize(Decimal("0.0001")),
        Decimal(step.training_hours).quantize(Decimal("0.1"))) for grade, step in steps.items()}


def eligibility_many(mediators: pw.ModelSelect | Iterable[Mediator], day: dt.date,
                     evidence: bool = False) -> dict[int, Eligibility]:
    """{mediator id: Eligibility on `day`} for a query (or list) of mediators.

    The query is read once for the people, and serves as the id sub-select of every other
    query, so the cost does not grow with one statement per mediator. `evidence` adds the
    ids of the cases, attendance records and complaints behind the figures (a round's
    snapshot keeps them), read instead of the sums and counted here.
    """
    people = _people(mediators)
    if not people:
        return {}
    ids = (mediators.clone().select(Mediator.id).order_by()
           if isinstance(mediators, pw.ModelSelect) else [p.id for p in people])
    start, end = window(day)
    steps = _thresholds(ladder())
    grades = standings(ids, day)
    groups: dict[tuple[bool, bool], list[int]] = {}
    for person in people:
        rule = steps.get(grades.get(person.id, UNGRADED_STANDING).grade)
        if rule is not None:
            groups.setdefault(_hours_rule(rule.step), []).append(person.id)
    proofs: dict[int, dict] = {}
    if evidence:
        # the rows behind the figures, and the figures counted from them: the same
        # conditions as the sums below, one read of each source instead of two
        case_rows = closed_case_ids(ids, start, end)
        records = _hours(groups, day, ids, credited_evidence)
        complaint_ids = upheld_complaint_ids(ids, start, end)
        cases = {m: (len(found), succeeded) for m, (found, succeeded) in case_rows.items()}
        hours = {m: total for m, (total, _) in records.items()}
        complaints = {m: len(found) for m, found in complaint_ids.items()}
        proofs = {person.id: {"cases": case_rows[person.id][0] if person.id in case_rows
                              else [],
                              "attendance": records[person.id][1] if person.id in records
                              else [],
                              "complaints": complaint_ids.get(person.id, [])}
                  for person in people}
    else:
        cases = closed_by_mediator(ids, start, end)
        complaints = upheld_complaints(ids, start, end)
        hours = _hours(groups, day, ids)
    span = (start, end)
    zero = Decimal("0.0")
    return {person.id: _explain(person, day, span, grades.get(person.id, UNGRADED_STANDING),
                                steps, cases.get(person.id, (0, 0)),
                                hours.get(person.id, zero), complaints.get(person.id, 0),
                                proofs.get(person.id))
            for person in people}


def eligibility(mediator: Mediator, day: dt.date) -> Eligibility:
    return eligibility_many([mediator], day)[mediator.id]


def _explain(person: Person, day: dt.date, span: tuple[dt.date, dt.date], standing,
             steps: dict[str, Thresholds], case_counts: tuple[int, int], hours: Decimal,
             upheld: int, proof: dict | None) -> Eligibility:
    active = person.status == ACTIVE
    rule = steps.get(standing.grade)
    if rule is None:  # 一级, the top of the ladder
        return Eligibility(person.id, person.staff_no, person.station_id, day, span, active,
                           standing.grade, standing.since, None, False, (), proof)
    step = rule.step
    since = standing.since if standing.since is not None else person.joined
    months = months_between(since, day) if since is not None else None
    closed, succeeded = case_counts
    criteria = [
        Criterion("months_at_grade", step.months_at_grade, months,
                  months is not None and months >= step.months_at_grade),
        Criterion("closed_cases", step.closed_cases, closed, closed >= step.closed_cases),
    ]
    if rule.rate is not None:
        rate = success_rate(succeeded, closed)
        criteria.append(Criterion("success_rate", rule.rate, rate, rate >= rule.rate))
    criteria += [
        Criterion("training_hours", rule.hours, hours, hours >= rule.hours),
        Criterion("no_upheld_complaint", 0, upheld, upheld == 0),
    ]
    return Eligibility(person.id, person.staff_no, person.station_id, day, span, active,
                       standing.grade, standing.since, step.to_grade,
                       active and all(c.met for c in criteria), tuple(criteria), proof)


def close_to_eligibility(mediators: pw.ModelSelect | Iterable[Mediator], day: dt.date,
                         max_unmet: int = 1) -> list[Eligibility]:
    """Mediators in 在岗 with a next grade who miss at most `max_unmet` criteria (the
    managers' list of who is nearly there), fewest missing first, then by 工号."""
    near = [e for e in eligibility_many(mediators, day).values()
            if e.active and e.next_grade is not None and not e.eligible
            and sum(not c.met for c in e.criteria) <= max_unmet]
    return sorted(near, key=lambda e: (sum(not c.met for c in e.criteria), e.staff_no))
