"""Initial schema: organisations and their kinds, mediators, assignments, accounts, audit."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class OrgKind(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=50, unique=True)
        sort_order = pw.IntegerField(default=0)
        active = pw.BooleanField(default=True)

        class Meta:
            table_name = "org_kind"

    @migrator.create_model
    class Organization(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=32, unique=True)
        name = pw.CharField(max_length=100)
        level = pw.SmallIntegerField()
        parent = pw.ForeignKeyField(column_name='parent_id', field='id', model='self', null=True, on_delete='RESTRICT')
        kind = pw.ForeignKeyField(column_name='kind_id', field='id', model=migrator.orm['org_kind'], on_delete='RESTRICT')
        division_code = pw.CharField(max_length=6, null=True)
        address = pw.CharField(max_length=200, null=True)
        phone = pw.CharField(max_length=30, null=True)
        founded = pw.DateField(null=True)
        longitude = pw.DecimalField(auto_round=True, decimal_places=6, max_digits=9, null=True)
        latitude = pw.DecimalField(auto_round=True, decimal_places=6, max_digits=9, null=True)
        status = pw.CharField(default='active', max_length=10)
        path = pw.CharField(default='', index=True, max_length=255)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "organization"
            indexes = [(('parent', 'name'), False)]

    @migrator.create_model
    class Mediator(pw.Model):
        id = pw.AutoField()
        staff_no = pw.CharField(max_length=32, unique=True)
        name = pw.CharField(max_length=50)
        gender = pw.CharField(max_length=1)
        id_number = pw.CharField(max_length=18, unique=True)
        birth_date = pw.DateField(null=True)
        mobile = pw.CharField(max_length=11, null=True)
        education = pw.CharField(max_length=20, null=True)
        speciality = pw.CharField(max_length=100, null=True)
        political_status = pw.CharField(max_length=20, null=True)
        employment = pw.CharField(default='part', max_length=4)
        employer = pw.CharField(max_length=100, null=True)
        joined = pw.DateField(null=True)
        status = pw.CharField(default='on', max_length=3)
        station = pw.ForeignKeyField(column_name='station_id', field='id', model=migrator.orm['organization'], on_delete='RESTRICT')
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "mediator"

    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        username = pw.CharField(max_length=40, unique=True)
        display_name = pw.CharField(default='', max_length=50)
        password_hash = pw.CharField(max_length=255)
        role = pw.CharField(max_length=10)
        organization = pw.ForeignKeyField(column_name='organization_id', field='id', model=migrator.orm['organization'], null=True, on_delete='RESTRICT')
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], null=True, on_delete='RESTRICT')
        active = pw.BooleanField(default=True)
        failed_logins = pw.IntegerField(default=0)
        locked_until = pw.DateTimeField(null=True)
        locale = pw.CharField(max_length=10, null=True)
        last_login = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "account"

    @migrator.create_model
    class ApiToken(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        last_used = pw.DateTimeField(null=True)

        class Meta:
            table_name = "api_token"

    @migrator.create_model
    class Assignment(pw.Model):
        id = pw.AutoField()
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        station = pw.ForeignKeyField(column_name='station_id', field='id', model=migrator.orm['organization'], on_delete='RESTRICT')
        kind = pw.CharField(default='resident', max_length=10)
        is_primary = pw.BooleanField(default=False)
        start = pw.DateField()
        end = pw.DateField(null=True)

        class Meta:
            table_name = "assignment"
            indexes = [(('mediator', 'station', 'start'), False)]

    @migrator.create_model
    class AuditLog(pw.Model):
        id = pw.AutoField()
        created_at = pw.DateTimeField(index=True)
        actor = pw.CharField(default='', index=True, max_length=80)
        action = pw.CharField(index=True, max_length=20)
        table = pw.CharField(index=True, max_length=40)
        object_id = pw.CharField(default='', max_length=40)
        object_repr = pw.CharField(default='', max_length=200)
        changes = pw.TextField(default='')
        org_path = pw.CharField(default='', index=True, max_length=255)

        class Meta:
            table_name = "audit_log"

    if isinstance(database, pw.PostgresqlDatabase):
        # Prefix (LIKE 'x%') searches on paths use these whatever the database collation.
        migrator.sql("CREATE INDEX organization_path_prefix ON organization "
                     "(path text_pattern_ops)")
        migrator.sql("CREATE INDEX audit_log_org_path_prefix ON audit_log "
                     "(org_path text_pattern_ops)")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    if isinstance(database, pw.PostgresqlDatabase):
        migrator.sql("DROP INDEX IF EXISTS organization_path_prefix")
        migrator.sql("DROP INDEX IF EXISTS audit_log_org_path_prefix")
    migrator.remove_model('audit_log')

    migrator.remove_model('assignment')

    migrator.remove_model('api_token')

    migrator.remove_model('account')

    migrator.remove_model('mediator')

    migrator.remove_model('organization')

    migrator.remove_model('org_kind')
