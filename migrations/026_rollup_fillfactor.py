"""Room on the rollup tables' pages for the import's updates (issue 17, PostgreSQL only).

An import adds its sums to rows that mostly exist (INSERT … ON CONFLICT DO UPDATE: at 1M cases,
100,000 new cases update ~60,000 day rows and ~64,000 mix rows). On full pages every updated
row moves to another page and each of its indexes gets a new entry; with 30 % of each page free
PostgreSQL keeps the new version on the same page (a HOT update) and touches no index. The
rows are rewritten here, ordered by their unique (unit, period) key, so the free space exists
from the start. Measured on the bench's 1M ledger (tests/bench/README.md), each shape rewritten
by CLUSTER then two rolled-back imports, alternating twice: the import's rollup sums 3.1–4.6 s
→ 2.9–3.1 s, the whole import 6,600–10,800 → 10,100–11,700 rows/s. The rewrite took 3.5 s.
SQLite has no such setting: nothing to do there.
"""

import peewee as pw
from peewee_migrate import Migrator

FILLFACTOR = 70
TABLES = {  # table: its unique (unit, period) index, the order the rows are rewritten in
    "rollup": "rollup_organization_id_month",
    "day_rollup": "dayrollup_organization_id_day",
    "mix_rollup": "mixrollup_organization_id_month_dispute_type_source",
    "open_rollup": "open_rollup_organization_id_month",
}


def _postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _set(database: pw.Database, fillfactor: int | None) -> None:
    for table, index in TABLES.items():
        found = database.execute_sql("SELECT to_regclass(%s), to_regclass(%s)",
                                     (table, index)).fetchone()
        if found[0] is None:
            continue
        option = (f"SET (fillfactor = {fillfactor})" if fillfactor else "RESET (fillfactor)")
        database.execute_sql(f"ALTER TABLE {table} {option}")
        if found[1] is not None:  # CLUSTER rewrites the table (with its new fillfactor)
            database.execute_sql(f"CLUSTER {table} USING {index}")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    if _postgres(database) and not fake:
        migrator.run(_set, database, FILLFACTOR)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    if _postgres(database) and not fake:
        migrator.run(_set, database, None)
