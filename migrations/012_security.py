"""Security: failed log-ins counted per address and per (account, address) (org.throttle);
mediator accounts put back under their mediator's station (a move used to leave them behind)."""

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

    migrator.sql(
        "UPDATE account SET organization_id = (SELECT m.station_id FROM mediator m "
        "WHERE m.id = account.mediator_id) WHERE role = 'mediator' AND mediator_id IS NOT NULL")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model("login_throttle")
