"""Indexes the case list needs on a province's ledger (issue 17).

- `(received, id)`: the list's default order (newest 受理日期 first, id breaking ties) and the
  受理日期 filters read the first page off the end of this index instead of sorting every
  case (6.6 s at 10M cases), and the next page seeks to the last row's key.
- search is by prefix (`network.db.text_prefix`): 案件编号 and a mediator's name through an index
  each (`text_pattern_ops` on PostgreSQL, whose LIKE cannot use a plain index outside the C
  collation; SQLite's GLOB uses the plain unique index of 案件编号). The cases of a matching
  mediator are found through the existing `mediation_case (mediator_id)` index.
- a partial index of the open cases `(station_id, received) WHERE result = 'open'`: the early
  warnings count and group the cases open too long per station from it (evaluation.warnings)
  without reading the concluded 85 % of the ledger.
- On PostgreSQL, when the pg_trgm extension is available, a trigram index on 案件编号 lets a
  search for any part of a number (not only its beginning) use an index. Without the
  extension the search stays a prefix search, on both backends.
"""

import peewee as pw
from peewee_migrate import Migrator

CASE_ORDER = "mediation_case_received_id"
MEDIATOR_NAME = "mediator_name"
OPEN_CASES = "mediation_case_open"
CASE_NO_PREFIX = "mediation_case_case_no_prefix"
CASE_NO_TRGM = "mediation_case_case_no_trgm"


def _postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _trigram_available(database: pw.Database) -> bool:
    row = database.execute_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").fetchone()
    return row is not None


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {CASE_ORDER} ON mediation_case (received, id)")
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {OPEN_CASES} ON mediation_case (station_id, received) "
                 "WHERE result = 'open'")
    if not _postgres(database):
        migrator.sql(f"CREATE INDEX IF NOT EXISTS {MEDIATOR_NAME} ON mediator (name)")
        return
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {MEDIATOR_NAME} "
                 "ON mediator (name text_pattern_ops)")
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {CASE_NO_PREFIX} "
                 "ON mediation_case (case_no text_pattern_ops)")
    if _trigram_available(database):
        migrator.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        migrator.sql(f"CREATE INDEX IF NOT EXISTS {CASE_NO_TRGM} "
                     "ON mediation_case USING gin (case_no gin_trgm_ops)")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    # the extension stays: other databases' objects may use it, and it holds no data
    migrator.sql(f"DROP INDEX IF EXISTS {CASE_NO_TRGM}")
    migrator.sql(f"DROP INDEX IF EXISTS {CASE_NO_PREFIX}")
    migrator.sql(f"DROP INDEX IF EXISTS {MEDIATOR_NAME}")
    migrator.sql(f"DROP INDEX IF EXISTS {OPEN_CASES}")
    migrator.sql(f"DROP INDEX IF EXISTS {CASE_ORDER}")
