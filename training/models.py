"""Training: kinds, courses, sessions (场次), enrolment, attendance, requirements, the work
calendar, certificates, feedback and in-portal notices.

Times of day are stored as naive UTC on both backends (SQLite keeps text, PostgreSQL a plain
timestamp: an aware value would be stored as text with an offset on one and silently lose the
offset on the other) and come back aware in Asia/Shanghai. Each session also stores the
Asia/Shanghai day of its start (`start_day`), the day, month and year it belongs to by
domain.md, so that every window query is a plain indexed date comparison on either backend.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import peewee as pw

from network import audit
from network.dates import SHANGHAI
from network.db import N_, BaseModel
from network.errors import Msg
from network.models import Organization, now
from org.models import Mediator, User

# Stable codes of the seeded kinds (promotion asks for PRE_SERVICE hours by code); the names
# are the labels users see and may be renamed.
PRE_SERVICE, ANNUAL, LECTURE, CASE_STUDY, SEMINAR, ONLINE = (
    "pre_service", "annual", "lecture", "case_study", "seminar", "online")
DEFAULT_KINDS = [
    (PRE_SERVICE, N_("岗前培训")),
    (ANNUAL, N_("年度培训")),
    (LECTURE, N_("专题讲座")),
    (CASE_STUDY, N_("案例分析")),
    (SEMINAR, N_("交流座谈")),
    (ONLINE, N_("线上课程")),
]

PLANNED, OPEN, FINISHED, CANCELLED = "planned", "open", "finished", "cancelled"
SESSION_STATUSES = {PLANNED: N_("计划"), OPEN: N_("报名中"), FINISHED: N_("已结束"),
                    CANCELLED: N_("已取消")}

ENROLLED, WAITLISTED, OFFERED, WITHDRAWN, PENDING, REJECTED = (
    "enrolled", "waitlisted", "offered", "cancelled", "pending", "rejected")
ENROLMENT_STATUSES = {ENROLLED: N_("已报名"), WAITLISTED: N_("候补"), OFFERED: N_("待确认名额"),
                      WITHDRAWN: N_("已取消"), PENDING: N_("待审批"), REJECTED: N_("审批未通过")}

PRESENT, LATE, LEFT_EARLY, ABSENT, LEAVE = "present", "late", "left_early", "absent", "leave"
ATTENDANCE_STATUSES = {PRESENT: N_("出席"), LATE: N_("迟到"), LEFT_EARLY: N_("早退"),
                       ABSENT: N_("缺席"), LEAVE: N_("请假")}

# requirement kinds
ANNUAL_HOURS, PRE_SERVICE_HOURS = "annual", "pre_service"
REQUIREMENT_KINDS = {ANNUAL_HOURS: N_("年度学时"), PRE_SERVICE_HOURS: N_("岗前学时")}
DEFAULT_REQUIREMENTS = {ANNUAL_HOURS: Decimal("20"), PRE_SERVICE_HOURS: Decimal("10")}


def to_utc_naive(value: dt.datetime) -> dt.datetime:
    """An aware time as naive UTC; a naive one is read as Asia/Shanghai wall time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def shanghai(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as an aware Asia/Shanghai one."""
    return value.replace(tzinfo=dt.UTC).astimezone(SHANGHAI)


class ShanghaiDateTimeField(pw.DateTimeField):
    """Aware in Python (Asia/Shanghai), naive UTC in the database."""

    def db_value(self, value):
        if isinstance(value, dt.datetime):
            value = to_utc_naive(value)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime):
            return shanghai(value.replace(tzinfo=None))
        return value


class TrainingKind(BaseModel):
    code = pw.CharField(max_length=20, unique=True)
    name = pw.CharField(max_length=30, unique=True, verbose_name=N_("培训类型"))
    sort_order = pw.IntegerField(default=0, verbose_name=N_("排序"))
    active = pw.BooleanField(default=True, verbose_name=N_("启用"))

    def __str__(self) -> str:
        return self.name


class Course(BaseModel):
    """What is taught; each run of it is a Session. `valid_months` fixes a certificate's
    expiry at issue (None: it does not expire)."""

    name = pw.CharField(max_length=100, unique=True, verbose_name=N_("课程名称"))
    kind = pw.ForeignKeyField(TrainingKind, backref="courses", on_delete="RESTRICT",
                              verbose_name=N_("培训类型"))
    description = pw.TextField(default="", verbose_name=N_("简介"))
    valid_months = pw.IntegerField(null=True, verbose_name=N_("证书有效期（月）"))
    created_at = pw.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.name


class Session(BaseModel):
    """One run of a course (场次). `booked` counts the seats taken (enrolled and offered), kept
    by one conditional UPDATE so that capacity holds under concurrent sign-ups; `minutes` is
    the scheduled duration (the sum of the dates of a multi-day session), the denominator of
    credited hours for late arrivals and early leavers."""

    code = pw.CharField(max_length=40, unique=True, verbose_name=N_("场次编号"))
    course = pw.ForeignKeyField(Course, backref="sessions", on_delete="RESTRICT",
                                verbose_name=N_("课程"))
    kind = pw.ForeignKeyField(TrainingKind, backref="sessions", on_delete="RESTRICT",
                              verbose_name=N_("培训类型"))
    host = pw.ForeignKeyField(Organization, backref="training_sessions", on_delete="RESTRICT",
                              verbose_name=N_("主办机构"))
    trainers = pw.CharField(max_length=200, default="", verbose_name=N_("主讲人"))
    venue = pw.CharField(max_length=200, default="", verbose_name=N_("地点"))
    online_link = pw.CharField(max_length=500, default="", verbose_name=N_("线上链接"))
    start = ShanghaiDateTimeField(verbose_name=N_("开始时间"))
    end = ShanghaiDateTimeField(verbose_name=N_("结束时间"))
    start_day = pw.DateField(index=True)
    minutes = pw.IntegerField(verbose_name=N_("计划分钟"))
    hours = pw.DecimalField(max_digits=5, decimal_places=1, verbose_name=N_("学时"))
    capacity = pw.IntegerField(verbose_name=N_("容量"))
    booked = pw.IntegerField(default=0, verbose_name=N_("已占名额"))
    enrol_deadline = ShanghaiDateTimeField(null=True, verbose_name=N_("报名截止"))
    audience_grades = pw.CharField(max_length=100, default="", verbose_name=N_("面向等级"))
    audience_employment = pw.CharField(max_length=4, default="", verbose_name=N_("面向专兼职"))
    mandatory = pw.BooleanField(default=False, verbose_name=N_("必修"))
    needs_approval = pw.BooleanField(default=False, verbose_name=N_("报名需审批"))
    status = pw.CharField(max_length=10, default=PLANNED, choices=list(SESSION_STATUSES.items()),
                          verbose_name=N_("状态"))
    cancel_reason = pw.CharField(max_length=200, default="", verbose_name=N_("取消原因"))
    sequence = pw.IntegerField(default=0)
    # attendance records with credited hours > 0 (人次), kept by training.rollup
    participants = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "training_session"
        indexes = ((("host", "start_day"), False),)
        constraints = [pw.SQL("CHECK (booked >= 0 AND booked <= capacity)")]

    def __str__(self) -> str:
        return f"{self.code} {self.course.name}"

    @property
    def status_label(self) -> str:
        return SESSION_STATUSES.get(self.status, self.status)


class SessionAudience(BaseModel):
    """An organisation (with its subtree) the session is meant for; none: everyone."""

    session = pw.ForeignKeyField(Session, backref="audience_orgs", on_delete="CASCADE")
    organization = pw.ForeignKeyField(Organization, on_delete="CASCADE")

    class Meta:
        indexes = ((("session", "organization"), True),)


class SessionDate(BaseModel):
    """One day of a multi-day session."""

    session = pw.ForeignKeyField(Session, backref="dates", on_delete="CASCADE")
    start = ShanghaiDateTimeField(verbose_name=N_("开始时间"))
    end = ShanghaiDateTimeField(verbose_name=N_("结束时间"))

    class Meta:
        indexes = ((("session", "start"), True),)


class Enrolment(BaseModel):
    """A mediator's place at a session. `queue_no` orders the waitlist (first come, first
    offered); `offer_expires` bounds how long an offered seat is held."""

    session = pw.ForeignKeyField(Session, backref="enrolments", on_delete="CASCADE")
    mediator = pw.ForeignKeyField(Mediator, backref="enrolments", on_delete="CASCADE")
    status = pw.CharField(max_length=10, choices=list(ENROLMENT_STATUSES.items()),
                          verbose_name=N_("报名状态"))
    queue_no = pw.IntegerField(null=True)
    waitlisted_at = pw.DateTimeField(null=True)
    offer_expires = ShanghaiDateTimeField(null=True, verbose_name=N_("名额保留至"))
    enrolled_by = pw.CharField(max_length=80, default="")
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("session", "mediator"), True), (("session", "status", "queue_no"), False))


class Attendance(BaseModel):
    """出勤: `credited` is written by training.hours.credit, the one rule, whenever the record
    or its session's hours change, so that sums over a province stay a plain SUM."""

    # no index of their own: the two below start with each (migration 021)
    session = pw.ForeignKeyField(Session, backref="attendance", on_delete="CASCADE",
                                 index=False)
    mediator = pw.ForeignKeyField(Mediator, backref="attendance", on_delete="CASCADE",
                                  index=False)
    status = pw.CharField(max_length=10, choices=list(ATTENDANCE_STATUSES.items()),
                          verbose_name=N_("出勤情况"))
    minutes = pw.IntegerField(null=True, verbose_name=N_("实到分钟"))
    credited = pw.DecimalField(max_digits=5, decimal_places=1, verbose_name=N_("认定学时"))
    recorded_by = pw.CharField(max_length=80, default="")
    recorded_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("session", "mediator"), True), (("mediator", "session"), False))


