"""Ranking candidates for an award by a weighted score of their KPIs (评优推荐).

Components and how each is normalised within the candidate set (min–max to 0..1, so that the
best candidate of a component gets 1 and the weakest 0):

- success_rate, closed, agreed_amount, fulfilment_rate: higher is better,
  ``(value − min) / (max − min)``;
- speed: from ``avg_days``, lower is better, ``(max − value) / (max − min)``, taken only over
  the candidates that closed at least one case (a candidate with no closed case has no mean
  and gets 0 for speed).

When every candidate has the same value of a component (including a single candidate) the
component does not separate them and counts 0 for all. The contribution of a component is
its weight (setting ``award.weight_<component>``) × its normalised value; the score is the
sum of the contributions, added in the order above. Scores equal to 9 decimals
(``trunc(score × 10⁹ + 0.5)``) tie; ties are broken by more closed cases, then by code/工号.

A candidate with fewer closed cases than the setting ``award.min_closed`` is not ranked: a rate
over 4 cases says little, and 4 at 100 % must not outrank 60 at 85 %. Such candidates take no
part in the normalisation either (their extremes would squeeze everyone else's), and follow the
ranked ones, most closed cases first, with no score.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import peewee as pw

from network.db import N_, db, is_postgres
from network.models import Organization
from network.settings import get_settings
from org.models import Mediator

from .kpis import Figures, derive, ids_in, own_figures, own_figures_query, reads_cases
from .models import COUNTS

COMPONENTS = {
    "success_rate": N_("调解成功率"),
    "closed": N_("结案数"),
    "agreed_amount": N_("协议金额"),
    "speed": N_("办理速度（平均天数）"),
    "fulfilment_rate": N_("履行率"),
}
MEDIATORS, STATIONS = "mediators", "stations"
TARGETS = {MEDIATORS: N_("调解员"), STATIONS: N_("机构")}


@dataclass
class Candidate:
    subject_id: int
    code: str  # 工号 or 编码: the last tie-break
    figures: Figures
    normalised: dict  # component → 0..1 within the ranked candidates
    contributions: dict  # component → weight × normalised
    score: float = 0.0
    eligible: bool = True  # enough closed cases to be ranked (award.min_closed)
    subject: Mediator | Organization | None = None  # read by `with_subjects`

    @functools.cached_property
    def kpis(self) -> dict:
        """The published KPIs, derived for the rows a table shows."""
        return derive(self.figures)


@dataclass
class Ranking:
    total: int  # candidates, ranked or not
    unranked: int  # below the minimum caseload
    candidates: list[Candidate]  # the part asked for, in ranking order
    offset: int = 0  # of its first candidate (the last part's when asked past the end)


WEIGHT_KEYS = [f"award.weight_{c}" for c in COMPONENTS]


def weights() -> dict[str, float]:
    """{component: weight} as the administrator set them."""
    return _weights_of(get_settings(WEIGHT_KEYS))


def _weights_of(values: dict) -> dict[str, float]:
    return {c: float(values[f"award.weight_{c}"]) for c in COMPONENTS}


# --- the score, in SQL ------------------------------------------------------------------------
# A province ranks 30,000 mediators; its page shows 50. Ranking in Python read every
# candidate's figures into objects (~13 µs each: the page grew 6× from 20,000 to 1M cases, as
# the candidates did). The database ranks them and returns the page.
# Every value below is a float the same IEEE operations give in Python, on both backends:
# integer sums, integer half-up division, then one correctly rounded division; so equal
# candidates tie in the database as they would in a Python sort (tests/evaluation/
# test_nominations.py ranks random ledgers both ways).

def _float(sql: str) -> str:
    return f"CAST({sql} AS DOUBLE PRECISION)"


def _half_up(numerator: str, denominator: str, scale: int) -> str:
    """numerator / denominator rounded half-up to 1/scale, as the float of what `kpis.derive`
    publishes (its Decimals are these quotients; both operands are never negative)."""
    return (f"CASE WHEN {denominator} = 0 THEN {_float(0)} ELSE "
            f"{_float(f'(2 * {numerator} * {scale} + {denominator}) / (2 * {denominator})')}"
            f" / {scale} END")


VALUES = {  # component → its raw value over the figures `f` (speed: the mean days)
    "success_rate": _half_up("f.succeeded", "f.closed", 10_000),
    "closed": _float("f.closed"),
    "agreed_amount": f"{_float('f.agreed_amount_cents')} / 100",
    "speed": f"CASE WHEN f.closed > 0 THEN {_half_up('f.days_sum', 'f.closed', 10)} END",
    "fulfilment_rate": _half_up("f.fulfilled", "f.fulfilment_recorded", 10_000),
}
LOWER_IS_BETTER = {"speed"}
TIE_SCALE = 10 ** 9  # scores equal to 9 decimals tie (float noise must not order them)


def _truncate(sql: str) -> str:
    return f"trunc({sql})" if is_postgres() else f"CAST({sql} AS INTEGER)"


def _ranking_sql(figures: pw.Select, target: str, weight: dict[str, float], minimum: int,
                 offset: int, limit: int | None, carried: bool) -> tuple[str, list]:
    """One statement over `figures` (the rows of `kpis.own_figures_query`): each candidate's
    values, the bounds over the eligible ones, the normalised values, contributions and
    score, ordered as the module docstring says; the part [offset, offset + limit); with
    `carried`, each candidate's figures (COUNTS) after its normalised values and
    contributions."""
    figures_sql, params = figures.sql()
    model, code, _ = _subjects(target)
    p = db.param
    values = ", ".join(f"{sql} AS v_{c}" for c, sql in VALUES.items())
    # per component the lowest value and the spread (NULL when all are equal: counts 0)
    bounds = ", ".join(
        f"MIN(v_{c}) AS lo_{c}, MAX(v_{c}) AS hi_{c}, CASE WHEN MAX(v_{c}) > MIN(v_{c}) THEN "
        f"MAX(v_{c}) - MIN(v_{c}) END AS spread_{c}" for c in COMPONENTS)
    normalised = ", ".join(
        "CASE WHEN r.eligible = 1 THEN COALESCE("
        + (f"(b.hi_{c} - r.v_{c})" if c in LOWER_IS_BETTER else f"(r.v_{c} - b.lo_{c})")
        + f" / b.spread_{c}, {_float(0)}) ELSE {_float(0)} END AS n_{c}" for c in COMPONENTS)
    contributions = ", ".join(f"{_float(p)} * n_{c} AS c_{c}" for c in COMPONENTS)
    score = " + ".join(f"c_{c}" for c in COMPONENTS)
    collate = ' COLLATE "C"' if is_postgres() else ""  # code-point order, as Python's
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    key = _truncate(f"score * {_float(TIE_SCALE)} + {_float(0.5)}")
    returned = ", ".join([*(f"n_{c}" for c in COMPONENTS), *(f"c_{c}" for c in COMPONENTS),
                          *(COUNTS if carried else ())])
    # Unless `carried`, the candidates travel narrow (id, code, closed, the five values)
    # through the ranking and `ranking` reads the figures of the part returned: wide rows
    # through every step cost a third of the time at 30,000 candidates.
    sql = (f"WITH f AS ({figures_sql}), "
           f"r AS (SELECT f.{', f.'.join(COUNTS) if carried else 'closed'}, f.id, "
           f"s.{code.column_name} AS code, "
           f"CASE WHEN f.closed >= {int(minimum)} THEN 1 ELSE 0 END AS eligible, {values} "
           f"FROM f JOIN {model._meta.table_name} s ON s.id = f.id), "
           f"a AS (SELECT COUNT(*) AS total, SUM(1 - eligible) AS unranked FROM r), "
           f"b AS (SELECT {bounds} FROM r WHERE eligible = 1), "
           f"n AS (SELECT r.id, r.code, r.{', r.'.join(COUNTS) if carried else 'closed'}, "
           f"r.eligible, a.total, a.unranked, "
           f"{normalised} FROM r CROSS JOIN a CROSS JOIN b), "
           f"c AS (SELECT n.*, {contributions} FROM n), "
           f"s AS (SELECT c.*, {score} AS score FROM c) "
           f"SELECT id, code, eligible, score, total, unranked, {returned} FROM s "
           f"ORDER BY eligible DESC, CASE WHEN eligible = 1 THEN {key} END DESC, "
           f"closed DESC, code{collate}{page}")
    return sql, [*params, *(weight[c] for c in COMPONENTS)]


def _subjects(target: str) -> tuple[type[pw.Model], pw.Field, tuple[pw.Field, ...]]:
    """(model, its code field, the columns the ranking's table shows) of a target."""
    if target == MEDIATORS:
        return Mediator, Mediator.staff_no, (Mediator.id, Mediator.staff_no, Mediator.name,
                                             Mediator.station)
    return Organization, Organization.code, (Organization.id, Organization.code,
                                             Organization.name, Organization.parent)


def ranking(scope: Organization, target: str, start: dt.date, end: dt.date,
            weight: dict[str, float] | None = None, minimum: int | None = None,
            offset: int = 0, limit: int | None = None) -> Ranking:
    """Mediators (or units) with a case received or closed in `scope`'s subtree over the range,
    ranked (see the module docstring): the part [offset, offset + limit) of it (past the end,
    the last such part), with the counts of the whole. At most two statements whatever the
    number of candidates: the ranking, then (whole years) the figures of the part returned.

    A unit's figures here are the cases registered at that unit itself, so a county station
    and its rooms compete on their own work."""
    if weight is None or minimum is None:  # one read of the settings for both
        values = get_settings(WEIGHT_KEYS + ["award.min_closed"])
        if weight is None:
            weight = _weights_of(values)
        if minimum is None:
            minimum = int(values["award.min_closed"])
    group = "mediator" if target == MEDIATORS else "station"
    figures = own_figures_query(scope, start, end, group)
    # A period read from the cases carries the figures through the ranking: reading a page's
    # again would read its mediators' cases again (a city's quarter at 10M: +200 ms). Whole
    # years read a page's rows by mediator in a few ms (migration 028).
    carried = reads_cases(start, end)
    sql, params = _ranking_sql(figures, target, weight, minimum, offset, limit, carried)
    total = unranked = 0
    # no JIT: a province's quarter costs ~575,000 in the planner's units, past the point where
    # PostgreSQL compiles with inlining and optimisation: 2.4 s of compiling for ~3 s of work
    with db.atomic():
        if is_postgres():
            db.execute_sql("SET LOCAL jit = off")  # until the end of this transaction
        rows = list(db.execute_sql(sql, params))
    counted: dict[int, Figures] = {}
    if rows:
        total, unranked = rows[0][4:6]
        if not carried:  # the figures of the part returned: one more statement, 50 of 30,000
            counted = own_figures(scope, start, end, group,
                                  None if limit is None else [row[0] for row in rows])
    width = len(COMPONENTS)
    found = [Candidate(subject_id, code,
                       Figures.of_row(rest[2 * width:]) if carried else counted[subject_id],
                       dict(zip(COMPONENTS, rest[:width], strict=True)),
                       dict(zip(COMPONENTS, rest[width:2 * width], strict=True)), score,
                       bool(eligible))
             for subject_id, code, eligible, score, _, _, *rest in rows]
    if not found and offset and limit:  # past the end: the last part
        total = ranking(scope, target, start, end, weight, minimum, 0, 1).total
        last = max(0, (total - 1) // limit * limit)
        return ranking(scope, target, start, end, weight, minimum, last, limit) if total \
            else Ranking(0, 0, [], 0)
    return Ranking(int(total), int(unranked), found, offset)


def with_subjects(ranked: list[Candidate], target: str) -> list[Candidate]:
    """The candidates with their mediator (or unit) read; one query."""
    if ranked:
        model, _, columns = _subjects(target)
        found = {s.id: s for s in model.select(*columns).where(
            ids_in(model.id, [c.subject_id for c in ranked]))}
        for c in ranked:
            c.subject = found[c.subject_id]
    return ranked


def nominate(scope: Organization, target: str, start: dt.date, end: dt.date,
             weight: dict[str, float] | None = None,
             minimum: int | None = None) -> list[Candidate]:
    """Every candidate, ranked, with their mediators (or units)."""
    return with_subjects(ranking(scope, target, start, end, weight, minimum).candidates, target)
