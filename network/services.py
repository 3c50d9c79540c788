"""Write operations on the network, each in one transaction with its audit record.

Views and importers validate nothing themselves about the tree: they call these, so the rules
(levels, no cycles, unique codes, closing instead of deleting) live in exactly one place.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import peewee as pw

from . import audit
from .dates import local_today
from .db import db
from .errors import DomainError, Msg, OutOfScope, ValidationError
from .fields import FieldKit, plain
from .models import (
    CITY,
    CLOSED,
    COMMUNITY,
    COUNTY,
    LEVELS,
    PROVINCE,
    STATUSES,
    Organization,
    OrgKind,
    now,
)
from .tree import in_subtree

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,31}$")
DIVISION_RE = re.compile(r"^\d{6}$")
PHONE_RE = re.compile(r"^[0-9+\-() 转]{5,30}$")

ORG_FIELDS = FieldKit(Organization)
FIELDS = ["code", "name", "level", "parent", "kind", "division_code", "address", "phone",
          "founded", "longitude", "latitude", "status"]

# Called as hook(old_prefix, new_prefix) inside the move transaction, so packages above this
# one that keep organisation paths of their own can rewrite them in the same transaction.
MOVE_HOOKS: list[Callable[[str, str], None]] = []


def _parent_rule(level: int, parent: Organization | None) -> Msg | None:
    if level == PROVINCE and parent is not None:
        return Msg("省级机构不能有上级机构")
    if level == CITY and parent is not None and parent.level != PROVINCE:
        return Msg("市级机构的上级只能是省级机构（或不设上级）")
    if level in (COUNTY, COMMUNITY):
        need = CITY if level == COUNTY else COUNTY
        if parent is None:
            return Msg("%(level)s机构必须有上级机构", level=Msg(LEVELS[level]))
        if parent.level != need:
            return Msg("%(level)s机构的上级必须是%(need)s机构，「%(parent)s」是%(plevel)s",
                       level=Msg(LEVELS[level]), need=Msg(LEVELS[need]), parent=parent.name,
                       plevel=Msg(LEVELS[parent.level]))
    return None


def _clean(data: dict[str, Any], instance: Organization | None) -> dict[str, Any]:
    """Normalise and check field values; raise ValidationError with every problem at once."""
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}

    def text(name: str) -> None:
        ORG_FIELDS.text(data, name, out, errors)

    text("code")
    if "code" in out and out["code"] and "code" not in errors:
        if not CODE_RE.match(out["code"]):
            errors["code"] = Msg("机构编码只能包含字母、数字、-、_、.，且不超过32位")
        else:
            clash = Organization.select().where(Organization.code == out["code"])
            if instance is not None:
                clash = clash.where(Organization.id != instance.id)
            if clash.exists():
                errors["code"] = Msg("机构编码「%(code)s」已存在", code=out["code"])
    text("name")
    text("address")
    text("phone")
    if out.get("phone") and "phone" not in errors and not PHONE_RE.match(out["phone"]):
        errors["phone"] = Msg("电话格式不正确")
    text("division_code")
    if out.get("division_code") and not DIVISION_RE.match(out["division_code"]):
        errors["division_code"] = Msg("行政区划代码应为6位数字（GB/T 2260）")

    if "level" in data:
        try:
            level = int(data["level"])
            if level not in LEVELS:
                raise ValueError
            out["level"] = level
        except (TypeError, ValueError):
            errors["level"] = Msg("层级无效")
    if "status" in data:
        status = data["status"] or "active"
        if status not in STATUSES:
            errors["status"] = Msg("状态无效")
        out["status"] = status
    if "kind" in data:
        kind = data["kind"]
        if isinstance(kind, OrgKind):
            out["kind"] = kind
        elif kind in (None, ""):
            errors["kind"] = Msg("必填")
        else:
            found = OrgKind.get_or_none(OrgKind.id == kind) if str(kind).isdigit() else None
            found = found or OrgKind.get_or_none(OrgKind.name == str(kind))
            if found is None:
                errors["kind"] = Msg("未知的机构类型「%(kind)s」", kind=kind)
            out["kind"] = found
    if "parent" in data:
        parent = data["parent"]
        if parent in (None, ""):
            out["parent"] = None
        elif isinstance(parent, Organization):
            out["parent"] = parent
        else:
            found = Organization.get_or_none(Organization.code == str(parent))
            if found is None:
                errors["parent"] = Msg("上级机构「%(code)s」不存在", code=parent)
            out["parent"] = found
    if "founded" in data:
        value = data["founded"]
        if value in (None, ""):
            out["founded"] = None
        elif isinstance(value, dt.date):
            out["founded"] = value if not isinstance(value, dt.datetime) else value.date()
        else:
            try:
                out["founded"] = dt.date.fromisoformat(str(value).strip().replace("/", "-"))
            except ValueError:
                errors["founded"] = Msg("日期格式应为 YYYY-MM-DD")
        if out.get("founded") and out["founded"] > local_today():
            errors["founded"] = Msg("成立日期不能晚于今天")
    for name, limit in (("longitude", 180), ("latitude", 90)):
        if name not in data:
            continue
        value = data[name]
        if value in (None, ""):
            out[name] = None
            continue
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite() or abs(number) > limit:
                raise InvalidOperation
            out[name] = number
        except (InvalidOperation, ValueError):
            errors[name] = Msg("%(name)s应为-%(limit)d到%(limit)d之间的数字",
                               name="经度" if name == "longitude" else "纬度", limit=limit)

    level = out.get("level", instance.level if instance else None)
    parent = out["parent"] if "parent" in out else (instance.parent if instance else None)
    if level is not None and "level" not in errors and "parent" not in errors:
        problem = _parent_rule(level, parent)
        if problem:
            errors["parent"] = problem
    if instance is not None and level is not None and level != instance.level:
        wrong = instance.children.where(Organization.level != level + 1)
        if wrong.exists():
            errors["level"] = Msg("该机构已有下级机构，不能改为%(level)s", level=Msg(LEVELS[level]))
    if errors:
        raise ValidationError(errors)
    return out


def _check_scope(org: Organization | None, scope: Organization | None) -> None:
    if scope is None:
        return
    if org is None or not scope.contains(org):
        raise OutOfScope(Msg("超出您的管辖范围"))


def create_org(data: dict[str, Any], *, actor: str, scope: Organization | None) -> Organization:
    """Create an organisation; a scoped user may create only below their own root."""
    with db.atomic():
        values = _clean({**{k: None for k in ("parent",)}, **data}, None)
        if scope is not None:
            _check_scope(values.get("parent"), scope)
        org = Organization.create(**values)
        org.path = (values["parent"].path if values.get("parent") else "/") + f"{org.id}/"
        org.save(only=[Organization.path])
        audit.record(actor, "create", "organization", org.id, str(org),
                     audit.snapshot(org, FIELDS), org_path=org.path)
        return org


def update_org(org: Organization, data: dict[str, Any], *, actor: str,
               scope: Organization | None) -> Organization:
    """Change fields; a new parent goes through move_org so the subtree's paths follow."""
    _check_scope(org, scope)
    with db.atomic():
        before = audit.snapshot(org, FIELDS)
        values = _clean(data, org)
        new_parent = values.pop("parent", org.parent)
        if values.get("status") == CLOSED and org.status != CLOSED:
            _refuse_close_with_open_children(org)
        if (new_parent.id if new_parent else None) != org.parent_id:
            move_org(org, new_parent, actor=actor, scope=scope, level=values.get("level"))
        for key, value in values.items():
            setattr(org, key, value)
        org.updated_at = now()
        # the form's columns only: `path` (and the parent) are move_org's, and the object may
        # predate a move of an ancestor, whose new paths it would overwrite
        org.save(only=[Organization._meta.fields[key] for key in values]
                 + [Organization.updated_at])
        changes = audit.diff(before, audit.snapshot(org, FIELDS))
        changes.pop("parent", None)  # recorded by the move
        if changes:
            audit.record(actor, "update", "organization", org.id, str(org), changes,
                         org_path=org.path)
        return org


