"""Keeping the monthly and daily rollups equal to what the cases say.

Each case counts at its station and at every ancestor of it (the ids in the station's path) in
the monthly rollups, at every ancestor only in the daily ones (`models.DayRollup`), and at its
station and mediator in the yearly per-mediator ones (`models.MediatorRollup`), so a change to a case
is a delta on a few rows, applied in the transaction of the change. A unit
moving to another parent moves its subtree's figures from the old ancestors to the new ones in
the move's transaction (registered in `network.services.MOVE_HOOKS`). `rebuild()` recomputes
everything from the cases.
"""
from __future__ import annotations

import datetime as dt
from operator import add, sub

import peewee as pw

from network import bulk
from network import services as network_services
from network.db import db, is_postgres
from network.models import Organization

from . import mix, overdue
from .kpis import (
    CLOSED_COUNTS,
    Figures,
    as_date,
    case_contribution,
    case_figures,
    closed_terms,
    closed_vector,
    month_start,
)
from .models import (
    CONCLUDED,
    COUNTS,
    Case,
    DayRollup,
    MediatorRollup,
    MixRollup,
    OpenRollup,
    Rollup,
)

BATCH = 500

Sums = dict[tuple[int, dt.date], list[int]]  # (organisation id, month | day): values of COUNTS
MediatorSums = dict[tuple[int, int, int], list[int]]  # (station, mediator, year): COUNTS


class Deltas:
    """Changes to the rollups: {(organisation id, month)} and {(organisation id, day)}."""

    def __init__(self):
        self.months: dict[tuple[int, dt.date], Figures] = {}
        self.days: dict[tuple[int, dt.date], Figures] = {}
        self.mediators: dict[tuple[int, int, int], Figures] = {}

    def add(self, rows: dict, org_ids: list[int], contribution: dict[dt.date, Figures],
            sign: int) -> None:
        for org_id in org_ids:
            for period, fig in contribution.items():
                rows.setdefault((org_id, period), Figures()).add(fig, sign)


def path_ids(path: str) -> list[int]:
    """Organisation ids of a materialised path, root first (`/1/7/42/` → [1, 7, 42])."""
    return [int(x) for x in path.strip("/").split("/") if x]


def add_case(deltas: Deltas, station_path: str, case: Case, sign: int) -> Deltas:
    """Add (sign 1) or take away (sign -1) one case's contribution: every month row of the
    station and its ancestors, every day row of the ancestors."""
    ids = path_ids(station_path)
    by_month = case_contribution(case)
    deltas.add(deltas.months, ids, by_month, sign)
    deltas.add(deltas.days, ids[:-1], case_contribution(case, by_day=True), sign)
    for month, fig in by_month.items():
        key = (ids[-1], case.mediator_id, month.year)
        deltas.mediators.setdefault(key, Figures()).add(fig, sign)
    return deltas


def _as_sums(rows: dict[tuple[int, dt.date], Figures]) -> Sums:
    return {key: [fig[c] for c in COUNTS] for key, fig in rows.items()}


def apply(deltas: Deltas) -> None:
    """Add the non-zero deltas to their rows (a page of upserts per statement) and drop rows
    left at zero."""
    apply_sums(_as_sums(deltas.months))
    apply_sums(_as_sums(deltas.days), DayRollup)
    apply_mediator_sums({key: [fig[c] for c in COUNTS] for key, fig in deltas.mediators.items()})


def _period(model: type[Rollup] | type[DayRollup]) -> pw.Field:
    return model.month if model is Rollup else model.day


def apply_sums(sums: Sums, model: type[Rollup] | type[DayRollup] = Rollup) -> None:
    """`apply` for deltas held as lists in the order of COUNTS (the import's bulk path)."""
    rows = sorted((org_id, period, *values) for (org_id, period), values in sums.items()
                  if any(values))
    if not rows:
        return
    period = _period(model)
    bulk.upsert_add(model, ("organization", period.name), COUNTS, rows)
    # Only a row that lost something can have dropped to zero.
    shrunk = [r for r in rows if any(v < 0 for v in r[2:])]
    org_ids = sorted({r[0] for r in shrunk})
    periods = sorted({r[1] for r in shrunk})
    for i in range(0, len(org_ids), BATCH):
        for k in range(0, len(periods), BATCH):
            (model.delete()
             .where(model.organization.in_(org_ids[i:i + BATCH])
                    & period.in_(periods[k:k + BATCH])
                    & (model.received == 0) & (model.closed == 0))
             .execute())


