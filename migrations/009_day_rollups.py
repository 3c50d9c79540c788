"""Daily rollups: the figures of each unit's descendants per day, filled from the cases.

The edge days of a KPI range (16 January … 15 December) were counted from the cases: at a
province, tens of thousands of rows read through 3,000 units' indexes (260 ms per API call at a
million cases). A unit's day rows plus its own cases answer them in a few rows.

Filled here so that an existing ledger reads the same figures after the upgrade: one grouped
INSERT … SELECT over the cases and the (unit, proper ancestor) pairs, which Python lists from
the organisations' paths (a LIKE join of every case against every path would be quadratic).
Counted as `evaluation.kpis.closed_vector` counts; `flask stats rebuild` recomputes the same.
"""

import peewee as pw
from peewee_migrate import Migrator

COUNTS = ("received", "closed", "succeeded", "failed", "withdrawn", "online",
          "judicial_confirmed", "fulfilled", "fulfilment_recorded", "days_sum",
          "amount_involved_cents", "agreed_amount_cents")


def _postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _fill(database: pw.Database) -> None:
    pairs = []
    for unit_id, path in database.execute_sql("SELECT id, path FROM organization").fetchall():
        ancestors = [int(x) for x in path.strip("/").split("/") if x][:-1]
        pairs += [(unit_id, a) for a in ancestors]
    if not pairs:
        return
    database.execute_sql("CREATE TEMPORARY TABLE ancestor_pair (unit_id INTEGER, "
                         "ancestor_id INTEGER)")
    try:
        mark = "%s" if _postgres(database) else "?"
        database.cursor().executemany(
            f"INSERT INTO ancestor_pair VALUES ({mark}, {mark})", pairs)
        if _postgres(database):
            days = "c.closed - c.received"
        else:
            days = "CAST(julianday(c.closed) - julianday(c.received) AS INTEGER)"
        success = "c.result = 'success'"

        def cents(column: str) -> str:
            return f"CAST(ROUND(COALESCE(c.{column}, 0) * 100) AS BIGINT)"

        def flag(condition: str) -> str:
            return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

        # the first SELECT of a UNION names the columns (SQLite has no `AS t (columns…)`)
        received = ", ".join(f"{value} AS {name}" for value, name in zip(
            ["p.ancestor_id", "c.received", "1", *["0"] * 11], ["org", "day", *COUNTS],
            strict=True))
        closed = ", ".join([
            "p.ancestor_id", "c.closed", "0", "1", flag(success),
            flag("c.result = 'failure'"), flag("c.result = 'withdrawn'"),
            flag("c.method = 'online'"), flag(f"{success} AND c.judicial_confirmed"),
            flag(f"{success} AND c.fulfilment = 'done'"),
            flag(f"{success} AND c.fulfilment IS NOT NULL"), days,
            cents("amount_involved"),
            f"CASE WHEN {success} THEN {cents('agreed_amount')} ELSE 0 END"])
        source = "FROM mediation_case c JOIN ancestor_pair p ON p.unit_id = c.station_id"
        names = ", ".join(COUNTS)
        sums = ", ".join(f"SUM({name})" for name in COUNTS)
        database.execute_sql(
            f"INSERT INTO day_rollup (organization_id, day, {names}) "
            f"SELECT org, day, {sums} FROM ("
            f"SELECT {received} {source} UNION ALL "
            f"SELECT {closed} {source} WHERE c.result IN ('success', 'failure', 'withdrawn') "
            f"AND c.closed IS NOT NULL) AS t GROUP BY org, day")
    finally:
        database.execute_sql("DROP TABLE ancestor_pair")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    class Meta:
        table_name = "day_rollup"
        indexes = [(('organization', 'day'), True)]

    big = ("days_sum", "amount_involved_cents", "agreed_amount_cents")
    fields = {name: (pw.BigIntegerField if name in big else pw.IntegerField)(default=0)
              for name in COUNTS}
    migrator.create_model(type("DayRollup", (pw.Model,), {
        "__module__": __name__, "id": pw.AutoField(), **fields,
        "organization": pw.ForeignKeyField(
            column_name='organization_id', field='id', model=migrator.orm['organization'],
            on_delete='CASCADE', index=False),
        "day": pw.DateField(), "Meta": Meta}))

    if _postgres(database):
        # as the monthly rollups (008): an import's adds find room on their page (HOT updates)
        migrator.sql("ALTER TABLE day_rollup SET (fillfactor = 50)")
    if not fake:
        migrator.run(_fill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('day_rollup')
