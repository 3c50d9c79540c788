"""Training figures kept beside the attendance (training.rollup): each session's participant
count (人次) and each mediator's credited hours per calendar year and kind, and per year in
all (training_year_total), so that a
province's coverage reads ~60k rows instead of aggregating a year of attendance.

Filled here from the attendance already recorded, counted as training.rollup counts (records
with credited hours > 0, sessions not cancelled, the year of the session's Asia/Shanghai
start day), so an existing install reads the same figures after the upgrade.
"""

import peewee as pw
from peewee_migrate import Migrator


def _fill(database: pw.Database) -> None:
    database.execute_sql(
        "UPDATE training_session SET participants = (SELECT COUNT(*) FROM attendance a "
        "WHERE a.session_id = training_session.id AND a.credited > 0)")
    if isinstance(database, pw.PostgresqlDatabase):
        year = "CAST(EXTRACT(YEAR FROM s.start_day) AS INTEGER)"
    else:
        year = "CAST(substr(s.start_day, 1, 4) AS INTEGER)"
    database.execute_sql(
        "INSERT INTO training_year_hours (mediator_id, year, kind_id, hours, participations) "
        f"SELECT a.mediator_id, {year}, s.kind_id, SUM(a.credited), COUNT(*) "
        "FROM attendance a JOIN training_session s ON s.id = a.session_id "
        "WHERE s.status <> 'cancelled' AND a.credited > 0 "
        f"GROUP BY a.mediator_id, {year}, s.kind_id")
    database.execute_sql(
        "INSERT INTO training_year_total (mediator_id, year, hours, participations) "
        "SELECT mediator_id, year, SUM(hours), SUM(participations) FROM training_year_hours "
        "GROUP BY mediator_id, year")


# Plain ALTER TABLE on both backends: peewee-migrate's add_fields/remove_fields rebuild a
# SQLite table to set NOT NULL, and dropping the old training_session would cascade to its
# attendance and enrolments (foreign keys are on).
ADD_COLUMN = "ALTER TABLE training_session ADD COLUMN participants INTEGER NOT NULL DEFAULT 0"
DROP_COLUMN = "ALTER TABLE training_session DROP COLUMN participants"


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(ADD_COLUMN)

    @migrator.create_model
    class YearHours(pw.Model):
        id = pw.AutoField()
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        year = pw.SmallIntegerField()
        kind = pw.ForeignKeyField(column_name='kind_id', field='id', model=migrator.orm['training_kind'], on_delete='CASCADE')
        hours = pw.DecimalField(decimal_places=1, max_digits=7)
        participations = pw.IntegerField()

        class Meta:
            table_name = "training_year_hours"
            indexes = [(('year', 'mediator', 'kind'), True)]

    @migrator.create_model
    class YearTotal(pw.Model):
        id = pw.AutoField()
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        year = pw.SmallIntegerField()
        hours = pw.DecimalField(decimal_places=1, max_digits=7)
        participations = pw.IntegerField()

        class Meta:
            table_name = "training_year_total"
            indexes = [(('year', 'mediator'), True)]

    migrator.run(_fill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('training_year_total')
    migrator.remove_model('training_year_hours')
    migrator.sql(DROP_COLUMN)
