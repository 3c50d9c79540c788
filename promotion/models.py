"""Promotion rounds, their frozen eligibility snapshot, applications, reviews, objections."""
from __future__ import annotations

import json

import peewee as pw

from network import audit
from network.db import N_, BaseModel
from network.models import Organization, now
from org.models import GRADES, Mediator

OPEN, FINISHED = "open", "finished"
ROUND_STATUSES = {OPEN: N_("进行中"), FINISHED: N_("已结束")}

DRAFT, STATION_REVIEW, COUNTY_REVIEW, CITY_DECISION = (
    "draft", "station", "county", "city")
NOTICE, OBJECTION, APPROVED, REJECTED, EFFECTIVE = (
    "notice", "objection", "approved", "rejected", "effective")
STATES = {
    DRAFT: N_("草稿"), STATION_REVIEW: N_("工作站预审"), COUNTY_REVIEW: N_("区县审核"),
    CITY_DECISION: N_("市级决定"), NOTICE: N_("公示中"), OBJECTION: N_("异议处理中"),
    APPROVED: N_("已批准"), REJECTED: N_("未通过"), EFFECTIVE: N_("已生效"),
}

PENDING, UPHELD, DISMISSED = "pending", "upheld", "dismissed"
OBJECTION_STATUSES = {PENDING: N_("待处理"), UPHELD: N_("异议成立"), DISMISSED: N_("异议不成立")}


class JSONTextField(pw.TextField):
    """JSON kept as text: the same on both backends, read back as Python values."""

    @staticmethod
    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def db_value(self, value):
        return None if value is None else self.dumps(value)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class PromotionRound(BaseModel):
    """A yearly round of one organisation's subtree (usually the city)."""

    name = pw.CharField(max_length=100, verbose_name=N_("名称"))
    organization = pw.ForeignKeyField(Organization, backref="promotion_rounds",
                                      on_delete="RESTRICT", verbose_name=N_("组织机构"))
    reference_date = pw.DateField(verbose_name=N_("基准日期"))
    deadline = pw.DateField(verbose_name=N_("申报截止日期"))
    notice_days = pw.SmallIntegerField(default=5, verbose_name=N_("公示工作日数"))
    effective_date = pw.DateField(verbose_name=N_("生效日期"))
    doc_no = pw.CharField(max_length=60, default="", verbose_name=N_("文号"))
    status = pw.CharField(max_length=10, default=OPEN, choices=list(ROUND_STATUSES.items()),
                          verbose_name=N_("状态"))
    opened_by = pw.CharField(max_length=80, default="")
    opened_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "promotion_round"

    def __str__(self) -> str:
        return self.name


class Snapshot(BaseModel):
    """One mediator's eligibility as it stood when the round opened, with the evidence behind
    it (ids of the cases, attendance records and complaints counted), so that later edits of
    the ledger do not change a round under review."""

    round = pw.ForeignKeyField(PromotionRound, backref="snapshots", on_delete="CASCADE",
                               index=False)  # (round, mediator) serves it
    mediator = pw.ForeignKeyField(Mediator, backref="promotion_snapshots", on_delete="CASCADE")
    station = pw.ForeignKeyField(Organization, on_delete="RESTRICT", index=False)
    grade = pw.CharField(max_length=4, choices=list(GRADES.items()))
    grade_since = pw.DateField(null=True)
    next_grade = pw.CharField(max_length=4, null=True, choices=list(GRADES.items()))
    eligible = pw.BooleanField(default=False)
    criteria = JSONTextField(default=list)
    evidence = JSONTextField(default=dict)

    class Meta:
        table_name = "promotion_snapshot"
        indexes = ((("round", "mediator"), True),)


class Application(BaseModel):
    round = pw.ForeignKeyField(PromotionRound, backref="applications", on_delete="CASCADE",
                               index=False)  # (round, mediator) serves it
    mediator = pw.ForeignKeyField(Mediator, backref="promotion_applications",
                                  on_delete="CASCADE")
    # the mediator's station when applying: the chain of reviewers follows it
    station = pw.ForeignKeyField(Organization, on_delete="RESTRICT", index=False)
    from_grade = pw.CharField(max_length=4, choices=list(GRADES.items()),
                              verbose_name=N_("原等级"))
    to_grade = pw.CharField(max_length=4, choices=list(GRADES.items()),
                            verbose_name=N_("晋升等级"))
    decided_by = pw.CharField(max_length=6, verbose_name=N_("决定层级"))
    state = pw.CharField(max_length=10, default=DRAFT, choices=list(STATES.items()),
                         index=True, verbose_name=N_("状态"))
    nominated = pw.BooleanField(default=False, verbose_name=N_("工作站推荐"))
    exception_reason = pw.TextField(default="", verbose_name=N_("破格理由"))
    applied_by = pw.CharField(max_length=80, default="")
    notice_start = pw.DateField(null=True)
    notice_days_left = pw.SmallIntegerField(null=True)
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "promotion_application"
        indexes = ((("round", "mediator"), True),)

    def __str__(self) -> str:
        return f"{self.round_id}/{self.mediator_id} {self.from_grade}→{self.to_grade}"


class Review(BaseModel):
    """One step of an application's chain: who moved it from which state to which, and why."""

    application = pw.ForeignKeyField(Application, backref="reviews", on_delete="CASCADE")
    action = pw.CharField(max_length=12)
    from_state = pw.CharField(max_length=10)
    to_state = pw.CharField(max_length=10)
    actor = pw.CharField(max_length=80, default="")
    comment = pw.TextField(default="")
    at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "promotion_review"


class Objection(BaseModel):
    application = pw.ForeignKeyField(Application, backref="objections", on_delete="CASCADE")
    filed_by = pw.CharField(max_length=80)
    reason = pw.TextField()
    filed_on = pw.DateField()
    status = pw.CharField(max_length=10, default=PENDING,
                          choices=list(OBJECTION_STATUSES.items()))
    answered_by = pw.CharField(max_length=80, default="")
    answer = pw.TextField(default="")
    answered_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "promotion_objection"


audit.register(
    tables={"promotion_round": N_("晋升评审轮次"), "promotion_application": N_("晋升申请")},
    # the steps of an application (promotion.rounds.TRANSITIONS)
    actions={"submit": N_("提交"), "pass": N_("审核通过"), "return": N_("退回"),
             "reject": N_("驳回"), "approve": N_("批准"), "object": N_("提出异议"),
             "uphold": N_("异议成立"), "dismiss": N_("异议不成立"),
             "close_notice": N_("公示期满"), "take_effect": N_("生效")},
)
