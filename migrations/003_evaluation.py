"""Evaluation: the case ledger and the monthly rollups of its figures."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class Case(pw.Model):
        id = pw.AutoField()
        case_no = pw.CharField(max_length=40, unique=True)
        station = pw.ForeignKeyField(column_name='station_id', field='id', model=migrator.orm['organization'], on_delete='RESTRICT')
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='RESTRICT')
        received = pw.DateField()
        closed = pw.DateField(null=True)
        dispute_type = pw.CharField(max_length=20)
        amount_involved = pw.DecimalField(decimal_places=2, default=0, max_digits=14)
        agreed_amount = pw.DecimalField(decimal_places=2, max_digits=14, null=True)
        result = pw.CharField(default='open', max_length=10)
        method = pw.CharField(default='offline', max_length=10)
        source = pw.CharField(max_length=20, null=True)
        judicial_confirmed = pw.BooleanField(default=False)
        fulfilment = pw.CharField(max_length=10, null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "mediation_case"
            indexes = [(('station', 'received'), False), (('station', 'closed'), False)]

    @migrator.create_model
    class Rollup(pw.Model):
        id = pw.AutoField()
        organization = pw.ForeignKeyField(column_name='organization_id', field='id', model=migrator.orm['organization'], on_delete='CASCADE')
        month = pw.DateField()
        received = pw.IntegerField(default=0)
        closed = pw.IntegerField(default=0)
        succeeded = pw.IntegerField(default=0)
        failed = pw.IntegerField(default=0)
        withdrawn = pw.IntegerField(default=0)
        online = pw.IntegerField(default=0)
        judicial_confirmed = pw.IntegerField(default=0)
        fulfilled = pw.IntegerField(default=0)
        fulfilment_recorded = pw.IntegerField(default=0)
        days_sum = pw.BigIntegerField(default=0)
        amount_involved_cents = pw.BigIntegerField(default=0)
        agreed_amount_cents = pw.BigIntegerField(default=0)

        class Meta:
            table_name = "rollup"
            indexes = [(('organization', 'month'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('rollup')

    migrator.remove_model('mediation_case')
