"""Reference data every install needs: the organisation kinds (机构类型).

The importers and the station form refuse a kind that is not in `org_kind`; before this
migration the table was filled only by `demo`, so a fresh install could not import its own
template. Seeded here, on every install, once: a kind an administrator renamed, disabled or
re-sorted afterwards is left as it is (a name already present is never inserted again).

The list is this migration's own copy, not `network.models.DEFAULT_KINDS`: a migration must
seed tomorrow what it seeded today, whatever the code says by then (a test checks that the
two agree now).

Evaluation settings are deliberately not seeded: `evaluation.settings.SETTINGS` declares each
default with its type and limits, and the `setting` table holds only the values an
administrator changed. A fresh install already reads every default; seeding rows would freeze
today's defaults in every database and turn a corrected default into a data migration.

Rollback removes the seeded kinds that no organisation uses (a used kind stays: deleting it
would break the organisations that refer to it).
"""

import peewee as pw
from peewee_migrate import Migrator

KINDS = ["调解中心", "调解工作站", "调解工作室", "驻法院工作室", "银行网点调解点",
         "普惠金融司法协同中心"]


def _mark(database: pw.Database) -> str:
    return database.param


def _seed(database: pw.Database) -> None:
    mark = _mark(database)
    for order, name in enumerate(KINDS):
        database.execute_sql(
            f"INSERT INTO org_kind (name, sort_order, active) SELECT {mark}, {mark}, {mark} "
            f"WHERE NOT EXISTS (SELECT 1 FROM org_kind WHERE name = {mark})",
            (name, order, True, name))


def _unseed(database: pw.Database) -> None:
    mark = _mark(database)
    for name in KINDS:
        database.execute_sql(
            f"DELETE FROM org_kind WHERE name = {mark} AND NOT EXISTS "
            f"(SELECT 1 FROM organization o WHERE o.kind_id = org_kind.id)", (name,))


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    if not fake:
        migrator.run(_seed, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    if not fake:
        migrator.run(_unseed, database)
