"""Cases open too long (the early warnings' open_case rule), counted from `models.OpenRollup`.

A case is overdue when it is still 调解中 and was received before the cut-off day
(`as_of − warn.open_days`). A province holds ~1.5M open cases at 10M: counting them on every
home page grew with the ledger (issue 17). The rows hold the open cases per unit and 受理
month, so a count is the rows of the months before the cut-off's month plus the cases of that
one month, read from the partial index of open cases (migration 017); the acknowledged ones
are found from the acknowledgements (a few, typed by people), never from the cases.

Maintained with the other rollups (evaluation.rollups calls in here): a case's change moves
±1 on the rows of its station and its ancestors, an import's new cases are summed by the
database, a move carries the moved unit's rows from its old ancestors to its new ones.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw

from network import bulk
from network.models import Organization

from . import mix
from .kpis import as_date, ids_in, month_start
from .models import OPEN, Case, OpenRollup, WarningAck

Deltas = dict[tuple[int, dt.date], list[int]]  # (organisation, month): [subtree, own]
KEY_PREFIX = "open_case:"  # evaluation.warnings.OPEN_CASE's keys
BATCH = 500
FIELDS = [OpenRollup.organization, OpenRollup.month, OpenRollup.subtree, OpenRollup.own]


def _path_ids(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


def add_case(deltas: Deltas, station_path: str, received: dt.date, result: str,
             sign: int) -> None:
    """Add (sign 1) or take away (-1) one case: nothing unless it is open."""
    if result != OPEN:
        return
    ids = _path_ids(station_path)
    month = month_start(as_date(received))
    for org_id in ids:
        deltas.setdefault((org_id, month), [0, 0])[0] += sign
    deltas[(ids[-1], month)][1] += sign


def apply(deltas: Deltas) -> None:
    rows = sorted((org_id, month, subtree, own)
                  for (org_id, month), (subtree, own) in deltas.items() if subtree or own)
    if not rows:
        return
    bulk.upsert_add(OpenRollup, ["organization", "month"], ["subtree", "own"], rows)
    # own ≤ subtree: a row whose subtree count fell to zero is empty
    shrunk = sorted({r[0] for r in rows if r[2] < 0})
    for i in range(0, len(shrunk), BATCH):
        (OpenRollup.delete().where(OpenRollup.organization.in_(shrunk[i:i + BATCH])
                                   & (OpenRollup.subtree == 0)).execute())


def _added() -> dict:
    return {OpenRollup.subtree: OpenRollup.subtree + pw.EXCLUDED.subtree,
            OpenRollup.own: OpenRollup.own + pw.EXCLUDED.own}


def add_cases(where: pw.Node | None, pairs: pw.Table) -> None:
    """Add the open cases matching `where` (not yet counted) in one INSERT … SELECT: grouped
    per (station, month) off the partial index of open cases, joined to `pairs` (unit,
    ancestor-or-self) and summed per ancestor; `own` where the ancestor is the station."""
    month = mix._month_sql(Case.received)
    cond = Case.result == OPEN
    inner = (Case.select(Case.station.alias("unit"), month.alias("month"),
                         pw.fn.COUNT(pw.SQL("*")).alias("n"))
             .where(cond if where is None else cond & where)
             .group_by(Case.station, month)).alias("open_cases")
    own = pw.Case(None, [(pairs.ancestor_id == inner.c.unit, inner.c.n)], 0)
    query = (pw.Select([inner], [pairs.ancestor_id, inner.c.month, pw.fn.SUM(inner.c.n),
                                 pw.fn.SUM(own)])
             .join(pairs, on=(pairs.unit_id == inner.c.unit))
             .group_by(pairs.ancestor_id, inner.c.month))
    if where is None:  # the rebuild: the table is empty
        bulk.insert_select(OpenRollup, FIELDS, query)
        return
    (OpenRollup.insert_from(query, FIELDS)
     .on_conflict(conflict_target=FIELDS[:2], update=_added())
     .execute())


def moved(unit_id: int, leaving: list[int], joining: list[int]) -> None:
    """A unit moved: its subtree's open cases leave `leaving` and join `joining`."""
    deltas: Deltas = {}
    for month, n in (OpenRollup.select(OpenRollup.month, OpenRollup.subtree)
                     .where(OpenRollup.organization == unit_id).tuples()):
        for org_id, sign in [(i, -1) for i in leaving] + [(i, 1) for i in joining]:
            deltas.setdefault((org_id, as_date(month)), [0, 0])[0] += sign * n
    apply(deltas)


# --- reading ------------------------------------------------------------------------------------

def _overdue(cut: dt.date) -> pw.Node:
    return (Case.result == OPEN) & (Case.received < cut)


