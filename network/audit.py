"""The audit trail: who changed what, when, from which value to which.

Every write operation of every package records here in the same transaction as the change,
so the trail cannot say something happened that was rolled back.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

import peewee as pw

from .db import N_, BaseModel

ACTIONS = {
    "create": N_("新增"),
    "update": N_("修改"),
    "delete": N_("删除"),
    "close": N_("撤销"),
    "move": N_("迁移"),
    "reveal": N_("查看敏感信息"),
    "import": N_("导入"),
    "login": N_("登录"),
    "login_failed": N_("登录失败"),
    "lock": N_("锁定"),
    "unlock": N_("解除锁定"),
    "acknowledge": N_("确认预警"),
    "token": N_("生成令牌"),
    "revoke": N_("吊销令牌"),
    "logout": N_("退出登录"),
}


class AuditLog(BaseModel):
    created_at = pw.DateTimeField(default=lambda: dt.datetime.now().replace(microsecond=0),
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


def _plain(value: Any) -> Any:
    if isinstance(value, pw.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    return value


def snapshot(instance: pw.Model, fields: list[str] | None = None) -> dict:
    """Field values of a model instance as JSON-friendly values (foreign keys as ids)."""
    data = {}
    for name, field in instance._meta.fields.items():
        if fields is not None and name not in fields:
            continue
        if isinstance(field, pw.ForeignKeyField):
            data[name] = instance.__data__.get(name)
        else:
            data[name] = _plain(getattr(instance, name))
    return data


def diff(old: dict, new: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    keys = sorted(set(old) | set(new))
    return {k: [old.get(k), new.get(k)] for k in keys if old.get(k) != new.get(k)}


def record(actor: str, action: str, table: str, object_id: Any = "", object_repr: str = "",
           changes: dict | None = None, org_path: str = "") -> AuditLog:
    return AuditLog.create(
        actor=actor or "",
        action=action,
        table=table,
        object_id=str(object_id if object_id is not None else ""),
        object_repr=(object_repr or "")[:200],
        changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else "",
        org_path=org_path or "",
    )
