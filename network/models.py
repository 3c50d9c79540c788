"""Organisations of the three-level network and the editable list of their kinds."""
from __future__ import annotations

import datetime as dt

import peewee as pw

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
    return dt.datetime.now().replace(microsecond=0)


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

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    def contains(self, other: Organization) -> bool:
        """True when `other` is this organisation or lies below it."""
        return bool(other.path) and other.path.startswith(self.path)