def _last_month(cut: dt.date) -> pw.Node:
    """The cut-off's month: read from the cases (its first days are overdue, the rest not)."""
    return (Case.result == OPEN) & (Case.received >= month_start(cut)) & (Case.received < cut)


def _acked_cases() -> pw.ModelSelect:
    """The cases whose open_case warning was acknowledged, driven by the acknowledgements."""
    number = pw.fn.SUBSTR(WarningAck.key, len(KEY_PREFIX) + 1)
    return (Case.select().join(WarningAck, on=(Case.case_no == number))
            .where(WarningAck.key.startswith(KEY_PREFIX)))


def scope_units(scope: Organization | None) -> tuple[list[int], dict[int, str]]:
    """(the unit(s) whose subtree is the scope: the scope or the roots, {unit id: code} of
    every unit in it)."""
    query = Organization.select(Organization.id, Organization.parent, Organization.code)
    if scope is not None:
        query = query.where(Organization.path.startswith(scope.path))
    tops, codes = [], {}
    for org_id, parent, code in query.tuples():
        codes[org_id] = code
        if (scope is None and parent is None) or (scope is not None and org_id == scope.id):
            tops.append(org_id)
    return tops, codes


def counts(scope: Organization | None, cut: dt.date) -> tuple[int, int]:
    """(open cases received before `cut` under `scope`, of which acknowledged)."""
    tops, codes = scope_units(scope)
    if not codes:
        return 0, 0
    ids = list(codes)
    months = (OpenRollup.select(pw.fn.COALESCE(pw.fn.SUM(OpenRollup.subtree), 0))
              .where(ids_in(OpenRollup.organization, tops)
                     & (OpenRollup.month < month_start(cut))).scalar())
    last = Case.select().where(_last_month(cut) & ids_in(Case.station, ids)).count()
    acked = _acked_cases().where(_overdue(cut) & ids_in(Case.station, ids)).count()
    return int(months) + last, acked


def by_station(scope: Organization | None, cut: dt.date, *, page: int, per_page: int
               ) -> tuple[int, list[tuple[Organization, int, int]]]:
    """Units of `scope` holding overdue cases of their own, by code: (how many, a page of
    (unit, overdue, of which acknowledged)). The months before the cut-off's from the `own`
    rows, that month from the cases; rows grow with units and months, not with cases."""
    _, codes = scope_units(scope)
    if not codes:
        return 0, []
    ids = list(codes)
    rows = (OpenRollup.select(OpenRollup.organization.alias("sid"),
                              OpenRollup.own.alias("n"))
            .where((OpenRollup.own > 0) & (OpenRollup.month < month_start(cut))))
    last = (Case.select(Case.station.alias("sid"), pw.fn.COUNT(pw.SQL("*")).alias("n"))
            .where(_last_month(cut)).group_by(Case.station))
    if scope is not None:
        # the whole network needs no list of its units: PostgreSQL probed the index once
        # per unit for it (3,167 probes, 117 ms at 10M; reading the ~110,000 rows: ~20 ms)
        rows = rows.where(ids_in(OpenRollup.organization, ids))
        last = last.where(ids_in(Case.station, ids))
    both = rows.union_all(last).alias("both")
    # one row per unit with overdue cases (≤ the units of the scope), paged here by code:
    # a COUNT and a page in SQL would each read every row again
    counted = dict(pw.Select([both], [both.c.sid, pw.fn.SUM(both.c.n)])
                   .group_by(both.c.sid).bind(OpenRollup._meta.database).tuples())
    chosen = sorted(counted, key=codes.__getitem__)[page * per_page:(page + 1) * per_page]
    found = list(Organization.select().where(Organization.id.in_(chosen))
                 .order_by(Organization.code)) if chosen else []
    acked = {}
    if found:
        acked = dict(_acked_cases().select(Case.station, pw.fn.COUNT(pw.SQL("*")))
                     .where(_overdue(cut) & Case.station.in_(chosen))
                     .group_by(Case.station).tuples())
    return len(counted), [(u, int(counted[u.id]), acked.get(u.id, 0)) for u in found]


def rows_direct() -> dict[tuple[int, dt.date], tuple[int, int]]:
    """What the rows should hold, counted from the cases and the paths (for the tests)."""
    deltas: Deltas = {}
    paths = dict(Organization.select(Organization.id, Organization.path).tuples())
    for station_id, received in (Case.select(Case.station, Case.received)
                                 .where(Case.result == OPEN).tuples()):
        add_case(deltas, paths[station_id], received, OPEN, 1)
    return {k: tuple(v) for k, v in deltas.items() if v[0]}


def stored_rows() -> dict[tuple[int, dt.date], tuple[int, int]]:
    return {(org_id, as_date(month)): (subtree, own) for org_id, month, subtree, own in
            OpenRollup.select(*FIELDS).tuples()}
