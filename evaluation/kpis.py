"""The twelve case KPIs (received, closed, success rate, amounts, days, …): the one place that
defines them, as the mediation networks publish them.

Every page, chart, export and API answer asks this module. A figure for an organisation (its
whole subtree) over [start, end] is the sum of its rollup rows for the whole months inside the
range plus the edge days before/after them: the day rollups of its descendants and its own cases
counted straight from the case table (or, for an edge month mostly inside the range, that month's
rollup minus the few days outside: `plan_range`).
`kpis_direct` counts everything from the cases: the cross-check of the rollups.

Raw sums (`Figures`) are numerators and denominators; `derive` turns them into the published
KPIs (rates and means rounded half-up, amounts as exact Decimals).
"""
from __future__ import annotations

import datetime as dt
import functools
import operator
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import peewee as pw

from network.dates import month_end
from network.db import db, id_list, is_postgres, split_ids
from network.models import Organization
from network.tree import subtree_ids

from .models import (
    CONCLUDED,
    COUNTS,
    FAILURE,
    FULFILLED,
    ONLINE,
    SUCCESS,
    WITHDRAWN,
    Case,
    DayRollup,
    MediatorRollup,
    Rollup,
)

KPI_KEYS = ("received", "closed", "succeeded", "failed", "withdrawn", "success_rate",
            "amount_involved", "agreed_amount", "avg_days", "online", "judicial_confirmed",
            "fulfilment_rate")
CLOSED_COUNTS = COUNTS[1:]  # everything but `received` counts concluded cases by 结案日期

CENT = Decimal("0.01")


class Figures(dict):
    """Raw sums keyed by `models.COUNTS`; adds and subtracts like a vector."""

    def __init__(self, values: dict | None = None):
        super().__init__({k: 0 for k in COUNTS})
        for key, value in (values or {}).items():
            self[key] = int(value or 0)

    @classmethod
    def of_row(cls, values) -> Figures:
        """From a database row's values in the order of COUNTS (a province's 30,000 mediators
        are 30,000 of these: the keyword path cost 5 µs each)."""
        fig = cls.__new__(cls)
        dict.__init__(fig, zip(COUNTS, [int(v or 0) for v in values], strict=True))
        return fig

    def add(self, other: dict, sign: int = 1) -> Figures:
        for key in COUNTS:
            value = other.get(key)
            if value:  # most figures of a case are 0: skip the int() and the store
                self[key] += sign * int(value)
        return self

    def is_zero(self) -> bool:
        return not any(self.values())


def _rate(numerator: int, denominator: int, places: str) -> Decimal:
    if not denominator:
        return Decimal(places) * 0
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def success_rate(succeeded: int, closed: int) -> Decimal:
    """succeeded / closed, half-up to 4 decimals; 0 with no closed case."""
    return _rate(succeeded, closed, "0.0001")


def derive(fig: Figures) -> dict:
    """The published KPIs from raw sums (domain.md): rates 4 dp, avg_days 1 dp, yuan 2 dp."""
    return {
        "received": fig["received"],
        "closed": fig["closed"],
        "succeeded": fig["succeeded"],
        "failed": fig["failed"],
        "withdrawn": fig["withdrawn"],
        "success_rate": success_rate(fig["succeeded"], fig["closed"]),
        "amount_involved": (Decimal(fig["amount_involved_cents"]) * CENT).quantize(CENT),
        "agreed_amount": (Decimal(fig["agreed_amount_cents"]) * CENT).quantize(CENT),
        "avg_days": _rate(fig["days_sum"], fig["closed"], "0.1"),
        "online": fig["online"],
        "judicial_confirmed": fig["judicial_confirmed"],
        "fulfilment_rate": _rate(fig["fulfilled"], fig["fulfilment_recorded"], "0.0001"),
    }


# --- what one case contributes (Python side of the definitions) ---------------------------------

def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)).quantize(CENT) * 100)


