"""Courses (课程): what is taught, kept as data the coordinators maintain. A session names its
course (sessions create one on first mention); the course carries the certificate's validity,
which fixes each certificate's expiry when it is issued, so changing it later changes no
certificate already issued. A course that has sessions cannot be deleted: its sessions,
attendance and certificates would lose what they were about. A coordinator scoped to a county
changes only a course whose sessions are all hosted in their scope: renaming one another county
teaches would rename that county's sessions and certificates too."""
from __future__ import annotations

from typing import Any

from network import audit
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.fields import plain
from network.models import Organization
from network.tree import in_subtree

from .models import Course, Session, TrainingKind

MAX_VALID_MONTHS = 240


def clean_course(data: dict[str, Any], instance: Course | None) -> dict[str, Any]:
    errors: dict[str, Msg] = {}
    name = plain(data.get("name"))
    if not name:
        errors["name"] = Msg("必填")
    elif len(name) > 100:
        errors["name"] = Msg("不能超过%(n)d个字符", n=100)
    elif Course.select().where(Course.name == name,
                               Course.id != (instance.id if instance else 0)).exists():
        errors["name"] = Msg("已有同名课程「%(name)s」", name=name)
    kind = data.get("kind")
    if isinstance(kind, TrainingKind):
        kind = kind.id
    if not kind or TrainingKind.get_or_none(TrainingKind.id == kind) is None:
        errors["kind"] = Msg("请选择培训类型")
    months = data.get("valid_months")
    if months in ("", None):
        months = None
    else:
        try:
            months = int(str(months).strip())
        except ValueError:
            months = -1
        if not 1 <= months <= MAX_VALID_MONTHS:
            errors["valid_months"] = Msg("应为1–%(n)d的整数，或留空（长期有效）",
                                         n=MAX_VALID_MONTHS)
    if errors:
        raise ValidationError(errors)
    return {"name": name, "kind": kind, "valid_months": months,
            "description": plain(data.get("description"))}


def _shown(course: Course) -> dict[str, Any]:
    return {"name": course.name, "kind": course.kind_id, "valid_months": course.valid_months,
            "description": course.description}


def create_course(data: dict[str, Any], *, actor: str) -> Course:
    values = clean_course(data, None)
    course = Course.create(**values)
    audit.record(actor, "create", "course", course.id, course.name,
                 {k: [None, v] for k, v in values.items()})
    return course


def check_scope(course: Course, scope: Organization | None) -> None:
    """Refuse a scoped coordinator a course that a session outside their scope uses."""
    if scope is None:
        return
    outside = (Session.select().join(Organization, on=Session.host == Organization.id)
               .where(Session.course == course.id, ~in_subtree(Organization.path, scope)))
    if outside.exists():
        raise OutOfScope(Msg("课程「%(name)s」也有管辖范围外的机构举办的场次，请由上级培训管理员修改",
                             name=course.name))


def update_course(course: Course, data: dict[str, Any], *, actor: str,
                  scope: Organization | None = None) -> Course:
    check_scope(course, scope)
    values = clean_course(data, course)
    before = _shown(course)
    for name, value in values.items():
        setattr(course, name, value)
    course.save()
    changes = {k: [before[k], v] for k, v in values.items() if before[k] != v}
    if changes:
        audit.record(actor, "update", "course", course.id, course.name, changes)
    return course


def delete_course(course: Course, *, actor: str, scope: Organization | None = None) -> None:
    check_scope(course, scope)
    used = Session.select().where(Session.course == course.id).count()
    if used:
        raise DomainError(Msg("课程「%(name)s」已有%(n)d个场次，不能删除", name=course.name, n=used))
    audit.record(actor, "delete", "course", course.id, course.name,
                 {k: [v, None] for k, v in _shown(course).items()})
    course.delete_instance()
