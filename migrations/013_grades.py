"""Grades: the ladder of promotion steps (seeded with domain.md's defaults), each mediator's
grade history, and complaints."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class GradeStep(pw.Model):
        id = pw.AutoField()
        from_grade = pw.CharField(max_length=4, unique=True)
        to_grade = pw.CharField(max_length=4, unique=True)
        months_at_grade = pw.IntegerField()
        closed_cases = pw.IntegerField()
        success_rate = pw.DecimalField(auto_round=False, decimal_places=4, max_digits=5, null=True)
        training_hours = pw.DecimalField(auto_round=False, decimal_places=1, max_digits=6)
        pre_service_only = pw.BooleanField(default=False)
        hours_ever = pw.BooleanField(default=False)
        decided_by = pw.CharField(max_length=6)
        awards_bonus = pw.BooleanField(default=False)
        updated_by = pw.CharField(default='', max_length=80)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "grade_step"

    @migrator.create_model
    class GradeChange(pw.Model):
        id = pw.AutoField()
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', index=False, model=migrator.orm['mediator'], on_delete='CASCADE')
        grade = pw.CharField(max_length=4)
        effective = pw.DateField()
        reason = pw.CharField(max_length=12)
        doc_no = pw.CharField(default='', max_length=60)
        note = pw.TextField(default='')
        recorded_by = pw.CharField(default='', max_length=80)
        recorded_at = pw.DateTimeField()
        reverted_at = pw.DateTimeField(null=True)
        reverted_by = pw.CharField(default='', max_length=80)
        revert_reason = pw.TextField(default='')

        class Meta:
            table_name = "grade_change"
            indexes = [(('mediator', 'effective'), False)]

    @migrator.create_model
    class Complaint(pw.Model):
        id = pw.AutoField()
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', index=False, model=migrator.orm['mediator'], on_delete='CASCADE')
        filed_on = pw.DateField()
        upheld = pw.BooleanField(default=False)
        summary = pw.TextField(default='')
        recorded_by = pw.CharField(default='', max_length=80)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "complaint"
            indexes = [(('mediator', 'filed_on'), False)]

    # Every install starts with the default ladder. The seed writes through this migration's
    # own model, so it fills the database being migrated.
    from org.grades import seed_ladder

    migrator.run(seed_ladder, GradeStep)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('complaint')
    migrator.remove_model('grade_change')
    migrator.remove_model('grade_step')