def closed_vector(result: str, method: str, judicial_confirmed: bool, fulfilment: str | None,
                  received: dt.date, closed: dt.date | None, amount_involved: Decimal | None,
                  agreed_amount: Decimal | None) -> tuple[int, ...] | None:
    """What a concluded case adds in its 结案 month, in the order of COUNTS (`received` 0);
    None for a case still open. Plain arguments and a tuple: the import calls it per row."""
    if result not in CONCLUDED or closed is None:
        return None
    if result != SUCCESS:
        return (0, 1, 0, int(result == FAILURE), int(result == WITHDRAWN), int(method == ONLINE),
                0, 0, 0, (closed - received).days, cents(amount_involved), 0)
    return (0, 1, 1, 0, 0, int(method == ONLINE), int(bool(judicial_confirmed)),
            int(fulfilment == FULFILLED), int(fulfilment is not None), (closed - received).days,
            cents(amount_involved), cents(agreed_amount))


def case_contribution(case: Case, by_day: bool = False) -> dict[dt.date, Figures]:
    """{month: figures} that one case adds: received in its 受理 month, the rest in its 结案 month
    ({day: figures} on those days with `by_day`)."""
    bucket = (lambda day: day) if by_day else month_start
    out: dict[dt.date, Figures] = {bucket(case.received): Figures({"received": 1})}
    vector = closed_vector(case.result, case.method, case.judicial_confirmed, case.fulfilment,
                           case.received, case.closed, case.amount_involved, case.agreed_amount)
    if vector is not None:
        closed = Figures(dict(zip(COUNTS, vector, strict=True)))
        month = bucket(case.closed)
        if month in out:
            out[month].add(closed)
        else:
            out[month] = closed
    return out


# --- the same definitions as SQL aggregates over the case table ---------------------------------

def _when(condition: pw.Node, value=1) -> pw.Node:
    return pw.Case(None, [(condition, value)], 0)


def _cents_sql(field: pw.Field) -> pw.Node:
    # Integer cents per row, then an integer SUM: exact on both backends.
    return pw.Cast(pw.fn.ROUND(pw.fn.COALESCE(field, 0) * 100), "BIGINT")


def _days_sql() -> pw.Node:
    if is_postgres():
        return Case.closed - Case.received
    return pw.Cast(pw.fn.julianday(Case.closed) - pw.fn.julianday(Case.received), "INTEGER")


def as_date(value) -> dt.date | None:
    """A date column's value as a date (SQLite may hand back its ISO text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def month_of(text: str) -> dt.date:
    """The first day of a `month_sql` key ('2024-03' → 2024-03-01)."""
    year, month = (int(x) for x in text.split("-"))
    return dt.date(year, month, 1)


def month_sql(field: pw.Field) -> pw.Node:
    """'YYYY-MM' of a date column on either backend."""
    # coerce(False): text as it comes; peewee would otherwise try the date column's parsers
    # on every 'YYYY-MM' (three failed strptime calls per grouped row)
    if is_postgres():
        return pw.fn.to_char(field, "YYYY-MM").coerce(False)
    return pw.fn.strftime("%Y-%m", field).coerce(False)


def closed_terms() -> list[pw.Node]:
    """What one concluded case adds to each of CLOSED_COUNTS, as SQL over its row."""
    succeeded = Case.result == SUCCESS
    return [
        pw.Value(1, converter=False),
        _when(succeeded),
        _when(Case.result == FAILURE),
        _when(Case.result == WITHDRAWN),
        _when(Case.method == ONLINE),
        _when(succeeded & (Case.judicial_confirmed == True)),  # noqa: E712
        _when(succeeded & (Case.fulfilment == FULFILLED)),
        _when(succeeded & Case.fulfilment.is_null(False)),
        _days_sql(),
        _cents_sql(Case.amount_involved),
        _when(succeeded, _cents_sql(Case.agreed_amount)),
    ]


def closed_aggregates() -> list[pw.Node]:
    # SUM(days) coerce(False): an integer, not a date
    return [pw.fn.COUNT(Case.id), *[pw.fn.SUM(term).coerce(False)
                                    for term in closed_terms()[1:]]]


EDGE_DAYS = 62  # at most two partial months


def in_ranges(field: pw.Field, ranges: list[tuple[dt.date, dt.date]]) -> pw.Node:
    """`field` in any of the ranges. SQLite answers `BETWEEN … OR BETWEEN …` by scanning the
    case table; the few edge days of a range, listed (`IN`), it looks up in the
    (station, date) indexes instead (tests/bench)."""
    if len(ranges) > 1 and not is_postgres():
        days = [start + dt.timedelta(days=i) for start, end in ranges
                for i in range((end - start).days + 1)]
        if len(days) <= EDGE_DAYS:
            return field.in_(days)
    cond = None
    for start, end in ranges:
        part = field.between(start, end)
        cond = part if cond is None else (cond | part)
    return cond


def case_figures(where: pw.Node | None, ranges: list[tuple[dt.date, dt.date]],
                 group: str | None = None) -> dict:
    """Figures counted from cases matching `where` in the given date ranges: {key: Figures}.

    `group` is None (one key, None), "station", "mediator", "month" ('YYYY-MM'),
    "station_month" or "day".
    Two grouped queries: received by 受理日期, the closed figures by 结案日期.
    """
    out: dict = {}
    if not ranges:
        return out
    for date_field, columns, aggregates in (
            (Case.received, ("received",), [pw.fn.COUNT(Case.id)]),
            (Case.closed, CLOSED_COUNTS, closed_aggregates())):
        keys = {None: [], "station": [Case.station], "mediator": [Case.mediator],
                "month": [month_sql(date_field)],
                "station_month": [Case.station, month_sql(date_field)],
                "day": [date_field]}[group]
        cond = in_ranges(date_field, ranges)
        if date_field is Case.closed:
            cond &= Case.result.in_(CONCLUDED)
        if where is not None:
            cond &= where
        query = Case.select(*keys, *aggregates).where(cond)
        if keys:
            query = query.group_by(*keys)
        for row in query.tuples():
            key = tuple(row[:len(keys)])
            key = key[0] if len(key) == 1 else (key or None)
            values = row[len(keys):]
            if not keys and not values[0]:
                continue
            out.setdefault(key, Figures()).add(dict(zip(columns, values, strict=True)))
    return out


def in_org(org: Organization) -> pw.Node:
    """Cases of `org`'s whole subtree (an indexed sub-select on organisation paths)."""
    return Case.station.in_(subtree_ids(org))


