"""Monthly rollups of received cases by 纠纷类型 and 案件来源 (issue 17, `models.MixRollup`).

The dashboard's 纠纷类型 / 案件来源 panels and the statistical report's type sheet grouped the
cases of the whole subtree (a province: every case of the period). Filled here from an
existing ledger in one grouped INSERT … SELECT over the cases and the (unit, proper ancestor)
pairs, as migration 009 fills the daily rollups; `flask stats rebuild` writes the same rows.
"""

import peewee as pw
from peewee_migrate import Migrator


def _postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _fill(database: pw.Database) -> None:
    pairs = []
    for unit_id, path in database.execute_sql("SELECT id, path FROM organization").fetchall():
        ancestors = [int(x) for x in path.strip("/").split("/") if x][:-1]
        pairs += [(unit_id, a) for a in ancestors]
    if not pairs:
        return
    database.execute_sql("CREATE TEMPORARY TABLE mix_pair (unit_id INTEGER, ancestor_id INTEGER)")
    try:
        mark = "%s" if _postgres(database) else "?"
        database.cursor().executemany(f"INSERT INTO mix_pair VALUES ({mark}, {mark})", pairs)
        month = ("CAST(date_trunc('month', received) AS DATE)" if _postgres(database)
                 else "substr(received, 1, 8) || '01'")
        database.execute_sql(
            "INSERT INTO mix_rollup (organization_id, month, dispute_type, source, received) "
            "SELECT p.ancestor_id, m.month, m.dispute_type, m.source, SUM(m.n) FROM ("
            f"  SELECT station_id, {month} AS month, dispute_type, COALESCE(source, '') AS source,"
            "   COUNT(*) AS n FROM mediation_case"
            f"  GROUP BY station_id, {month}, dispute_type, COALESCE(source, '')) AS m "
            "JOIN mix_pair AS p ON p.unit_id = m.station_id "
            "GROUP BY p.ancestor_id, m.month, m.dispute_type, m.source")
    finally:
        database.execute_sql("DROP TABLE mix_pair")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    class Meta:
        table_name = "mix_rollup"
        indexes = [(("organization", "month", "dispute_type", "source"), True)]

    migrator.create_model(type("MixRollup", (pw.Model,), {
        "__module__": __name__, "id": pw.AutoField(),
        "organization": pw.ForeignKeyField(
            column_name="organization_id", field="id", model=migrator.orm["organization"],
            on_delete="CASCADE", index=False),
        "month": pw.DateField(), "dispute_type": pw.CharField(max_length=20),
        "source": pw.CharField(max_length=20, default=""),
        "received": pw.IntegerField(default=0), "Meta": Meta}))
    if not fake:
        migrator.run(_fill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model("mix_rollup")