def apply_mediator_sums(sums: MediatorSums) -> None:
    """`apply_sums` for the per-mediator rows."""
    rows = sorted((*key, *values) for key, values in sums.items() if any(values))
    if not rows:
        return
    bulk.upsert_add(MediatorRollup, ("station", "mediator", "year"), COUNTS, rows)
    shrunk = [r for r in rows if any(v < 0 for v in r[3:])]
    for i in range(0, len(shrunk), BATCH):
        stations = sorted({r[0] for r in shrunk[i:i + BATCH]})
        mediators = sorted({r[1] for r in shrunk[i:i + BATCH]})
        (MediatorRollup.delete()
         .where(MediatorRollup.station.in_(stations) & MediatorRollup.mediator.in_(mediators)
                & (MediatorRollup.received == 0) & (MediatorRollup.closed == 0))
         .execute())


def _depths(paths: dict[int, str]) -> dict[int, int]:
    return {org_id: path.count("/") - 1 for org_id, path in paths.items()}


def spread(by_station: Sums, paths: dict[int, str], own: bool = True) -> Sums:
    """Sums per (station, period) as sums per (organisation, period) of every ancestor too;
    with `own` False, of the ancestors only (the daily rollups: each unit's descendants).

    Level by level from the deepest: each row is added to its parent's once, and the parent's
    total (its own cases and its children's) goes up in turn, instead of every station's row
    being added at every ancestor."""
    depth = _depths(paths)
    parent: dict[int, int] = {}

    def lift(sums: Sums, rows) -> None:
        for (org_id, period), values in rows:
            if org_id not in parent:
                parent[org_id] = path_ids(paths[org_id])[-2]
            key = (parent[org_id], period)
            total = sums.get(key)
            if total is None:
                sums[key] = values[:]
            else:
                total[:] = map(add, total, values)

    if own:
        sums = {key: values[:] for key, values in by_station.items()}
    else:
        sums = {}
        lift(sums, [(k, v) for k, v in by_station.items() if depth[k[0]] > 1])
    for level in range(max((depth[s] for s, _ in sums), default=0), 1, -1):
        lift(sums, [(k, v) for k, v in sums.items() if depth[k[0]] == level])
    return sums


def months_of_days(by_day: Sums) -> Sums:
    """Sums per (unit, day) folded into sums per (unit, month)."""
    out: Sums = {}
    for (org_id, day), values in by_day.items():
        key = (org_id, month_start(day))
        total = out.get(key)
        if total is None:
            out[key] = values[:]
        else:
            total[:] = map(add, total, values)
    return out


