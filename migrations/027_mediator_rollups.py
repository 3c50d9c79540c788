"""Figures per unit, mediator and year (issue 17, `evaluation.models.MediatorRollup`).

The nominations (评优推荐) and the dashboard's mediator table grouped the scope's cases of the
period by mediator or by unit: at 10M cases a city's year took 1.3–3.1 s and the province's
5.4 s, a parallel scan of the case table each time. These rows answer them for whole years.

Filled here so that an existing ledger reads the same figures after the upgrade: one grouped
INSERT … SELECT over the cases, counted as `evaluation.kpis.closed_vector` counts (as 009
fills the day rollups); `flask stats rebuild` recomputes the same. On PostgreSQL the pages
keep 30 % free for an import's updates, as 026 set for the other rollups.
"""

import peewee as pw
from peewee_migrate import Migrator

TABLE = "mediator_rollup"
COUNTS = ("received", "closed", "succeeded", "failed", "withdrawn", "online",
          "judicial_confirmed", "fulfilled", "fulfilment_recorded", "days_sum",
          "amount_involved_cents", "agreed_amount_cents")


def _postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _fill(database: pw.Database) -> None:
    if _postgres(database):
        days = "c.closed - c.received"

        def year(column: str) -> str:
            return f"CAST(date_part('year', c.{column}) AS INTEGER)"
    else:
        days = "CAST(julianday(c.closed) - julianday(c.received) AS INTEGER)"

        def year(column: str) -> str:
            return f"CAST(substr(c.{column}, 1, 4) AS INTEGER)"
    success = "c.result = 'success'"

    def cents(column: str) -> str:
        return f"CAST(ROUND(COALESCE(c.{column}, 0) * 100) AS BIGINT)"

    def flag(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    # the first SELECT of a UNION names the columns (SQLite has no `AS t (columns…)`)
    received = ", ".join(f"{value} AS {name}" for value, name in zip(
        ["c.station_id", "c.mediator_id", year("received"), "1", *["0"] * 11],
        ["station", "mediator", "year", *COUNTS], strict=True))
    closed = ", ".join([
        "c.station_id", "c.mediator_id", year("closed"), "0", "1", flag(success),
        flag("c.result = 'failure'"), flag("c.result = 'withdrawn'"),
        flag("c.method = 'online'"), flag(f"{success} AND c.judicial_confirmed"),
        flag(f"{success} AND c.fulfilment = 'done'"),
        flag(f"{success} AND c.fulfilment IS NOT NULL"), days,
        cents("amount_involved"),
        f"CASE WHEN {success} THEN {cents('agreed_amount')} ELSE 0 END"])
    names = ", ".join(COUNTS)
    sums = ", ".join(f"SUM({name})" for name in COUNTS)
    database.execute_sql(
        f"INSERT INTO {TABLE} (station_id, mediator_id, year, {names}) "
        f"SELECT station, mediator, year, {sums} FROM ("
        f"SELECT {received} FROM mediation_case c UNION ALL "
        f"SELECT {closed} FROM mediation_case c "
        "WHERE c.result IN ('success', 'failure', 'withdrawn') AND c.closed IS NOT NULL"
        ") AS t GROUP BY station, mediator, year")
    if _postgres(database):  # the planner's first estimate of a new table is far off
        database.execute_sql(f"ANALYZE {TABLE}")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    class Meta:
        table_name = TABLE
        indexes = [(("station", "year", "mediator"), True)]

    big = ("days_sum", "amount_involved_cents", "agreed_amount_cents")
    fields = {name: (pw.BigIntegerField if name in big else pw.IntegerField)(default=0)
              for name in COUNTS}
    migrator.create_model(type("MediatorRollup", (pw.Model,), {
        "__module__": __name__, "id": pw.AutoField(), **fields,
        "station": pw.IntegerField(column_name="station_id"),
        "mediator": pw.IntegerField(column_name="mediator_id"),
        "year": pw.IntegerField(), "Meta": Meta}))
    if _postgres(database):
        migrator.sql(f"ALTER TABLE {TABLE} SET (fillfactor = 70)")
    if not fake:
        migrator.run(_fill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model(TABLE)