def move_org(org: Organization, new_parent: Organization | None, *, actor: str,
             scope: Organization | None, level: int | None = None) -> Organization:
    """Put `org` (and its subtree) under `new_parent`. The one place that refuses cycles."""
    _check_scope(org, scope)
    if scope is not None:
        _check_scope(new_parent, scope)
    if new_parent is not None and org.contains(new_parent):
        raise ValidationError({"parent": Msg("不能把机构移到它自己或它的下级机构之下")})
    problem = _parent_rule(level if level is not None else org.level, new_parent)
    if problem:
        raise ValidationError({"parent": problem})
    with db.atomic():
        old_prefix = org.path
        old_parent = org.parent
        new_prefix = (new_parent.path if new_parent else "/") + f"{org.id}/"
        Organization.update(
            path=pw.Value(new_prefix).concat(pw.fn.SUBSTR(Organization.path, len(old_prefix) + 1))
        ).where(in_subtree(Organization.path, org)).execute()
        audit.AuditLog.update(
            org_path=pw.Value(new_prefix).concat(
                pw.fn.SUBSTR(audit.AuditLog.org_path, len(old_prefix) + 1))
        ).where(in_subtree(audit.AuditLog.org_path, org)).execute()
        for hook in MOVE_HOOKS:
            hook(old_prefix, new_prefix)
        org.parent = new_parent
        org.path = new_prefix
        org.updated_at = now()
        org.save(only=[Organization.parent, Organization.path, Organization.updated_at])
        audit.record(actor, "move", "organization", org.id, str(org),
                     {"parent": [str(old_parent) if old_parent else None,
                                 str(new_parent) if new_parent else None]},
                     org_path=org.path)
        return org


