"""Private calendar (.ics) feeds per account and per organisation, each with its own revocable
token (training.feeds)."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class CalendarFeed(pw.Model):
        id = pw.AutoField()
        token = pw.CharField(max_length=64, unique=True)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        organization = pw.ForeignKeyField(column_name='organization_id', field='id', model=migrator.orm['organization'], null=True, on_delete='CASCADE')
        created_at = pw.DateTimeField()
        revoked_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "calendar_feed"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('calendar_feed')
