"""Evaluation settings: thresholds and weights an administrator changed from their defaults."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class Setting(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=60, unique=True)
        value = pw.CharField(max_length=100)
        updated_by = pw.CharField(default='', max_length=80)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "setting"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('setting')