def _refuse_close_with_open_children(org: Organization) -> None:
    """The one rule for closing, whether by the close action, the edit form or an import."""
    if org.children.where(Organization.status != CLOSED).exists():
        raise DomainError(Msg("「%(name)s」还有未撤销的下级机构，请先撤销下级机构", name=org.name))


def close_org(org: Organization, *, actor: str, scope: Organization | None) -> Organization:
    """撤销: the unit stays, with its history, but is marked closed."""
    _check_scope(org, scope)
    if org.status == CLOSED:
        return org
    _refuse_close_with_open_children(org)
    with db.atomic():
        old = org.status
        org.status = CLOSED
        org.updated_at = now()
        org.save(only=[Organization.status, Organization.updated_at])
        audit.record(actor, "close", "organization", org.id, str(org),
                     {"status": [old, CLOSED]}, org_path=org.path)
    return org


def delete_org(org: Organization, *, actor: str, scope: Organization | None) -> None:
    """Delete only a unit nothing refers to (a mistaken entry); anything with history is closed.

    Every foreign key to an organisation is RESTRICT, so the database itself tells us whether
    anything (sub-units, people, cases, accounts) refers to it.
    """
    _check_scope(org, scope)
    snap = audit.snapshot(org, FIELDS)
    try:
        with db.atomic():
            audit.record(actor, "delete", "organization", org.id, str(org), snap,
                         org_path=org.path)
            org.delete_instance()
    except pw.IntegrityError as exc:
        raise DomainError(
            Msg("「%(name)s」已有下级机构、人员或业务记录，不能删除；请改为撤销", name=org.name)
        ) from exc


SORT_LIMIT = 1_000_000


def save_kind(kind: OrgKind | None, data: dict[str, Any], *, actor: str) -> OrgKind:
    name = plain(data.get("name"))
    if not name or len(name) > 50:
        raise ValidationError({"name": Msg("名称必填，且不超过50个字符")})
    try:
        sort_order = int(data.get("sort_order") or 0)
        if abs(sort_order) > SORT_LIMIT:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({"sort_order": Msg("排序应为-%(n)d到%(n)d之间的整数",
                                                 n=SORT_LIMIT)}) from None
    clash = OrgKind.select().where(OrgKind.name == name)
    if kind is not None:
        clash = clash.where(OrgKind.id != kind.id)
    if clash.exists():
        raise ValidationError({"name": Msg("类型「%(name)s」已存在", name=name)})
    with db.atomic():
        before = audit.snapshot(kind) if kind else {}
        kind = kind or OrgKind()
        kind.name = name
        kind.sort_order = sort_order
        kind.active = bool(data.get("active", True))
        kind.save()
        audit.record(actor, "update" if before else "create", "org_kind", kind.id, kind.name,
                     audit.diff(before, audit.snapshot(kind)))
    return kind


def delete_kind(kind: OrgKind, *, actor: str) -> None:
    try:
        with db.atomic():
            audit.record(actor, "delete", "org_kind", kind.id, kind.name, audit.snapshot(kind))
            kind.delete_instance()
    except pw.IntegrityError as exc:
        raise DomainError(Msg("该类型已被机构使用，不能删除；可改为停用")) from exc


def ensure_kinds(names: list[str]) -> None:
    for i, name in enumerate(names):
        OrgKind.get_or_create(name=name, defaults={"sort_order": i})