# --- ranges: whole months from rollups, edge days from cases ------------------------------------

def split_range(start: dt.date, end: dt.date):
    """(first whole month, last whole month) or None, and the edge day ranges around them."""
    first = start if start.day == 1 else month_end(start) + dt.timedelta(days=1)
    last_end = end if end == month_end(end) else month_start(end) - dt.timedelta(days=1)
    if first > last_end:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - dt.timedelta(days=1)))
    if last_end < end:
        edges.append((last_end + dt.timedelta(days=1), end))
    return (first, month_start(last_end)), edges


class RangePlan(NamedTuple):
    """How to count [start, end]: rollup rows of `months` (first, last month), plus the cases
    of the `add` day ranges, minus the cases of the `subtract` day ranges."""

    months: tuple[dt.date, dt.date] | None
    add: list[tuple[dt.date, dt.date]]
    subtract: list[tuple[dt.date, dt.date]]


def _days(span: tuple[dt.date, dt.date]) -> int:
    return (span[1] - span[0]).days + 1


def plan_range(start: dt.date, end: dt.date) -> RangePlan:
    """`split_range`, but a partial month that covers most of its month is counted as the
    whole month's rollup minus the days outside the range: a rolling year from 2 December is
    then one day of cases to read at each end instead of thirty-one."""
    months, edges = split_range(start, end)
    first, last = months if months is not None else (None, None)
    add, subtract = [], []
    pieces = []
    for a, b in edges:  # with no whole month, the one edge may reach into the next month
        if month_start(a) != month_start(b):
            pieces += [(a, month_end(a)), (month_start(b), b)]
        else:
            pieces.append((a, b))
    for a, b in pieces:
        month, month_last = month_start(a), month_end(a)
        outside = ([(month, a - dt.timedelta(days=1))] if a > month else []) + (
            [(b + dt.timedelta(days=1), month_last)] if b < month_last else [])
        if sum(_days(span) for span in outside) < _days((a, b)):
            subtract.extend(outside)
            first = month if first is None or month < first else first
            last = month if last is None or month > last else last
        else:
            add.append((a, b))
    return RangePlan((first, last) if first is not None else None, add, subtract)


def ids_in(field: pw.Field, ids: list[int]) -> pw.Node:
    """`field IN ids`. On PostgreSQL one array parameter: peewee compiles an `IN` list value
    by value, and the warnings of a province (3,167 stations in several such lists) spent
    ~0.4 s of a 1.7 s home page only building their SQL (tests/bench/README.md)."""
    if is_postgres() and len(ids) > 50:
        array = "{" + ",".join(str(int(i)) for i in ids) + "}"
        return pw.NodeList((field, pw.SQL("= ANY(%s::bigint[])", [array])))
    return field.in_(ids)