class YearHours(BaseModel):
    """Credited hours and participations per mediator, calendar year (of the session's start
    in Asia/Shanghai) and kind, over sessions not cancelled: coverage of a province reads
    ~60k of these rows instead of aggregating a year of attendance. Kept by training.rollup
    after every write of attendance or change of a session; never edited by hand."""

    mediator = pw.ForeignKeyField(Mediator, on_delete="CASCADE")
    year = pw.SmallIntegerField()
    kind = pw.ForeignKeyField(TrainingKind, on_delete="CASCADE")
    hours = pw.DecimalField(max_digits=7, decimal_places=1)
    participations = pw.IntegerField()

    class Meta:
        table_name = "training_year_hours"
        indexes = ((("year", "mediator", "kind"), True),)


class YearTotal(BaseModel):
    """A mediator's credited hours and participations in a calendar year, all kinds: the row
    coverage compares with the requirement (no grouping at read time). Kept by
    training.rollup beside YearHours."""

    mediator = pw.ForeignKeyField(Mediator, on_delete="CASCADE")
    year = pw.SmallIntegerField()
    hours = pw.DecimalField(max_digits=7, decimal_places=1)
    participations = pw.IntegerField()

    class Meta:
        table_name = "training_year_total"
        indexes = ((("year", "mediator"), True),)


