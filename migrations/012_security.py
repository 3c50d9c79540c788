"""Security: failed log-ins counted per address and per (account, address) (org.throttle)."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class LoginThrottle(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=200, unique=True)
        failures = pw.IntegerField(default=0)
        window_start = pw.DateTimeField()
        locked_until = pw.DateTimeField(null=True, index=True)

        class Meta:
            table_name = "login_throttle"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model("login_throttle")