class StationDays:
    """The bulk path's deltas (an import's changed cases): sums per (station, day) as plain
    lists in the order of COUNTS — a Figures per row would dominate a large file — spread over
    the ancestors and folded into months once, at the end."""

    def __init__(self):
        self.sums: Sums = {}
        self.mediators: MediatorSums = {}  # (station, mediator, year): COUNTS
        # (station, month, type, source): received, for the mix rollups
        self.mix: dict[tuple[int, dt.date, str, str], int] = {}
        self.open: dict[tuple[int, dt.date, str], int] = {}  # (station, day, result): cases

    def add(self, station_id: int, v: dict, sign: int) -> None:
        """Add (sign 1) or take away (-1) the case whose column values are `v`."""
        key = (station_id, month_start(v["received"]), v["dispute_type"],
               v["source"] or mix.UNFILLED)
        self.mix[key] = self.mix.get(key, 0) + sign
        key = (station_id, v["received"], v["result"])
        self.open[key] = self.open.get(key, 0) + sign
        sums = self.sums
        key = (station_id, v["received"])
        row = sums.get(key)
        if row is None:
            row = sums[key] = [0] * len(COUNTS)
        row[0] += sign
        mediator_id = getattr(v["mediator"], "id", v["mediator"])  # a Mediator or its id
        key = (station_id, mediator_id, v["received"].year)
        row = self.mediators.get(key)
        if row is None:
            row = self.mediators[key] = [0] * len(COUNTS)
        row[0] += sign
        vector = closed_vector(v["result"], v["method"], v["judicial_confirmed"],
                               v["fulfilment"], v["received"], v["closed"],
                               v["amount_involved"], v["agreed_amount"])
        if vector is not None:
            for table, key in ((sums, (station_id, v["closed"])),
                               (self.mediators, (station_id, mediator_id, v["closed"].year))):
                row = table.get(key)
                if row is None:
                    table[key] = list(vector) if sign > 0 else [-x for x in vector]
                else:
                    row[:] = map(add if sign > 0 else sub, row, vector)

    def spread(self, paths: dict[int, str]) -> tuple[Sums, Sums, dict, dict, MediatorSums]:
        """(month sums, day sums, mix deltas, open-case deltas, per-mediator sums) of every
        organisation concerned, ready for apply_spread."""
        mixed: dict = {}
        for (station_id, month, dispute_type, source), n in self.mix.items():
            mix.add_case(mixed, paths[station_id], month, dispute_type, source, n)
        opened: overdue.Deltas = {}
        for (station_id, day, result), n in self.open.items():
            overdue.add_case(opened, paths[station_id], day, result, n)
        return (spread(months_of_days(self.sums), paths),
                spread(self.sums, paths, own=False), mixed, opened, self.mediators)


def apply_spread(sums: tuple[Sums, Sums, dict, dict, MediatorSums]) -> None:
    months, days, mixed, opened, mediators = sums
    apply_sums(months)
    apply_sums(days, DayRollup)
    apply_mediator_sums(mediators)
    mix.apply(mixed)
    overdue.apply(opened)


def case_changed(old: tuple[str, Case] | None, new: tuple[str, Case] | None) -> None:
    """Apply one case's change: `old`/`new` are (station path, case) before and after, or None."""
    deltas, mixed, opened = Deltas(), {}, {}
    for change, sign in ((old, -1), (new, 1)):
        if change is not None:
            path, case = change
            add_case(deltas, path, case, sign)
            mix.add_case(mixed, path, case.received, case.dispute_type, case.source, sign)
            overdue.add_case(opened, path, case.received, case.result, sign)
    apply(deltas)
    mix.apply(mixed)
    overdue.apply(opened)


PAIRS = pw.Table("rollup_ancestor", ("unit_id", "ancestor_id"))


def _month_sql(field: pw.Field) -> pw.Node:
    """The first day of a date column's month, as the rollup's `month` stores it."""
    return mix._month_sql(field)


def _case_sums(units: list[tuple[str, pw.Node]], period, where: pw.Node | None,
               grouped: bool) -> pw.Select:
    """(units…, period, COUNTS…) of the cases matching `where`, summed per units and period:
    each case's received row (by 受理日期) and concluded row (by 结案日期) in one UNION.

    `grouped` groups the received and the concluded rows apart first: a received row adds
    only to `received`, and passing every case through the eleven sums of the concluded ones
    (all adding 0) was half of the rebuild's aggregation (10M cases: ~14 s a pass). An
    import's batch of new cases has a few per group, where the extra grouping costs more
    than it saves (SQLite, 100,000 into 1M: 0.25 s)."""
    zero, one = pw.Value(0, converter=False), pw.Value(1, converter=False)
    concluded = Case.closed.is_null(False) & Case.result.in_(CONCLUDED)
    fields = [field for _, field in units]
    parts = []
    for date_field, terms, cond in (
            (Case.received, [one, *[zero] * len(CLOSED_COUNTS)], Case.received.is_null(False)),
            (Case.closed, [zero, *closed_terms()], concluded)):
        key = date_field if period is None else period(date_field)
        if grouped:
            terms = [pw.fn.COUNT(pw.SQL("*")) if t is one else
                     t if t is zero else pw.fn.SUM(t) for t in terms]
        part = (Case.select(*[f.alias(name) for name, f in units], key.alias("period"),
                            *[t.alias(c) for t, c in zip(terms, COUNTS, strict=True)])
                .where(cond if where is None else cond & where))
        if grouped:
            part = part.group_by(*fields, key)
        if any(f is Organization.parent for f in fields):  # a day row: the cases below
            part = part.join(Organization, on=Case.station == Organization.id)
        parts.append(part)
    rows = parts[0].union_all(parts[1]).alias("case_rows")
    keys = [getattr(rows.c, name) for name, _ in units] + [rows.c.period]
    return (pw.Select([rows], [*keys, *[pw.fn.SUM(getattr(rows.c, c)).alias(c)
                                        for c in COUNTS]])
            .group_by(*keys))


