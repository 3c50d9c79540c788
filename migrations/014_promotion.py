"""Promotion rounds: the round, its frozen eligibility snapshot, applications, the review
steps and objections."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class PromotionRound(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=100)
        organization = pw.ForeignKeyField(column_name='organization_id', field='id', model=migrator.orm['organization'], on_delete='RESTRICT')
        reference_date = pw.DateField()
        deadline = pw.DateField()
        notice_days = pw.SmallIntegerField(default=5)
        effective_date = pw.DateField()
        doc_no = pw.CharField(default='', max_length=60)
        status = pw.CharField(default='open', max_length=10)
        opened_by = pw.CharField(default='', max_length=80)
        opened_at = pw.DateTimeField()

        class Meta:
            table_name = "promotion_round"

    @migrator.create_model
    class Snapshot(pw.Model):
        id = pw.AutoField()
        round = pw.ForeignKeyField(column_name='round_id', field='id', index=False, model=migrator.orm['promotion_round'], on_delete='CASCADE')
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        station = pw.ForeignKeyField(column_name='station_id', field='id', index=False, model=migrator.orm['organization'], on_delete='RESTRICT')
        grade = pw.CharField(max_length=4)
        grade_since = pw.DateField(null=True)
        next_grade = pw.CharField(max_length=4, null=True)
        eligible = pw.BooleanField(default=False)
        criteria = pw.TextField()
        evidence = pw.TextField()

        class Meta:
            table_name = "promotion_snapshot"
            indexes = [(('round', 'mediator'), True)]

    @migrator.create_model
    class Application(pw.Model):
        id = pw.AutoField()
        round = pw.ForeignKeyField(column_name='round_id', field='id', index=False, model=migrator.orm['promotion_round'], on_delete='CASCADE')
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        station = pw.ForeignKeyField(column_name='station_id', field='id', index=False, model=migrator.orm['organization'], on_delete='RESTRICT')
        from_grade = pw.CharField(max_length=4)
        to_grade = pw.CharField(max_length=4)
        decided_by = pw.CharField(max_length=6)
        state = pw.CharField(default='draft', index=True, max_length=10)
        nominated = pw.BooleanField(default=False)
        exception_reason = pw.TextField(default='')
        applied_by = pw.CharField(default='', max_length=80)
        notice_start = pw.DateField(null=True)
        notice_days_left = pw.SmallIntegerField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "promotion_application"
            indexes = [(('round', 'mediator'), True)]

    @migrator.create_model
    class Review(pw.Model):
        id = pw.AutoField()
        application = pw.ForeignKeyField(column_name='application_id', field='id', model=migrator.orm['promotion_application'], on_delete='CASCADE')
        action = pw.CharField(max_length=12)
        from_state = pw.CharField(max_length=10)
        to_state = pw.CharField(max_length=10)
        actor = pw.CharField(default='', max_length=80)
        comment = pw.TextField(default='')
        at = pw.DateTimeField()

        class Meta:
            table_name = "promotion_review"

    @migrator.create_model
    class Objection(pw.Model):
        id = pw.AutoField()
        application = pw.ForeignKeyField(column_name='application_id', field='id', model=migrator.orm['promotion_application'], on_delete='CASCADE')
        filed_by = pw.CharField(max_length=80)
        reason = pw.TextField()
        filed_on = pw.DateField()
        status = pw.CharField(default='pending', max_length=10)
        answered_by = pw.CharField(default='', max_length=80)
        answer = pw.TextField(default='')
        answered_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "promotion_objection"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('promotion_objection')
    migrator.remove_model('promotion_review')
    migrator.remove_model('promotion_application')
    migrator.remove_model('promotion_snapshot')
    migrator.remove_model('promotion_round')
