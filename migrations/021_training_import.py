"""The attendance import's write path (issue 14: 20,000 rows a second).

- fillfactor 50 on training_year_hours and training_year_total (PostgreSQL only; SQLite has
  no such setting). An import adds its differences to these rows (training.rollup.Changes),
  ~15,000 of each for a 20,000-row file. On full pages each update writes a new row version
  elsewhere and a new entry in every index of the table; with room on the page it stays
  there and the indexes are left alone (a HOT update): the two upserts took ~4x less time.
  The tables are rewritten (CLUSTER, in the order of their unique index) so that the rows
  already there get the room too.
- The attendance table loses its single-column indexes on session_id and mediator_id: the
  unique (session_id, mediator_id) and the (mediator_id, session_id) indexes start with the
  same columns and answer the same look-ups, and every new record paid for all five
  (a 20,000-row COPY took ~15 % less time with three).
"""

import peewee as pw
from peewee_migrate import Migrator

TABLES = {"training_year_hours": "yearhours_year_mediator_id_kind_id",
          "training_year_total": "yeartotal_year_mediator_id"}
PREFIX_INDEXES = {"attendance_session_id": "session_id", "attendance_mediator_id": "mediator_id"}


def _fillfactor(database: pw.Database, fillfactor: int) -> None:
    if not isinstance(database, pw.PostgresqlDatabase):
        return
    for table, index in TABLES.items():
        database.execute_sql(f'ALTER TABLE "{table}" SET (fillfactor = {fillfactor})')
        database.execute_sql(f'CLUSTER "{table}" USING "{index}"')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    for name in PREFIX_INDEXES:
        migrator.sql(f'DROP INDEX IF EXISTS "{name}"')
    if not fake:
        migrator.run(_fillfactor, database, 50)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    for name, column in PREFIX_INDEXES.items():
        migrator.sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "attendance" ("{column}")')
    if not fake:
        migrator.run(_fillfactor, database, 100)
