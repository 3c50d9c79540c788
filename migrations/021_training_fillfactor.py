"""Room on every page of the kept training year rows (PostgreSQL): fillfactor 50 on
training_year_hours and training_year_total.

An attendance import adds its differences to these rows (training.rollup.Changes), one
update per mediator touched, ~15,000 of each for a 20,000-row file. On full pages each update
writes a new row version elsewhere and a new entry in every index of the table; with room
on the page it stays there and the indexes are left alone (a HOT update): the two upserts
took ~4x less time (tests/bench/README.md). The tables are rewritten (CLUSTER, in the order
of their unique index) so that rows already there get the room too. SQLite has no such
setting: nothing to do there.
"""

import peewee as pw
from peewee_migrate import Migrator

TABLES = {"training_year_hours": "yearhours_year_mediator_id_kind_id",
          "training_year_total": "yeartotal_year_mediator_id"}


def _set(database: pw.Database, fillfactor: int) -> None:
    if not isinstance(database, pw.PostgresqlDatabase):
        return
    for table, index in TABLES.items():
        database.execute_sql(f'ALTER TABLE "{table}" SET (fillfactor = {fillfactor})')
        database.execute_sql(f'CLUSTER "{table}" USING "{index}"')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    if not fake:
        migrator.run(_set, database, 50)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    if not fake:
        migrator.run(_set, database, 100)
