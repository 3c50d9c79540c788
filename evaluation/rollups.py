"""Keeping the monthly rollups equal to what the cases say.

Each case counts at its station and at every ancestor of it (the ids in the station's path), so
a change to a case is a delta on at most (depth × 2 months) rows, applied in the transaction of
the change. A unit moving to another parent moves its subtree's figures from the old ancestors
to the new ones in the move's transaction (registered in `network.services.MOVE_HOOKS`).
`rebuild()` recomputes everything from the cases.
"""
from __future__ import annotations

import datetime as dt
from operator import add

from network import services as network_services
from network.db import db
from network.models import Organization

from . import bulk
from .kpis import Figures, case_contribution, case_figures, month_of
from .models import COUNTS, Case, Rollup

BATCH = 500

Deltas = dict[tuple[int, dt.date], Figures]


def path_ids(path: str) -> list[int]:
    """Organisation ids of a materialised path, root first (`/1/7/42/` → [1, 7, 42])."""
    return [int(x) for x in path.strip("/").split("/") if x]


def add_case(deltas: Deltas, station_path: str, case: Case, sign: int) -> Deltas:
    """Add (sign 1) or take away (sign -1) one case's contribution at every ancestor."""
    contribution = case_contribution(case)
    for org_id in path_ids(station_path):
        for month, fig in contribution.items():
            deltas.setdefault((org_id, month), Figures()).add(fig, sign)
    return deltas


def apply(deltas: Deltas) -> None:
    """Add the non-zero deltas to their rows (a page of upserts per statement) and drop rows
    left at zero."""
    apply_sums({key: [fig[c] for c in COUNTS] for key, fig in deltas.items()})


def apply_sums(sums: dict[tuple[int, dt.date], list[int]]) -> None:
    """`apply` for deltas held as lists in the order of COUNTS (the import's bulk path)."""
    rows = [(org_id, month, *values) for (org_id, month), values in sums.items()
            if any(values)]
    if not rows:
        return
    bulk.upsert_add(Rollup, ("organization", "month"), COUNTS, rows)
    # Only a row that lost something can have dropped to zero.
    shrunk = [r for r in rows if any(v < 0 for v in r[2:])]
    org_ids = sorted({r[0] for r in shrunk})
    months = sorted({r[1] for r in shrunk})
    for i in range(0, len(org_ids), BATCH):
        (Rollup.delete()
         .where(Rollup.organization.in_(org_ids[i:i + BATCH]) & Rollup.month.in_(months)
                & (Rollup.received == 0) & (Rollup.closed == 0))
         .execute())


def spread(by_station: dict[tuple[int, dt.date], list[int]],
           paths: dict[int, str]) -> dict[tuple[int, dt.date], list[int]]:
    """Sums per (station, month) as sums per (organisation, month) of every ancestor too.

    Level by level from the deepest: each row is added to its parent's once, and the parent's
    total (its own cases and its children's) goes up in turn, instead of every station's row
    being added at every ancestor."""
    sums = {key: values[:] for key, values in by_station.items()}
    depth = {org_id: path.count("/") - 1 for org_id, path in paths.items()}
    parent: dict[int, int] = {}
    for level in range(max((depth[s] for s, _ in sums), default=0), 1, -1):
        for (org_id, month), values in [(k, v) for k, v in sums.items() if depth[k[0]] == level]:
            if org_id not in parent:
                parent[org_id] = path_ids(paths[org_id])[-2]
            key = (parent[org_id], month)
            total = sums.get(key)
            if total is None:
                sums[key] = values[:]
            else:
                total[:] = map(add, total, values)
    return sums


def case_changed(old: tuple[str, Case] | None, new: tuple[str, Case] | None) -> None:
    """Apply one case's change: `old`/`new` are (station path, case) before and after, or None."""
    deltas: Deltas = {}
    if old is not None:
        add_case(deltas, old[0], old[1], -1)
    if new is not None:
        add_case(deltas, new[0], new[1], 1)
    apply(deltas)


def rebuild() -> int:
    """Recompute every rollup row from the cases; returns the number of rows written."""
    with db.atomic():
        Rollup.delete().execute()
        paths = dict(Organization.select(Organization.id, Organization.path).tuples())
        by_station: dict[tuple[int, dt.date], list[int]] = {}
        for (station_id, month_text), fig in case_figures(
                None, [(dt.date.min, dt.date.max)], group="station_month").items():
            by_station[(station_id, month_of(month_text))] = [fig[c] for c in COUNTS]
        # the import's way to the ancestors (level by level), not a Figures per ancestor
        sums = spread(by_station, paths)
        apply_sums(sums)
        return sum(1 for values in sums.values() if any(values))


def on_move(old_prefix: str, new_prefix: str) -> None:
    """A unit moved: its subtree's figures leave the old ancestors and join the new ones.

    The unit's own rollup rows are exactly its subtree's figures; ancestors common to both
    places (e.g. the city when a room changes county) are untouched.
    """
    old_ancestors = path_ids(old_prefix)[:-1]
    new_ancestors = path_ids(new_prefix)[:-1]
    moved = path_ids(new_prefix)[-1]
    leaving = [i for i in old_ancestors if i not in new_ancestors]
    joining = [i for i in new_ancestors if i not in old_ancestors]
    if not leaving and not joining:
        return
    deltas: Deltas = {}
    for row in Rollup.select().where(Rollup.organization == moved).dicts():
        fig = Figures({c: row[c] for c in COUNTS})
        month = row["month"]
        if isinstance(month, str):
            month = dt.date.fromisoformat(month)
        for org_id, sign in [(i, -1) for i in leaving] + [(i, 1) for i in joining]:
            deltas.setdefault((org_id, month), Figures()).add(fig, sign)
    apply(deltas)


def nonzero_rows() -> dict[tuple[int, dt.date], Figures]:
    """All stored rollup rows as {(organisation id, month): figures} (to compare states)."""
    out = {}
    for row in Rollup.select().dicts():
        month = row["month"]
        if isinstance(month, str):
            month = dt.date.fromisoformat(month)
        fig = Figures({c: row[c] for c in COUNTS})
        if not fig.is_zero():
            out[(row["organization"], month)] = fig
    return out


if on_move not in network_services.MOVE_HOOKS:
    network_services.MOVE_HOOKS.append(on_move)
