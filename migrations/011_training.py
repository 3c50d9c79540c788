"""Training: kinds, courses, sessions and their dates and audience, enrolment, attendance,
requirements, the work calendar, certificates, feedback, notices.

Seeds what a fresh install needs without `demo` (training.reference.seed: the six kinds, the
default requirements of 20 annual and 10 pre-service hours, the official calendar 2020–2026);
the seed skips rows already present, so it is safe to run again.
"""

import peewee as pw
from peewee_migrate import Migrator


def _seed(database: pw.Database) -> None:
    from training.reference import seed

    seed(database)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class TrainingKind(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=20, unique=True)
        name = pw.CharField(max_length=30, unique=True)
        sort_order = pw.IntegerField(default=0)
        active = pw.BooleanField(default=True)

        class Meta:
            table_name = "training_kind"

    @migrator.create_model
    class Course(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=100, unique=True)
        kind = pw.ForeignKeyField(column_name='kind_id', field='id', model=migrator.orm['training_kind'], on_delete='RESTRICT')
        description = pw.TextField(default='')
        valid_months = pw.IntegerField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "course"

    @migrator.create_model
    class Session(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=40, unique=True)
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], on_delete='RESTRICT')
        kind = pw.ForeignKeyField(column_name='kind_id', field='id', model=migrator.orm['training_kind'], on_delete='RESTRICT')
        host = pw.ForeignKeyField(column_name='host_id', field='id', model=migrator.orm['organization'], on_delete='RESTRICT')
        trainers = pw.CharField(default='', max_length=200)
        venue = pw.CharField(default='', max_length=200)
        online_link = pw.CharField(default='', max_length=500)
        start = pw.DateTimeField()
        end = pw.DateTimeField()
        start_day = pw.DateField(index=True)
        minutes = pw.IntegerField()
        hours = pw.DecimalField(decimal_places=1, max_digits=5)
        capacity = pw.IntegerField()
        booked = pw.IntegerField(default=0)
        enrol_deadline = pw.DateTimeField(null=True)
        audience_grades = pw.CharField(default='', max_length=100)
        audience_employment = pw.CharField(default='', max_length=4)
        mandatory = pw.BooleanField(default=False)
        needs_approval = pw.BooleanField(default=False)
        status = pw.CharField(default='planned', max_length=10)
        cancel_reason = pw.CharField(default='', max_length=200)
        sequence = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "training_session"
            indexes = [(('host', 'start_day'), False)]
            constraints = [pw.SQL("CHECK (booked >= 0 AND booked <= capacity)")]

    @migrator.create_model
    class SessionAudience(pw.Model):
        id = pw.AutoField()
        session = pw.ForeignKeyField(column_name='session_id', field='id', model=migrator.orm['training_session'], on_delete='CASCADE')
        organization = pw.ForeignKeyField(column_name='organization_id', field='id', model=migrator.orm['organization'], on_delete='CASCADE')

        class Meta:
            table_name = "session_audience"
            indexes = [(('session', 'organization'), True)]

    @migrator.create_model
    class SessionDate(pw.Model):
        id = pw.AutoField()
        session = pw.ForeignKeyField(column_name='session_id', field='id', model=migrator.orm['training_session'], on_delete='CASCADE')
        start = pw.DateTimeField()
        end = pw.DateTimeField()

        class Meta:
            table_name = "session_date"
            indexes = [(('session', 'start'), True)]

    @migrator.create_model
    class Enrolment(pw.Model):
        id = pw.AutoField()
        session = pw.ForeignKeyField(column_name='session_id', field='id', model=migrator.orm['training_session'], on_delete='CASCADE')
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        status = pw.CharField(max_length=10)
        queue_no = pw.IntegerField(null=True)
        waitlisted_at = pw.DateTimeField(null=True)
        offer_expires = pw.DateTimeField(null=True)
        enrolled_by = pw.CharField(default='', max_length=80)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "enrolment"
            indexes = [(('session', 'mediator'), True), (('session', 'status', 'queue_no'), False)]

    @migrator.create_model
    class Attendance(pw.Model):
        id = pw.AutoField()
        session = pw.ForeignKeyField(column_name='session_id', field='id', model=migrator.orm['training_session'], on_delete='CASCADE')
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        status = pw.CharField(max_length=10)
        minutes = pw.IntegerField(null=True)
        credited = pw.DecimalField(decimal_places=1, max_digits=5)
        recorded_by = pw.CharField(default='', max_length=80)
        recorded_at = pw.DateTimeField()

        class Meta:
            table_name = "attendance"
            indexes = [(('session', 'mediator'), True), (('mediator', 'session'), False)]

    @migrator.create_model
    class TrainingRequirement(pw.Model):
        id = pw.AutoField()
        kind = pw.CharField(max_length=12)
        grade = pw.CharField(max_length=10, null=True)
        hours = pw.DecimalField(decimal_places=1, max_digits=5)
        updated_by = pw.CharField(default='', max_length=80)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "training_requirement"
            indexes = [(('kind', 'grade'), True)]

    @migrator.create_model
    class WorkDay(pw.Model):
        id = pw.AutoField()
        day = pw.DateField(unique=True)
        is_workday = pw.BooleanField()
        name = pw.CharField(default='', max_length=30)
        source = pw.CharField(default='manual', max_length=20)

        class Meta:
            table_name = "work_day"

    @migrator.create_model
    class Certificate(pw.Model):
        id = pw.AutoField()
        serial = pw.CharField(max_length=40, unique=True)
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='RESTRICT')
        course = pw.ForeignKeyField(column_name='course_id', field='id', model=migrator.orm['course'], on_delete='RESTRICT')
        session = pw.ForeignKeyField(column_name='session_id', field='id', model=migrator.orm['training_session'], null=True, on_delete='SET NULL')
        hours = pw.DecimalField(decimal_places=1, max_digits=5)
        issued = pw.DateField()
        expires = pw.DateField(null=True)
        revoked_at = pw.DateTimeField(null=True)
        revoke_reason = pw.CharField(default='', max_length=200)
        issuer = pw.CharField(default='', max_length=100)

        class Meta:
            table_name = "certificate"
            indexes = [(('mediator', 'course'), False)]

    @migrator.create_model
    class Feedback(pw.Model):
        id = pw.AutoField()
        session = pw.ForeignKeyField(column_name='session_id', field='id', model=migrator.orm['training_session'], on_delete='CASCADE')
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        content_rating = pw.SmallIntegerField()
        trainer_rating = pw.SmallIntegerField()
        organisation_rating = pw.SmallIntegerField()
        comment = pw.TextField(default='')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "feedback"
            indexes = [(('session', 'mediator'), True)]
            constraints = [pw.SQL(
                "CHECK (content_rating BETWEEN 1 AND 5 AND trainer_rating BETWEEN 1 AND 5 "
                "AND organisation_rating BETWEEN 1 AND 5)")]

    @migrator.create_model
    class Notice(pw.Model):
        id = pw.AutoField()
        mediator = pw.ForeignKeyField(column_name='mediator_id', field='id', model=migrator.orm['mediator'], on_delete='CASCADE')
        message = pw.TextField()
        session = pw.ForeignKeyField(column_name='session_id', field='id', model=migrator.orm['training_session'], null=True, on_delete='CASCADE')
        created_at = pw.DateTimeField()
        read_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "notice"
            indexes = [(('mediator', 'read_at'), False)]

    migrator.run(_seed, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    for table in ("notice", "feedback", "certificate", "work_day", "training_requirement",
                  "attendance", "enrolment", "session_date", "session_audience",
                  "training_session", "course", "training_kind"):
        migrator.remove_model(table)