class TrainingRequirement(BaseModel):
    """Hours required, as data: a row without grade is the default, a graded row overrides it."""

    kind = pw.CharField(max_length=12, choices=list(REQUIREMENT_KINDS.items()),
                        verbose_name=N_("要求类型"))
    grade = pw.CharField(max_length=10, null=True, verbose_name=N_("专业等级"))
    hours = pw.DecimalField(max_digits=5, decimal_places=1, verbose_name=N_("学时"))
    updated_by = pw.CharField(max_length=80, default="")
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("kind", "grade"), True),)


class WorkDay(BaseModel):
    """A day that differs from the weekday rule: an official holiday, or a weekend day worked
    in exchange (调休). Ordinary days have no row."""

    day = pw.DateField(unique=True, verbose_name=N_("日期"))
    is_workday = pw.BooleanField(verbose_name=N_("工作日"))
    name = pw.CharField(max_length=30, default="", verbose_name=N_("名称"))
    source = pw.CharField(max_length=20, default="manual")


class Certificate(BaseModel):
    serial = pw.CharField(max_length=40, unique=True, verbose_name=N_("证书编号"))
    mediator = pw.ForeignKeyField(Mediator, backref="certificates", on_delete="RESTRICT",
                                  verbose_name=N_("调解员"))
    course = pw.ForeignKeyField(Course, on_delete="RESTRICT", verbose_name=N_("课程"))
    session = pw.ForeignKeyField(Session, null=True, on_delete="SET NULL",
                                 verbose_name=N_("场次"))
    hours = pw.DecimalField(max_digits=5, decimal_places=1, verbose_name=N_("学时"))
    issued = pw.DateField(verbose_name=N_("发证日期"))
    expires = pw.DateField(null=True, verbose_name=N_("有效期至"))
    revoked_at = pw.DateTimeField(null=True, verbose_name=N_("撤销时间"))
    revoke_reason = pw.CharField(max_length=200, default="", verbose_name=N_("撤销原因"))
    issuer = pw.CharField(max_length=100, default="", verbose_name=N_("发证机构"))

    class Meta:
        indexes = ((("mediator", "course"), False),)


