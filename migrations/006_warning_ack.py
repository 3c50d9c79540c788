"""Early warnings: who acknowledged which warning (by its stable key), with what comment."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class WarningAck(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=120, unique=True)
        acknowledged_by = pw.CharField(max_length=80)
        comment = pw.TextField()
        at = pw.DateTimeField()

        class Meta:
            table_name = "warning_ack"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('warning_ack')
