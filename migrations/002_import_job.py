"""Import jobs: a confirmed import's owner, scope, status and progress (network.jobs)."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class ImportJob(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=20)
        username = pw.CharField(index=True, max_length=80)
        scope_path = pw.CharField(default='', max_length=255)
        filename = pw.CharField(default='', max_length=255)
        status = pw.CharField(default='pending', max_length=10)
        total = pw.IntegerField(default=0)
        done = pw.IntegerField(default=0)
        errors = pw.TextField(default='')
        summary = pw.TextField(default='')
        created_at = pw.DateTimeField()
        finished_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "import_job"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('import_job')
