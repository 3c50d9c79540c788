"""Open cases per unit and 受理 month (issue 17, `models.OpenRollup`).

The early warnings' "open too long" count (home page of every admin and manager) and its
per-station list counted the open cases of the subtree through the partial index of 017: at
10M cases that is ~1.5M index entries per home page. The rows written here (and kept by
evaluation.overdue) make it a few rows per month plus one month of cases.

Raw SQL on both backends (no add_fields: the table is new, nothing is rebuilt); filled from
the existing ledger in one grouped INSERT … SELECT, as `flask stats rebuild` writes the rows.

The `(station, closed)` index of the cases gains `result`: the low-success rule counts each
station's own cases concluded on the edge days of its 12-month window (closed, succeeded),
which then come from the index alone instead of ~31,000 heap rows at 10M cases (220 ms of
the home page; an index-only scan needs the table vacuumed, as autovacuum does).
"""

import peewee as pw
from peewee_migrate import Migrator

TABLE = "open_rollup"
CLOSED_OLD = "case_station_id_closed"  # named by 003, when the table was still "case"
CLOSED_NEW = "mediation_case_station_id_closed_result"


def _postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _fill(database: pw.Database) -> None:
    pairs = []
    for unit_id, path in database.execute_sql("SELECT id, path FROM organization").fetchall():
        pairs += [(unit_id, int(a)) for a in path.strip("/").split("/") if a]
    if not pairs:
        return
    database.execute_sql("CREATE TEMPORARY TABLE open_pair (unit_id INTEGER, ancestor_id INTEGER)")
    try:
        mark = "%s" if _postgres(database) else "?"
        database.cursor().executemany(f"INSERT INTO open_pair VALUES ({mark}, {mark})", pairs)
        month = ("CAST(date_trunc('month', received) AS DATE)" if _postgres(database)
                 else "substr(received, 1, 8) || '01'")
        database.execute_sql(
            f"INSERT INTO {TABLE} (organization_id, month, subtree, own) "
            "SELECT p.ancestor_id, m.month, SUM(m.n),"
            " SUM(CASE WHEN p.ancestor_id = m.station_id THEN m.n ELSE 0 END) FROM ("
            f"  SELECT station_id, {month} AS month, COUNT(*) AS n FROM mediation_case"
            f"  WHERE result = 'open' GROUP BY station_id, {month}) AS m "
            "JOIN open_pair AS p ON p.unit_id = m.station_id "
            "GROUP BY p.ancestor_id, m.month")
    finally:
        database.execute_sql("DROP TABLE open_pair")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    key = "SERIAL" if _postgres(database) else "INTEGER"
    migrator.sql(
        f"CREATE TABLE {TABLE} (id {key} NOT NULL PRIMARY KEY, "
        "organization_id INTEGER NOT NULL REFERENCES organization (id) ON DELETE CASCADE, "
        "month DATE NOT NULL, subtree INTEGER NOT NULL DEFAULT 0, "
        "own INTEGER NOT NULL DEFAULT 0)")
    migrator.sql(f"CREATE UNIQUE INDEX {TABLE}_organization_id_month "
                 f"ON {TABLE} (organization_id, month)")
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {CLOSED_NEW} "
                 "ON mediation_case (station_id, closed, result)")
    migrator.sql(f"DROP INDEX IF EXISTS {CLOSED_OLD}")
    if not fake:
        migrator.run(_fill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {CLOSED_OLD} ON mediation_case (station_id, closed)")
    migrator.sql(f"DROP INDEX IF EXISTS {CLOSED_NEW}")
    migrator.sql(f"DROP TABLE IF EXISTS {TABLE}")
