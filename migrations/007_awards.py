"""Awards: type, awarding level, one recipient (mediator or station), period, 文号, date."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class Award(pw.Model):
        id = pw.AutoField()
        award_type = pw.CharField(max_length=20)
        level = pw.CharField(max_length=10)
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], null=True, on_delete='RESTRICT')
        station = pw.ForeignKeyField(column_name='station_id', field='id', model=migrator.orm['organization'], null=True, on_delete='RESTRICT')
        period = pw.CharField(max_length=20)
        doc_no = pw.CharField(default='', max_length=60)
        awarded_on = pw.DateField()
        note = pw.TextField(default='')
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "award"
            indexes = [(('awarded_on',), False)]
            constraints = [pw.SQL("CHECK ((mediator_id IS NULL) <> (station_id IS NULL))")]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('award')