def _day_figures(org_ids: list[int], ranges: list[tuple[dt.date, dt.date]],
                 group: str | None) -> dict:
    """Figures of the subtrees of `org_ids` on the days of `ranges`: their descendants' day
    rollups plus their own cases. {org id | month | None: Figures} as `group` is
    "organization", "month" or None."""
    if not ranges or not org_ids:
        return {}
    cond = None
    for start, end in ranges:
        part = DayRollup.day.between(start, end)
        cond = part if cond is None else (cond | part)
    keys = {"organization": [DayRollup.organization], "month": [month_sql(DayRollup.day)],
            None: []}[group]
    query = (DayRollup.select(*keys, *[pw.fn.SUM(getattr(DayRollup, c)) for c in COUNTS])
             .where(ids_in(DayRollup.organization, org_ids) & cond))
    if keys:
        query = query.group_by(*keys)
    out: dict = {}
    for row in query.tuples():
        if keys or row[len(keys)] is not None:  # no row: SUMs of nothing are NULL
            out[row[0] if keys else None] = Figures(dict(zip(COUNTS, row[len(keys):],
                                                             strict=True)))
    own = Case.station == org_ids[0] if len(org_ids) == 1 else ids_in(Case.station, org_ids)
    for key, fig in case_figures(own, ranges, {"organization": "station"}.get(group, group)
                                 ).items():
        out.setdefault(key, Figures()).add(fig)
    if group == "month":
        out = {month_of(key): fig for key, fig in out.items()}
    return out


def plan_edges(org_ids: list[int], plan: RangePlan, group: str | None = None) -> dict:
    """The day part of a plan for the subtrees of `org_ids`: figures of the added days minus
    those of the subtracted days, {key: Figures} as `_day_figures` groups them."""
    out = _day_figures(org_ids, plan.add, group)
    for key, fig in _day_figures(org_ids, plan.subtract, group).items():
        out.setdefault(key, Figures()).add(fig, -1)
    return out


def rollup_figures(org_ids: list[int], months: tuple[dt.date, dt.date] | None,
                   group: str | None = None) -> dict:
    """Summed rollup rows of the organisations over whole months: {org id | month | None: Figures}."""
    if months is None or not org_ids:
        return {}
    keys = {"organization": [Rollup.organization], "month": [Rollup.month], None: []}[group]
    query = (Rollup.select(*keys, *[pw.fn.SUM(getattr(Rollup, c)) for c in COUNTS])
             .where(ids_in(Rollup.organization, org_ids) & Rollup.month.between(*months)))
    if keys:
        query = query.group_by(*keys)
    out = {}
    for row in query.tuples():
        key = as_date(row[0]) if keys else None
        out[key] = Figures(dict(zip(COUNTS, row[len(keys):], strict=True)))
    return out


