"""How many rows a list shows, without counting a province's ledger row by row.

A list's total is exact up to `EXACT_UP_TO` rows; above that, counting every matching row
costs as much as reading them (2 s at 10M cases), so the list shows an estimate and counts
exactly only when asked (`?exact=1`). Views that know their size from a maintained figure
(the case list from the rollups) give it exactly without counting at all.
"""
from __future__ import annotations

import json

import peewee as pw
from flask import request
from flask_babel import gettext

from network.db import db, is_postgres

EXACT_UP_TO = 10_000


EXACT, ESTIMATE, AT_LEAST = "exact", "estimate", "at least"


class Total(int):
    """A row count that says how it was obtained (exact, the planner's estimate, or only "more
    than EXACT_UP_TO"); prints as the list's label shows it. An int, so that Flask-Admin's
    pager computes its pages from it."""

    kind: str = EXACT

    def __new__(cls, value: int, kind: str = EXACT):
        total = super().__new__(cls, value)
        total.kind = kind
        return total

    @property
    def exact(self) -> bool:
        return self.kind == EXACT

    def __str__(self) -> str:
        if self.kind == ESTIMATE:
            if self >= 10_000:
                return gettext("约 %(n)s 万件", n=f"{round(self / 10_000):,}")
            return gettext("约 %(n)s 件", n=f"{int(self):,}")
        if self.kind == AT_LEAST:
            return gettext("超过 %(n)s 件", n=f"{EXACT_UP_TO:,}")
        return f"{int(self):,}"


def exact_requested() -> bool:
    return request.args.get("exact") == "1"


def estimate(query: pw.SelectQuery) -> int | None:
    """The planner's row estimate on PostgreSQL (from the table's statistics); None on
    SQLite, which keeps none."""
    if not is_postgres():
        return None
    sql, params = query.sql()
    plan = db.execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_total(query: pw.SelectQuery, counted: int | None = None) -> Total:
    """Exact up to EXACT_UP_TO (reading at most that many rows), else an estimate. `counted`:
    the bounded count, when the caller has it already."""
    if exact_requested():
        return Total(query.count())
    found = counted if counted is not None else query.order_by().limit(EXACT_UP_TO + 1).count()
    if found <= EXACT_UP_TO:
        return Total(found)
    guess = estimate(query.order_by())
    if guess is None or guess <= EXACT_UP_TO:
        return Total(EXACT_UP_TO + 1, AT_LEAST)
    return Total(guess, ESTIMATE)
