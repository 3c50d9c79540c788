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

from .db import N_
from .models import AuditLog

# Labels of the trail's actions and object types. Each package registers its own next to the
# code that writes them (`register`), so the audit log names every row it shows.
ACTIONS = {
    "create": N_("新增"),
    "update": N_("修改"),
    "delete": N_("删除"),
    "close": N_("撤销"),
    "move": N_("迁移"),
    "reveal": N_("查看敏感信息"),
    "import": N_("导入"),
}
TABLES: dict[str, str] = {}


def register(*, tables: dict[str, str] | None = None,
             actions: dict[str, str] | None = None) -> None:
    TABLES.update(tables or {})
    ACTIONS.update(actions or {})


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


register(tables={"organization": N_("机构"), "org_kind": N_("机构类型")})


def record_many(actor: str, action: str, table: str,
                rows: list[tuple[Any, str, dict | None, str]], *, at: dt.datetime) -> None:
    """`record` for many objects at once (an import's changed rows): (object id, object repr,
    changes, org path) each, written a page per statement with one time stamp."""
    if not rows:
        return
    fields = [AuditLog.created_at, AuditLog.actor, AuditLog.action, AuditLog.table,
              AuditLog.object_id, AuditLog.object_repr, AuditLog.changes, AuditLog.org_path]
    stamp = at.replace(microsecond=0)
    values = [(stamp, actor or "", action, table, str(object_id), (text or "")[:200],
               json.dumps(changes, ensure_ascii=False, default=str) if changes else "",
               org_path or "") for object_id, text, changes, org_path in rows]
    for start in range(0, len(values), 500):
        AuditLog.insert_many(values[start:start + 500], fields=fields).execute()