class Feedback(BaseModel):
    session = pw.ForeignKeyField(Session, backref="feedback", on_delete="CASCADE")
    mediator = pw.ForeignKeyField(Mediator, on_delete="CASCADE")
    content_rating = pw.SmallIntegerField(verbose_name=N_("内容评分"))
    trainer_rating = pw.SmallIntegerField(verbose_name=N_("主讲人评分"))
    organisation_rating = pw.SmallIntegerField(verbose_name=N_("组织评分"))
    comment = pw.TextField(default="", verbose_name=N_("意见建议"))
    created_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("session", "mediator"), True),)
        constraints = [pw.SQL(
            "CHECK (content_rating BETWEEN 1 AND 5 AND trainer_rating BETWEEN 1 AND 5 "
            "AND organisation_rating BETWEEN 1 AND 5)")]


class Notice(BaseModel):
    """An in-portal message to a mediator (a seat offered from the waitlist, a cancellation)."""

    mediator = pw.ForeignKeyField(Mediator, backref="notices", on_delete="CASCADE")
    message = pw.TextField(verbose_name=N_("内容"))  # Msg.to_dict() as JSON: shown translated
    session = pw.ForeignKeyField(Session, null=True, on_delete="CASCADE")
    created_at = pw.DateTimeField(default=now)
    read_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("mediator", "read_at"), False),)

    @property
    def msg(self) -> Msg:
        return Msg.from_dict(json.loads(self.message))


audit.register(
    tables={"training_session": N_("培训场次"), "attendance": N_("培训出勤"),
            "certificate": N_("培训证书"), "work_day": N_("工作日历"),
            "training_requirement": N_("培训要求"), "enrolment": N_("报名"),
            "course": N_("培训课程")},
)


class CalendarFeed(BaseModel):
    """A private .ics subscription URL: its random token is the only key, so it can be
    revoked (and a new one made) without touching the account. `organization` None: the
    account's own feed (a mediator's sessions, or the sessions of a coordinator's scope)."""

    token = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, backref="calendar_feeds", on_delete="CASCADE")
    organization = pw.ForeignKeyField(Organization, null=True, on_delete="CASCADE",
                                      verbose_name=N_("机构"))
    created_at = pw.DateTimeField(default=now)
    revoked_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "calendar_feed"