def _upsert_from(model: type[pw.Model], keys: list[pw.Field], query: pw.Select,
                 empty: bool = False) -> None:
    """Add the sums of `query` to `model`'s rows; `empty`: the table holds none of its keys
    (the rebuild), so `bulk.insert_select`."""
    counts = [getattr(model, c) for c in COUNTS]
    if empty:
        bulk.insert_select(model, [*keys, *counts], query)
        return
    (model.insert_from(query, [*keys, *counts])
     .on_conflict(conflict_target=keys,
                  update={f: f + getattr(pw.EXCLUDED, f.column_name) for f in counts})
     .execute())


def _year_sql(field: pw.Field) -> pw.Node:
    """The year of a date column, as an integer, on either backend."""
    if is_postgres():
        return pw.Cast(pw.fn.date_part("year", field), "INTEGER")
    return pw.Cast(pw.fn.substr(field, 1, 4), "INTEGER")


def add_cases(where: pw.Node | None, paths: dict[int, str]) -> None:
    """Add the cases matching `where`, none of which the rollups hold yet, to the monthly rows
    of their stations and every ancestor, to the daily rows of the ancestors and to the
    yearly rows of their station and mediator; `where` None: every case, into empty tables
    (the rebuild).

    The database sums them, in one INSERT … SELECT … ON CONFLICT statement per table: each
    case's received and closed rows, grouped by (station, month), (station's parent, day) or
    (station, mediator, year), then for the first two those sums joined to a scratch table
    of (unit, ancestor) pairs and grouped by ancestor. Each rollup row is written once (on
    PostgreSQL a second write of a row this transaction wrote runs its foreign-key check
    again). An import's new cases never pass through Python one by one for the rollups, and
    `rebuild` is the same statements over every case.
    """
    pairs = [(unit, ancestor) for unit, path in paths.items() for ancestor in path_ids(path)]
    db.execute_sql(f"CREATE TEMPORARY TABLE {PAIRS.__name__} "
                   "(unit_id INTEGER NOT NULL, ancestor_id INTEGER NOT NULL)")
    try:
        for i in range(0, len(pairs), BATCH):
            PAIRS.insert(pairs[i:i + BATCH], columns=[PAIRS.unit_id, PAIRS.ancestor_id]
                         ).bind(db).execute()
        # without it SQLite scans every pair for each group of sums
        db.execute_sql(f"CREATE INDEX {PAIRS.__name__}_unit ON {PAIRS.__name__} (unit_id)")
        if is_postgres():  # the sorts of a year's cases stay in memory
            db.execute_sql("SET LOCAL work_mem = '64MB'")
        grouped = empty = where is None
        for model, unit, period in ((Rollup, Case.station, _month_sql),
                                    (DayRollup, Organization.parent, None)):
            inner = _case_sums([("unit", unit)], period, where, grouped).alias("sums")
            _upsert_from(model, [model.organization, _period(model)],
                         pw.Select([inner], [PAIRS.ancestor_id, inner.c.period,
                                             *[pw.fn.SUM(getattr(inner.c, c)) for c in COUNTS]])
                         .join(PAIRS, on=PAIRS.unit_id == inner.c.unit)
                         .group_by(PAIRS.ancestor_id, inner.c.period), empty)
        m = MediatorRollup
        _upsert_from(m, [m.station, m.mediator, m.year],
                     _case_sums([("station", Case.station), ("mediator", Case.mediator)],
                                _year_sql, where, grouped), empty)
        mix.add_cases(where, PAIRS)
        overdue.add_cases(where, PAIRS)
    finally:
        db.execute_sql(f"DROP TABLE {PAIRS.__name__}")


