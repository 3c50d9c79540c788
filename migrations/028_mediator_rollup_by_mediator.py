"""An index of the per-mediator yearly rows by mediator (issue 17, the nominations).

The nominations rank a scope's candidates in the database and then read the figures of the
page shown: 50 mediators' rows of a year. Without this index that read scanned every row of
the table (1M-case bench ledger: 19–21 ms a page; with it 4–6 ms). The rows are few (one per
unit, mediator and year), so the index costs an import's upserts little.
"""

import peewee as pw
from peewee_migrate import Migrator

TABLE = "mediator_rollup"
INDEX = "mediator_rollup_mediator_id_year"


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (mediator_id, year)")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(f"DROP INDEX IF EXISTS {INDEX}")
