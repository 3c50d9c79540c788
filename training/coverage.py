"""Training coverage of an organisation's subtree for a calendar year (domain.md):

- population: mediators whose current primary station is in the subtree and who are 在岗;
- met: those of them whose credited hours in the year reach the annual requirement (inclusive);
- coverage_rate: met / population, half-up to 4 decimals, 0 for an empty population;
- sessions: sessions hosted by the subtree that started in the year and were not cancelled;
- participant_times: attendance records with credited hours > 0 at those sessions;
- hours: credited hours in the year over the population (wherever they trained).

Each figure is one grouped query over the subtree's indexed path prefix, whatever its size.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw

from network.dates import local_today
from network.models import Organization
from network.tree import in_subtree
from org.models import Mediator

from .hours import ZERO, credited_hours, year_bounds
from .models import ANNUAL_HOURS, CANCELLED, Session, YearTotal
from .requirements import grade_day, required_of, requirement, with_required

ON_DUTY = "on"


def population(org: Organization | None) -> pw.ModelSelect:
    """Ids of the 在岗 mediators whose primary station is in the subtree (a sub-select)."""
    return (Mediator.select(Mediator.id)
            .join(Organization, on=(Mediator.station == Organization.id))
            .where(Mediator.status == ON_DUTY, in_subtree(Organization.path, org)))


def rate(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class Coverage:
    org: Organization | None
    year: int
    population: int
    met: int
    coverage_rate: Decimal
    sessions: int
    participant_times: int
    hours: Decimal

    def as_dict(self) -> dict:
        return {"station": self.org.code if self.org is not None else None, "year": self.year,
                "population": self.population, "met": self.met,
                "coverage_rate": f"{self.coverage_rate:.4f}", "sessions": self.sessions,
                "participant_times": self.participant_times, "hours": f"{self.hours:.1f}"}


def _hosted(org: Organization | None, start: dt.date, end: dt.date) -> pw.ModelSelect:
    return (Session.select(Session.id)
            .join(Organization, on=(Session.host == Organization.id))
            .where(in_subtree(Organization.path, org), Session.status != CANCELLED,
                   Session.start_day.between(start, end)))


def coverage(org: Organization | None, year: int, today: dt.date | None = None) -> Coverage:
    """The figures of the module's docstring; each mediator's requirement is their grade's,
    the grade held at `grade_day(year, today)` (today: Shanghai's date unless given, so
    that a page judged on a given day, the coordinator's home, agrees with its at-risk count)."""
    start, end = year_bounds(year)
    people = population(org).count()
    # the year totals training.rollup keeps: one row per mediator with hours, no grouping;
    # each compared with its own grade's requirement when grades have rows of their own
    query, required = with_required(YearTotal.select(), ANNUAL_HOURS, YearTotal.mediator,
                                    grade_day(year, today or local_today()), population(org))
    reached = pw.Case(None, [(YearTotal.hours >= required, 1)], 0)
    met, total = (query.select(pw.fn.SUM(reached), pw.fn.SUM(YearTotal.hours))
                  .where(YearTotal.year == year, YearTotal.mediator.in_(population(org)))
                  .tuples().get())
    hosted = _hosted(org, start, end)
    sessions, times = hosted.select(pw.fn.COUNT(Session.id),
                                    pw.fn.SUM(Session.participants)).tuples().get()
    hours = Decimal(str(total or 0)).quantize(Decimal("0.1"))
    met = int(met or 0)
    return Coverage(org, year, people, met, rate(met, people), sessions or 0,
                    int(times or 0), hours or ZERO)


def coverage_by_child(org: Organization | None, year: int,
                      today: dt.date | None = None) -> list[Coverage]:
    """The next level down (for drilling like the dashboard): each direct sub-unit's figures."""
    children = (Organization.select().where(Organization.parent.is_null()) if org is None
                else Organization.select().where(Organization.parent == org.id))
    return [coverage(child, year, today) for child in children.order_by(Organization.code)]


@dataclass
class MediatorStanding:
    mediator_id: int
    staff_no: str
    name: str
    station_code: str
    hours: Decimal
    required: Decimal

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.hours, ZERO)

    @property
    def met(self) -> bool:
        return self.hours >= self.required


def standings(org: Organization | None, year: int,
              today: dt.date | None = None) -> list[MediatorStanding]:
    """The mediators behind the figures: every member of the population, their hours and what
    their grade requires (the grade held at `grade_day`, judged on `today`)."""
    start, end = year_bounds(year)
    default = requirement(ANNUAL_HOURS)
    people = list(Mediator.select(Mediator.id, Mediator.staff_no, Mediator.name,
                                  Organization.code)
                  .join(Organization, on=(Mediator.station == Organization.id))
                  .where(Mediator.id.in_(population(org))).order_by(Mediator.staff_no).tuples())
    hours = credited_hours(population(org), start, end)
    own = required_of(ANNUAL_HOURS, [p[0] for p in people],
                      grade_day(year, today or local_today()),
                      among=population(org))
    return [MediatorStanding(mid, no, name, code, hours.get(mid, ZERO), own.get(mid, default))
            for mid, no, name, code in people]


def months_left(year: int, today: dt.date) -> int:
    """Months of the year still to run, the current one included (0 once the year is over)."""
    if today.year < year:
        return 12
    if today.year > year:
        return 0
    return 12 - today.month + 1


def at_risk(org: Organization | None, year: int, today: dt.date) -> list[MediatorStanding]:
    """Mediators who need more hours per remaining month than the normal pace (requirement /
    12) to meet the requirement, the furthest behind first; after the year, all who missed."""
    left = months_left(year, today)
    result = []
    for standing in standings(org, year, today):
        if standing.met:
            continue
        if left == 0 or standing.missing / left > standing.required / 12:
            result.append(standing)
    return sorted(result, key=lambda s: (-s.missing, s.staff_no))


def at_risk_count(org: Organization | None, year: int, today: dt.date) -> int:
    """How many `at_risk` would list, counted in SQL from the year totals (the home page of a
    province: 30,000 mediators' standings built only to be counted took ~0.7 s).

    missing / left > required / 12 ⇔ hours × 12 < required × (12 − left), which also holds
    after the year (left 0: hours < required); hours are multiples of 0.5, exact as floats."""
    months = 12 - months_left(year, today)
    if months <= 0:
        return 0
    query, required = with_required(YearTotal.select(), ANNUAL_HOURS, YearTotal.mediator,
                                    grade_day(year, today), population(org))
    people = population(org).count()
    on_pace = query.where(YearTotal.year == year, YearTotal.mediator.in_(population(org)),
                          YearTotal.hours * 12 >= required * months).count()
    return people - on_pace