def rebuild() -> int:
    """Recompute every rollup row from the cases; returns the number of rows written."""
    with db.atomic():
        Rollup.delete().execute()
        DayRollup.delete().execute()
        MixRollup.delete().execute()
        OpenRollup.delete().execute()
        MediatorRollup.delete().execute()
        add_cases(None, dict(Organization.select(Organization.id, Organization.path).tuples()))
        if is_postgres():  # the planner judges the new rows now, not when autovacuum passes
            for model in (Rollup, DayRollup, MixRollup, OpenRollup, MediatorRollup):
                db.execute_sql(f'ANALYZE "{model._meta.table_name}"')
        return (Rollup.select().count() + DayRollup.select().count()
                + MixRollup.select().count() + OpenRollup.select().count()
                + MediatorRollup.select().count())


def on_move(old_prefix: str, new_prefix: str) -> None:
    """A unit moved: its subtree's figures leave the old ancestors and join the new ones.

    The unit's own monthly rows are exactly its subtree's figures; by day, they are its day
    rows plus its own cases. Ancestors common to both places (e.g. the city when a room
    changes county) are untouched.
    """
    old_ancestors = path_ids(old_prefix)[:-1]
    new_ancestors = path_ids(new_prefix)[:-1]
    moved = path_ids(new_prefix)[-1]
    leaving = [i for i in old_ancestors if i not in new_ancestors]
    joining = [i for i in new_ancestors if i not in old_ancestors]
    if not leaving and not joining:
        return
    months = stored_rows(Rollup, Rollup.organization == moved)
    days = stored_rows(DayRollup, DayRollup.organization == moved)
    for day, fig in case_figures(Case.station == moved, [(dt.date.min, dt.date.max)],
                                 group="day").items():
        days.setdefault((moved, as_date(day)), Figures()).add(fig)
    deltas = Deltas()
    for rows, out in ((months, deltas.months), (days, deltas.days)):
        for (_, period), fig in rows.items():
            deltas.add(out, leaving, {period: fig}, -1)
            deltas.add(out, joining, {period: fig}, 1)
    apply(deltas)
    mix.moved(moved, leaving, joining)
    overdue.moved(moved, leaving, joining)


def stored_rows(model: type[Rollup] | type[DayRollup], where: pw.Node | None = None
                ) -> dict[tuple[int, dt.date], Figures]:
    """Stored rollup rows as {(organisation id, month | day): figures}."""
    query = model.select()
    if where is not None:
        query = query.where(where)
    period = _period(model).name
    return {(row["organization"], as_date(row[period])): Figures({c: row[c] for c in COUNTS})
            for row in query.dicts()}


def nonzero_rows(model: type[Rollup] | type[DayRollup] = Rollup
                 ) -> dict[tuple[int, dt.date], Figures]:
    """The stored rollup rows that are not all zero (to compare states)."""
    return {key: fig for key, fig in stored_rows(model).items() if not fig.is_zero()}


def mediator_rows() -> dict[tuple[int, int, int], Figures]:
    """The stored per-mediator rows that are not all zero: {(station, mediator, year): …}."""
    out = {}
    for row in MediatorRollup.select().dicts():
        fig = Figures({c: row[c] for c in COUNTS})
        if not fig.is_zero():
            out[(row["station"], row["mediator"], row["year"])] = fig
    return out


def state() -> tuple[dict, dict, dict]:
    """(monthly, daily, per-mediator) non-zero rows: what a rebuild must reproduce."""
    return nonzero_rows(Rollup), nonzero_rows(DayRollup), mediator_rows()


if on_move not in network_services.MOVE_HOOKS:
    network_services.MOVE_HOOKS.append(on_move)