def _check(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValueError("start after end")


def figures(org: Organization, start: dt.date, end: dt.date) -> Figures:
    _check(start, end)
    plan = plan_range(start, end)
    total = Figures()
    for fig in rollup_figures([org.id], plan.months).values():
        total.add(fig)
    for fig in plan_edges([org.id], plan).values():
        total.add(fig)
    return total


def figures_direct(org: Organization, start: dt.date, end: dt.date) -> Figures:
    _check(start, end)
    total = Figures()
    for fig in case_figures(in_org(org), [(start, end)]).values():
        total.add(fig)
    return total


def kpis(org: Organization, start: dt.date, end: dt.date) -> dict:
    """The twelve KPIs of `org`'s subtree for [start, end] (rollups + edge days)."""
    return derive(figures(org, start, end))


def kpis_direct(org: Organization, start: dt.date, end: dt.date) -> dict:
    """The same KPIs computed only from the case table (cross-check and benchmark baseline)."""
    return derive(figures_direct(org, start, end))


def children_kpis(org: Organization, start: dt.date,
                  end: dt.date) -> list[tuple[Organization, dict]]:
    """KPIs of each direct child's subtree, in code order; three queries whatever the count."""
    _check(start, end)
    children = list(org.children.order_by(Organization.code))
    if not children:
        return []
    plan = plan_range(start, end)
    totals = {c.id: Figures() for c in children}
    for child_id, fig in rollup_figures(list(totals), plan.months,
                                        group="organization").items():
        totals[child_id].add(fig)
    for child_id, fig in plan_edges(list(totals), plan, group="organization").items():
        totals[child_id].add(fig)
    return [(c, derive(totals[c.id])) for c in children]


class YearPlan(NamedTuple):
    """How to count [start, end] from yearly rows: the rows of `years`, plus the cases of the
    `add` day ranges, minus the cases of the `subtract` day ranges."""

    years: list[int]
    add: list[tuple[dt.date, dt.date]]
    subtract: list[tuple[dt.date, dt.date]]


def plan_years(start: dt.date, end: dt.date) -> YearPlan:
    """Each calendar year touched by the range: whole, its row; mostly inside, its row less
    the days outside; else the days inside, from the cases (a quarter, a month)."""
    years, add, subtract = [], [], []
    for year in range(start.year, end.year + 1):
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        inside = (max(start, first), min(end, last))
        outside = ([(first, inside[0] - dt.timedelta(days=1))] if inside[0] > first else []) + (
            [(inside[1] + dt.timedelta(days=1), last)] if inside[1] < last else [])
        if sum(_days(span) for span in outside) < _days(inside):
            years.append(year)
            subtract.extend(outside)
        else:
            add.append(inside)
    return YearPlan(years, add, subtract)


def own_figures_query(scope: Organization, start: dt.date, end: dt.date, group: str,
                      ids: list[int] | None = None) -> pw.Select:
    """The statement of `own_figures`: rows of `id` (mediator or unit; only those of `ids`
    when given) and the columns of COUNTS, one per mediator (unit) with a case received or
    concluded in the range. One statement, so that the nominations can rank a province's
    30,000 mediators inside the database (`nominations.ranking`) on exactly these figures."""
    _check(start, end)
    plan = plan_years(start, end)
    parts: list[pw.Select] = []
    if plan.years:
        m = MediatorRollup
        key = m.station if group == "station" else m.mediator
        cond = m.station.in_(subtree_ids(scope)) & m.year.in_(plan.years)
        parts.append(m.select(key.alias("id"), *[getattr(m, c) for c in COUNTS])
                     .where(cond if ids is None else cond & ids_in(key, ids)))
    key = Case.station if group == "station" else Case.mediator
    scope_cond = in_org(scope) if ids is None else in_org(scope) & ids_in(key, ids)
    zero = pw.Value(0, converter=False)

    def named(columns: list[pw.Node]) -> list[pw.Node]:
        return [column.alias(name) for column, name in zip(columns, COUNTS, strict=True)]

    for ranges, sign in ((plan.add, 1), (plan.subtract, -1)):
        if not ranges:
            continue
        received = [pw.fn.COUNT(Case.id) * sign, *[zero] * len(CLOSED_COUNTS)]
        closed = [zero, *[aggregate * sign for aggregate in closed_aggregates()]]
        # named like the rollup's columns: a union's columns take the first part's names
        parts.append(Case.select(key.alias("id"), *named(received))
                     .where(in_ranges(Case.received, ranges) & scope_cond).group_by(key))
        parts.append(Case.select(key.alias("id"), *named(closed))
                     .where(in_ranges(Case.closed, ranges) & Case.result.in_(CONCLUDED)
                            & scope_cond).group_by(key))
    union = functools.reduce(operator.add, parts).alias("parts")  # UNION ALL
    # BIGINT: PostgreSQL's SUM of a bigint is a numeric, a Decimal per value in Python
    sums = [pw.Cast(pw.fn.SUM(union.c[c]), "BIGINT").alias(c) for c in COUNTS]
    return (pw.Select([union], [union.c.id, *sums]).bind(db)
            .group_by(union.c.id)
            # a year's row whose cases all fell on the subtracted days leaves zeros
            .having((pw.fn.SUM(union.c.received) != 0) | (pw.fn.SUM(union.c.closed) != 0)))


def reads_cases(start: dt.date, end: dt.date) -> bool:
    """Whether `own_figures` of the range reads cases (a quarter, a month, a year's edges),
    not only yearly rows."""
    plan = plan_years(start, end)
    return bool(plan.add or plan.subtract)


def own_figures(scope: Organization, start: dt.date, end: dt.date, group: str,
                ids: list[int] | None = None) -> dict[int, Figures]:
    """{mediator id | unit id: Figures} of the cases each mediator handled (`group`
    "mediator") or each unit registered itself ("station") in `scope`'s subtree over
    [start, end]: the yearly per-mediator rows (`plan_years`) plus or minus the cases of the
    other days. Only those with a case received or concluded in the range appear.
    `own_figures_direct` counts the same from the cases alone."""
    # the driver's rows: no per-value conversion
    return {row[0]: Figures.of_row(row[1:])
            for row in db.execute(own_figures_query(scope, start, end, group, ids))}


def own_figures_direct(scope: Organization, start: dt.date, end: dt.date,
                       group: str) -> dict[int, Figures]:
    """`own_figures` from the cases alone (the cross-check of the per-mediator rollups)."""
    _check(start, end)
    return case_figures(in_org(scope), [(start, end)], group=group)


def mediator_kpis(scope: Organization, start: dt.date, end: dt.date) -> dict[int, dict]:
    """{mediator id: KPIs} of the cases each mediator handled in `scope`'s subtree over
    [start, end] (only those with a case received or closed in the range appear); a fixed
    number of queries whatever the number of mediators or cases."""
    return {mediator_id: derive(fig) for mediator_id, fig
            in own_figures(scope, start, end, "mediator").items()}


def closed_by_mediator(mediator_ids, start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """{mediator id: (closed, succeeded)} over the cases concluded in [start, end] whose
    调解员 is that mediator, whatever station the case belongs to; one grouped query.

    `mediator_ids` is a list or a sub-select of ids; mediators without such a case are absent.
    """
    _check(start, end)
    query = (Case.select(Case.mediator, pw.fn.COUNT(Case.id),
                         pw.fn.SUM(_when(Case.result == SUCCESS)).coerce(False))
             .where(_closed_by(mediator_ids, start, end))
             .group_by(Case.mediator))
    return {mediator_id: (int(closed), int(succeeded or 0))
            for mediator_id, closed, succeeded in query.tuples()}


def closed_case_ids(mediator_ids, start: dt.date, end: dt.date
                    ) -> dict[int, tuple[list[int], int]]:
    """{mediator id: (ids of the cases `closed_by_mediator` counts, how many succeeded)}: the
    evidence behind the figures and the figures themselves, in one grouped query (the ids
    joined into one text a mediator by the database: `network.db.id_list`)."""
    _check(start, end)
    query = (Case.select(Case.mediator, pw.fn.SUM(_when(Case.result == SUCCESS)),
                         id_list(Case.id))
             .where(_closed_by(mediator_ids, start, end))
             .group_by(Case.mediator))
    return {mediator_id: (split_ids(ids), int(succeeded or 0))
            for mediator_id, succeeded, ids in db.execute(query)}


def _closed_by(mediator_ids, start: dt.date, end: dt.date) -> pw.Node:
    return (Case.mediator.in_(mediator_ids) & Case.closed.between(start, end)
            & Case.result.in_(CONCLUDED))


def monthly_kpis(org: Organization, start: dt.date,
                 end: dt.date) -> list[tuple[dt.date, dt.date, dict]]:
    """(from, to, KPIs) per calendar month touched by [start, end], clipped to the range."""
    _check(start, end)
    plan = plan_range(start, end)
    per_month = rollup_figures([org.id], plan.months, group="month")
    for month, fig in plan_edges([org.id], plan, group="month").items():
        per_month.setdefault(month, Figures()).add(fig)
    out = []
    month = month_start(start)
    while month <= end:
        period = (max(month, start), min(month_end(month), end))
        out.append((*period, derive(per_month.get(month, Figures()))))
        month = month_end(month) + dt.timedelta(days=1)
    return out


def cases_registered(scope: Organization | None) -> int:
    """Every case ever registered in `scope`'s subtree (None: the whole network), from the
    monthly rollups: each case is counted once at its root by 受理日期, so the sum of a unit's
    `received` over all months is its ledger's size — a few hundred rows, not the ledger."""
    where = (Rollup.organization == scope.id) if scope is not None else (
        Rollup.organization.in_(Organization.select(Organization.id)
                                .where(Organization.parent.is_null())))
    return int(Rollup.select(pw.fn.COALESCE(pw.fn.SUM(Rollup.received), 0)).where(where)
               .scalar() or 0)
