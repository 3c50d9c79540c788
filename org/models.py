"""Mediators and their assignments to stations."""
from __future__ import annotations

import peewee as pw

from network import audit
from network.db import N_, BaseModel
from network.models import Organization, now

GENDERS = {"M": N_("男"), "F": N_("女")}
EMPLOYMENT = {"full": N_("专职"), "part": N_("兼职")}
MEDIATOR_STATUSES = {"on": N_("在岗"), "off": N_("离岗")}
ASSIGNMENT_KINDS = {"resident": N_("常驻"), "rotating": N_("轮驻"), "on_call": N_("随叫随到")}
EDUCATION = [N_("博士研究生"), N_("硕士研究生"), N_("大学本科"), N_("大学专科"), N_("高中/中专"),
             N_("初中及以下")]
POLITICAL = [N_("中共党员"), N_("中共预备党员"), N_("共青团员"), N_("民主党派"), N_("群众")]


ADMIN, MANAGER, TRAINER, MEDIATOR = "admin", "manager", "trainer", "mediator"
ROLES = {ADMIN: N_("系统管理员"), MANAGER: N_("管理员"), TRAINER: N_("培训管理员"),
         MEDIATOR: N_("调解员")}
RANK = {ADMIN: 3, MANAGER: 2, TRAINER: 1, MEDIATOR: 0}


class Mediator(BaseModel):
    """`station` is the current primary station, kept in step with the assignments so that
    jurisdiction over people is one join, not a search through history."""

    staff_no = pw.CharField(max_length=32, unique=True, verbose_name=N_("工号"))
    name = pw.CharField(max_length=50, verbose_name=N_("姓名"))
    gender = pw.CharField(max_length=1, choices=list(GENDERS.items()), verbose_name=N_("性别"))
    id_number = pw.CharField(max_length=18, unique=True, verbose_name=N_("身份证号"))
    birth_date = pw.DateField(null=True, verbose_name=N_("出生日期"))
    mobile = pw.CharField(max_length=11, null=True, verbose_name=N_("手机号"))
    education = pw.CharField(max_length=20, null=True, verbose_name=N_("学历"))
    speciality = pw.CharField(max_length=100, null=True, verbose_name=N_("专业特长"))
    political_status = pw.CharField(max_length=20, null=True, verbose_name=N_("政治面貌"))
    employment = pw.CharField(max_length=4, default="part", choices=list(EMPLOYMENT.items()),
                              verbose_name=N_("专兼职"))
    employer = pw.CharField(max_length=100, null=True, verbose_name=N_("工作单位"))
    joined = pw.DateField(null=True, verbose_name=N_("入职日期"))
    status = pw.CharField(max_length=3, default="on", choices=list(MEDIATOR_STATUSES.items()),
                          verbose_name=N_("状态"))
    station = pw.ForeignKeyField(Organization, backref="mediators", on_delete="RESTRICT",
                                 verbose_name=N_("所属机构"))
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.name} ({self.staff_no})"


class Assignment(BaseModel):
    """A period of service at a station. Open assignments have no end date; a move closes the
    old one and opens a new one, so history answers "who served where on date D"."""

    mediator = pw.ForeignKeyField(Mediator, backref="assignments", on_delete="CASCADE")
    station = pw.ForeignKeyField(Organization, backref="assignments", on_delete="RESTRICT",
                                 verbose_name=N_("机构"))
    kind = pw.CharField(max_length=10, default="resident", choices=list(ASSIGNMENT_KINDS.items()),
                        verbose_name=N_("驻点方式"))
    is_primary = pw.BooleanField(default=False, verbose_name=N_("主要机构"))
    start = pw.DateField(verbose_name=N_("开始日期"))
    end = pw.DateField(null=True, verbose_name=N_("结束日期"))

    class Meta:
        indexes = ((("mediator", "station", "start"), False),)

    def __str__(self) -> str:
        return f"{self.mediator_id}@{self.station_id} {self.start}–{self.end or ''}"


class User(BaseModel):
    class Meta:
        table_name = "account"

    username = pw.CharField(max_length=40, unique=True, verbose_name=N_("用户名"))
    display_name = pw.CharField(max_length=50, default="", verbose_name=N_("姓名"))
    password_hash = pw.CharField(max_length=255)
    role = pw.CharField(max_length=10, choices=list(ROLES.items()), verbose_name=N_("角色"))
    organization = pw.ForeignKeyField(Organization, null=True, backref="users",
                                      on_delete="RESTRICT", verbose_name=N_("所属机构"))
    mediator = pw.ForeignKeyField(Mediator, null=True, backref="users", on_delete="RESTRICT",
                                  verbose_name=N_("调解员"))
    active = pw.BooleanField(default=True, verbose_name=N_("启用"))
    failed_logins = pw.IntegerField(default=0)
    locked_until = pw.DateTimeField(null=True, verbose_name=N_("锁定至"))
    locale = pw.CharField(max_length=10, null=True)
    last_login = pw.DateTimeField(null=True, verbose_name=N_("最近登录"))
    created_at = pw.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.username

    # flask-login reads these four; they are plain attributes, nothing web-specific.
    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


class ApiToken(BaseModel):
    """Only a hash is stored: a leaked database does not leak working tokens."""

    user = pw.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=now)
    last_used = pw.DateTimeField(null=True)


audit.register(
    tables={"mediator": N_("调解员"), "assignment": N_("任职记录"), "user": N_("账号")},
    actions={"login": N_("登录"), "login_failed": N_("登录失败"), "lock": N_("锁定"),
             "unlock": N_("解除锁定"), "token": N_("生成令牌")},
)


