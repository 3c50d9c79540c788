"""The trigram index on 案件编号 goes (issue 17: the import's regression at 1M cases).

Migration 017 added a pg_trgm GIN index on `mediation_case.case_no` for searches inside a
number. pg_trgm's operator class also answers `=`, and the planner chose it for the import's
look-up of which 案件编号 of a file already exist (`case_no = ANY(<100,000 numbers>)`): each
number became a probe of the trigram posting lists, whose common trigrams ("000", "-00") hold
nearly every case. On the 1M-case bench ledger that one statement took 1,750 s (921 s of the
server's CPU) instead of 0.9 s through the unique B-tree index, and every insert also added
~10 trigram entries. The case search matches by prefix (`network.db.text_prefix`, served by
the `text_pattern_ops` index of 017 and by the unique index on SQLite), the same on both
backends: what the issue asks of the search. The extension itself stays (other objects of the
database may use it).
"""

import peewee as pw
from peewee_migrate import Migrator

CASE_NO_TRGM = "mediation_case_case_no_trgm"


def _postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _trigram_available(database: pw.Database) -> bool:
    return database.execute_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").fetchone() is not None


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    if _postgres(database):
        migrator.sql(f"DROP INDEX IF EXISTS {CASE_NO_TRGM}")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    if _postgres(database) and _trigram_available(database):
        migrator.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        migrator.sql(f"CREATE INDEX IF NOT EXISTS {CASE_NO_TRGM} "
                     "ON mediation_case USING gin (case_no gin_trgm_ops)")
