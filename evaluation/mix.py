"""Received cases split by 纠纷类型 and 案件来源, kept in `models.MixRollup`.

Maintained with the other rollups (evaluation.rollups calls in here): a case's change moves
±1 on the rows of its station's proper ancestors, an import's new cases are summed by the
database, a move carries the moved unit's figures from its old ancestors to its new ones.
Read by `received_mix`: whole months from the rows plus the unit's own cases, the edge days of
a range (16 January … 15 December) from the cases of the subtree in those days.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw

from network import bulk
from network.dates import month_end
from network.db import is_postgres, planner
from network.models import Organization

from .kpis import in_org, month_start, split_range
from .models import Case, MixRollup

UNFILLED = ""  # 案件来源 of the cases that have none
Key = tuple[int, dt.date, str, str]  # organisation, month, 纠纷类型, 案件来源
BATCH = 500


def proper_ancestors(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x][:-1]


def add_case(deltas: dict[Key, int], station_path: str, month: dt.date, dispute_type: str,
             source: str | None, sign: int) -> None:
    for org_id in proper_ancestors(station_path):
        key = (org_id, month_start(month), dispute_type, source or UNFILLED)
        deltas[key] = deltas.get(key, 0) + sign


def apply(deltas: dict[Key, int]) -> None:
    """Add the non-zero deltas (one statement on PostgreSQL, bulk.upsert_add) and drop the
    rows left at zero."""
    rows = sorted((*key, n) for key, n in deltas.items() if n)
    if not rows:
        return
    bulk.upsert_add(MixRollup, ["organization", "month", "dispute_type", "source"],
                    ["received"], rows)
    shrunk = sorted({r[0] for r in rows if r[4] < 0})
    for i in range(0, len(shrunk), BATCH):
        (MixRollup.delete().where(MixRollup.organization.in_(shrunk[i:i + BATCH])
                                  & (MixRollup.received == 0)).execute())


def _month_sql(field: pw.Field) -> pw.Node:
    if is_postgres():  # on a plain date date_trunc takes its timestamptz form and pays for
        # time-zone arithmetic: via timestamp a grouped pass is 20–25 % quicker (3M rows)
        return pw.Cast(pw.fn.date_trunc("month", pw.Cast(field, "timestamp")), "DATE")
    # SQLite holds dates as 'YYYY-MM-DD' text: cutting it is ~40 % quicker than strftime
    return pw.fn.substr(field, 1, 8).concat("01")


def add_cases(where: pw.Node | None, pairs: pw.Table) -> None:
    """Add the cases matching `where` (not yet counted) in one INSERT … SELECT … ON CONFLICT:
    grouped per (station's parent, month, type, source), joined to `pairs` (unit, ancestor)
    and summed per ancestor of the parent, i.e. per proper ancestor of the station.

    Grouped by the parent, not the station: a station's month rarely holds two cases of one
    type and source, so per station the groups were as many as the cases (1M cases: ~0.9M
    groups, then ~2.7M rows joined to the pairs, 6.9 s of an 18.6 s `stats rebuild`); per
    parent they are bounded by the ~170 units above the rooms."""
    source = pw.fn.COALESCE(Case.source, UNFILLED)
    month = _month_sql(Case.received)
    inner = (Case.select(Organization.parent.alias("unit"), month.alias("month"),
                         Case.dispute_type.alias("dispute_type"), source.alias("source"),
                         pw.fn.COUNT(pw.SQL("*")).alias("n"))
             .join(Organization, on=Case.station == Organization.id)
             .group_by(Organization.parent, month, Case.dispute_type, source))
    if where is not None:
        inner = inner.where(where)
    inner = inner.alias("mix")
    query = (pw.Select([inner], [pairs.ancestor_id, inner.c.month, inner.c.dispute_type,
                                 inner.c.source, pw.fn.SUM(inner.c.n)])
             .join(pairs, on=(pairs.unit_id == inner.c.unit))
             .group_by(pairs.ancestor_id, inner.c.month, inner.c.dispute_type, inner.c.source))
    fields = [MixRollup.organization, MixRollup.month, MixRollup.dispute_type,
              MixRollup.source, MixRollup.received]
    with _hashed_groups():
        if where is None:  # the rebuild: the table is empty
            bulk.insert_select(MixRollup, fields, query)
            return
        (MixRollup.insert_from(query, fields)
         .on_conflict(conflict_target=fields[:4],
                      update={MixRollup.received: MixRollup.received + pw.EXCLUDED.received})
         .execute())


def _hashed_groups():
    """PostgreSQL estimates the groups of (unit, month, type, source) as the product of each
    key's distinct values (10M cases: 6.4M groups; there are 227,000) and so sorts every case
    on disk rather than hash them: 12 of the statement's 18 s at 10M. Sorting is switched off
    for this one statement (the hash table spills to disk if it must, since PostgreSQL 13),
    then set back to what it was."""
    return planner({"enable_sort": "off", "enable_incremental_sort": "off"})


def moved(unit_id: int, leaving: list[int], joining: list[int]) -> None:
    """A unit moved: what it adds to its ancestors (its rows and its own cases) leaves
    `leaving` and joins `joining`."""
    parts: dict[tuple[dt.date, str, str], int] = {}
    for month, dispute_type, source, n in (
            MixRollup.select(MixRollup.month, MixRollup.dispute_type, MixRollup.source,
                             MixRollup.received)
            .where(MixRollup.organization == unit_id).tuples()):
        key = (_as_date(month), dispute_type, source)
        parts[key] = parts.get(key, 0) + n
    for key, n in own_counts(Case.station == unit_id, by_month=True).items():
        parts[key] = parts.get(key, 0) + n
    deltas: dict[Key, int] = {}
    for (month, dispute_type, source), n in parts.items():
        for org_id, sign in [(i, -1) for i in leaving] + [(i, 1) for i in joining]:
            key = (org_id, month, dispute_type, source)
            deltas[key] = deltas.get(key, 0) + sign * n
    apply(deltas)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def own_counts(where: pw.Node, by_month: bool = False) -> dict[tuple, int]:
    """Cases matching `where` per (type, source), or per (month, type, source)."""
    source = pw.fn.COALESCE(Case.source, UNFILLED)
    keys = [Case.dispute_type, source]
    if by_month:
        keys.insert(0, _month_sql(Case.received))
    out: dict[tuple, int] = {}
    for *key, n in Case.select(*keys, pw.fn.COUNT(pw.SQL("*"))).where(where).group_by(
            *keys).tuples():
        if by_month:
            key[0] = _as_date(key[0])
        out[tuple(key)] = out.get(tuple(key), 0) + n
    return out


def received_mix_counts(org, start: dt.date, end: dt.date) -> dict[tuple[str, str], int]:
    """{(纠纷类型, 案件来源 or UNFILLED): cases received in [start, end]} of `org`'s subtree:
    its rows and its own cases over the whole months, the subtree's cases over the edge
    days."""
    months, edges = split_range(start, end)
    counts: dict[tuple[str, str], int] = {}

    def add(rows):
        for key, n in rows:
            counts[key] = counts.get(key, 0) + n

    if months is not None:
        first, last = months
        add((((t, s), n) for t, s, n in
             MixRollup.select(MixRollup.dispute_type, MixRollup.source,
                              pw.fn.SUM(MixRollup.received))
             .where((MixRollup.organization == org.id) & MixRollup.month.between(first, last))
             .group_by(MixRollup.dispute_type, MixRollup.source).tuples()))
        add(own_counts((Case.station == org.id)
                       & Case.received.between(first, month_end(last))).items())
    for start, end in edges:
        add(own_counts(in_org(org) & Case.received.between(start, end)).items())
    return counts

