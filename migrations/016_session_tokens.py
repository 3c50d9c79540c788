"""Server-side sessions and API tokens that end (issue 16 #7): a session version per account
(log-out, a new password or a change of role ends every session), and tokens that expire and
can be revoked. Separate from 012, which was already merged and may have run somewhere."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.add_fields("account", session_version=pw.IntegerField(default=0))
    migrator.add_fields("api_token", expires_at=pw.DateTimeField(null=True),
                        revoked_at=pw.DateTimeField(null=True))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_fields("api_token", "expires_at", "revoked_at")
    migrator.remove_fields("account", "session_version")
