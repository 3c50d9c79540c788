"""Organisations of the three-level network and the editable list of their kinds."""
from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from .dates import local_now
from .db import N_, BaseModel

PROVINCE, CITY, COUNTY, COMMUNITY = 0, 1, 2, 3
LEVELS = {
    PROVINCE: N_("省级"),
    CITY: N_("市级"),
    COUNTY: N_("县级"),
    COMMUNITY: N_("社区级"),
}

ACTIVE, SUSPENDED, CLOSED = "active", "suspended", "closed"
STATUSES = {ACTIVE: N_("运行"), SUSPENDED: N_("暂停"), CLOSED: N_("撤销")}

DEFAULT_KINDS = [
    N_("调解中心"),
    N_("调解工作站"),
    N_("调解工作室"),
    N_("驻法院工作室"),
    N_("银行网点调解点"),
    N_("普惠金融司法协同中心"),
]


def now() -> dt.datetime:
    return local_now()

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
JOB_STATUSES = {PENDING: N_("等待中"), RUNNING: N_("进行中"), DONE: N_("已完成"),
                FAILED: N_("失败")}


class OrgKind(BaseModel):
    """Kinds are data, not code: a city adds its own (e.g. a new kind of bank point)."""

    name = pw.CharField(max_length=50, unique=True, verbose_name=N_("名称"))
    sort_order = pw.IntegerField(default=0, verbose_name=N_("排序"))
    active = pw.BooleanField(default=True, verbose_name=N_("启用"))

    def __str__(self) -> str:
        return self.name


class Organization(BaseModel):
    """A centre, station or room. `path` (`/1/7/42/`) makes a subtree one indexed prefix query."""

    code = pw.CharField(max_length=32, unique=True, verbose_name=N_("机构编码"))
    name = pw.CharField(max_length=100, verbose_name=N_("机构名称"))
    level = pw.SmallIntegerField(choices=list(LEVELS.items()), verbose_name=N_("层级"))
    parent = pw.ForeignKeyField(
        "self", null=True, backref="children", on_delete="RESTRICT", verbose_name=N_("上级机构")
    )
    kind = pw.ForeignKeyField(OrgKind, backref="organizations", on_delete="RESTRICT",
                              verbose_name=N_("机构类型"))
    division_code = pw.CharField(max_length=6, null=True, verbose_name=N_("行政区划代码"))
    address = pw.CharField(max_length=200, null=True, verbose_name=N_("地址"))
    phone = pw.CharField(max_length=30, null=True, verbose_name=N_("电话"))
    founded = pw.DateField(null=True, verbose_name=N_("成立日期"))
    longitude = pw.DecimalField(max_digits=9, decimal_places=6, null=True, auto_round=True,
                                verbose_name=N_("经度"))
    latitude = pw.DecimalField(max_digits=9, decimal_places=6, null=True, auto_round=True,
                               verbose_name=N_("纬度"))
    status = pw.CharField(max_length=10, default=ACTIVE, choices=list(STATUSES.items()),
                          verbose_name=N_("状态"))
    path = pw.CharField(max_length=255, default="", index=True)
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("parent", "name"), False),)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, str(self.level))


    def contains(self, other: Organization) -> bool:
        """True when `other` is this organisation or lies below it."""
        return bool(other.path) and other.path.startswith(self.path)


class Setting(BaseModel):
    """A value an administrator changed; every other setting reads its declared default."""

    key = pw.CharField(max_length=60, unique=True)
    value = pw.CharField(max_length=100)
    updated_by = pw.CharField(max_length=80, default="")
    updated_at = pw.DateTimeField(default=local_now)


class ImportJob(BaseModel):
    kind = pw.CharField(max_length=20)
    # A check validates the uploaded file for the preview and keeps nothing; the import
    # proper runs only once the user confirms.
    dry_run = pw.BooleanField(default=False)
    username = pw.CharField(max_length=80, index=True)
    scope_path = pw.CharField(max_length=255, default="")
    filename = pw.CharField(max_length=255, default="")
    status = pw.CharField(max_length=10, default=PENDING, choices=list(JOB_STATUSES.items()))
    total = pw.IntegerField(default=0)
    done = pw.IntegerField(default=0)
    errors = pw.TextField(default="")
    summary = pw.TextField(default="")
    created_at = pw.DateTimeField(default=now)
    finished_at = pw.DateTimeField(null=True)


    @property
    def counts(self) -> dict:
        return json.loads(self.summary) if self.summary else {}

    def scope(self) -> Organization | None:
        """The jurisdiction the job was started with (None: the whole network)."""
        if not self.scope_path:
            return None
        found = Organization.get_or_none(Organization.path == self.scope_path)
        return found or Organization(id=0, path=self.scope_path, name="", code="")


class AuditLog(BaseModel):
    created_at = pw.DateTimeField(default=local_now,
                                  index=True, verbose_name=N_("时间"))
    actor = pw.CharField(max_length=80, default="", index=True, verbose_name=N_("操作人"))
    action = pw.CharField(max_length=20, index=True, verbose_name=N_("操作"))
    table = pw.CharField(max_length=40, index=True, verbose_name=N_("对象类型"))
    object_id = pw.CharField(max_length=40, default="", verbose_name=N_("对象编号"))
    object_repr = pw.CharField(max_length=200, default="", verbose_name=N_("对象"))
    changes = pw.TextField(default="", verbose_name=N_("变更内容"))
    # Path of the organisation the record belongs to, so a scoped manager sees only the
    # trail of their own subtree.
    org_path = pw.CharField(max_length=255, default="", index=True)

    def __str__(self) -> str:
        return f"{self.created_at} {self.actor} {self.action} {self.table}:{self.object_id}"

    @property
    def changes_dict(self) -> dict:
        try:
            return json.loads(self.changes) if self.changes else {}
        except ValueError:
            return {}