class LoginThrottle(BaseModel):
    class Meta:
        table_name = "login_throttle"

    key = pw.CharField(max_length=200, unique=True)
    failures = pw.IntegerField(default=0)
    window_start = pw.DateTimeField()
    locked_until = pw.DateTimeField(null=True, index=True)


# --- grades (专业等级) --------------------------------------------------------------------------

UNGRADED = "none"
# Lowest first: a grade's position is its rank, and a promotion goes one place to the right.
GRADES = {UNGRADED: N_("未定级"), "4": N_("四级"), "3": N_("三级"), "2": N_("二级"),
          "1": N_("一级")}
GRADE_RANK = {code: rank for rank, code in enumerate(GRADES)}
INITIAL, PROMOTION, DEMOTION, CORRECTION = "initial", "promotion", "demotion", "correction"
CHANGE_REASONS = {INITIAL: N_("初次定级"), PROMOTION: N_("晋升"), DEMOTION: N_("降级"),
                  CORRECTION: N_("更正")}
CITY_DECIDES, COUNTY_DECIDES = "city", "county"
DECIDERS = {CITY_DECIDES: N_("市级"), COUNTY_DECIDES: N_("县级")}


class GradeStep(BaseModel):
    """One rung of the ladder: what it takes to go from `from_grade` to `to_grade`.

    The thresholds differ by city, so they are rows the city admin edits, not constants.
    `success_rate` null means the step has no success-rate criterion (未定级 → 四级).
    `pre_service_only`: only 岗前培训 hours count; `hours_ever`: hours of every session that
    started before the reference date count, not only those of the 12-month window.
    """

    from_grade = pw.CharField(max_length=4, unique=True, choices=list(GRADES.items()),
                              verbose_name=N_("原等级"))
    to_grade = pw.CharField(max_length=4, unique=True, choices=list(GRADES.items()),
                            verbose_name=N_("晋升等级"))
    months_at_grade = pw.IntegerField(verbose_name=N_("任现等级月数"))
    closed_cases = pw.IntegerField(verbose_name=N_("结案数"))
    success_rate = pw.DecimalField(max_digits=5, decimal_places=4, null=True,
                                   verbose_name=N_("调解成功率"))
    training_hours = pw.DecimalField(max_digits=6, decimal_places=1,
                                     verbose_name=N_("培训学时"))
    pre_service_only = pw.BooleanField(default=False, verbose_name=N_("仅计岗前培训"))
    hours_ever = pw.BooleanField(default=False, verbose_name=N_("学时不限统计期"))
    decided_by = pw.CharField(max_length=6, choices=list(DECIDERS.items()),
                              verbose_name=N_("决定层级"))
    awards_bonus = pw.BooleanField(default=False, verbose_name=N_("获奖可加分"))
    updated_by = pw.CharField(max_length=80, default="")
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "grade_step"

    def __str__(self) -> str:
        return f"{GRADES[self.from_grade]} → {GRADES[self.to_grade]}"


class GradeChange(BaseModel):
    """One entry of a mediator's grade history; the current grade is derived from these.

    A revert does not delete the entry: it is marked with who reverted it, when and why, and
    the derivation skips it, so the trail still shows what was once in force.
    """

    mediator = pw.ForeignKeyField(Mediator, backref="grade_changes", on_delete="CASCADE",
                                  index=False)  # (mediator, effective) serves it
    grade = pw.CharField(max_length=4, choices=list(GRADES.items()), verbose_name=N_("专业等级"))
    effective = pw.DateField(verbose_name=N_("生效日期"))
    reason = pw.CharField(max_length=12, choices=list(CHANGE_REASONS.items()),
                          verbose_name=N_("变更原因"))
    doc_no = pw.CharField(max_length=60, default="", verbose_name=N_("文号"))
    note = pw.TextField(default="", verbose_name=N_("说明"))
    recorded_by = pw.CharField(max_length=80, default="", verbose_name=N_("操作人"))
    recorded_at = pw.DateTimeField(default=now)
    reverted_at = pw.DateTimeField(null=True, verbose_name=N_("撤回时间"))
    reverted_by = pw.CharField(max_length=80, default="")
    revert_reason = pw.TextField(default="", verbose_name=N_("撤回原因"))

    class Meta:
        table_name = "grade_change"
        indexes = ((("mediator", "effective"), False),)

    def __str__(self) -> str:
        return f"{self.mediator_id} {GRADES.get(self.grade, self.grade)} {self.effective}"


class Complaint(BaseModel):
    """A complaint (投诉) against a mediator; an upheld one (属实) blocks promotion for a year."""

    mediator = pw.ForeignKeyField(Mediator, backref="complaints", on_delete="CASCADE",
                                  index=False)  # (mediator, filed_on) serves it
    filed_on = pw.DateField(verbose_name=N_("投诉日期"))
    upheld = pw.BooleanField(default=False, verbose_name=N_("是否属实"))
    summary = pw.TextField(default="", verbose_name=N_("摘要"))
    recorded_by = pw.CharField(max_length=80, default="")
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "complaint"
        indexes = ((("mediator", "filed_on"), False),)

    def __str__(self) -> str:
        return f"{self.mediator_id} {self.filed_on}"


audit.register(
    tables={"grade_step": N_("等级标准"), "grade_change": N_("等级变更"),
            "complaint": N_("投诉")},
    actions={"revert": N_("撤回")},
)
