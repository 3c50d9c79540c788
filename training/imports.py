"""Imports of sessions (场次) and attendance (出勤), all-or-nothing through network.imports.

Rows go through the same checks as the forms (training.sessions.clean_session,
training.attendance), so a file cannot bring in what a form would refuse. Re-importing a file
updates by key: a session by 场次编号, an attendance record by 场次编号 and 调解员工号.
"""
from __future__ import annotations

from typing import Any

from network.db import N_
from network.errors import DomainError, Msg, ValidationError
from network.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportResult,
    ImportSpec,
    out_of_scope,
    register,
)
from network.models import Organization
from org.models import Mediator

from .attendance import clean_minutes, save_attendance, status_code
from .models import ATTENDANCE_STATUSES, CANCELLED, Session, TrainingKind
from .rollup import refresh_sessions
from .sessions import clean_session, create_session, update_session

SESSION_COLUMNS = {
    "场次编号": "code", "课程名称": "course", "培训类型": "kind", N_("主办机构编码"): "host",
    "开始时间": "start", "结束时间": "end", "学时": "hours", "地点": "venue",
    "主讲人": "trainers", "容量": "capacity",
}
ATTENDANCE_COLUMNS = {
    "场次编号": "session", N_("调解员工号"): "mediator", "出勤情况": "status",
    "实到分钟": "minutes",
}


def _unchanged(session: Session, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        current = getattr(session, name)
        if name == "course":
            if not (not isinstance(value, str) and value.id == session.course_id):
                return False
        elif name in ("kind", "host"):
            if value.id != getattr(session, f"{name}_id"):
                return False
        elif current != value:
            return False
    return True


def _import_session(row: dict[str, str], ctx: ImportContext) -> str:
    data: dict[str, Any] = SESSIONS.data(row)
    data["host"] = ctx.known_org(data["host"])
    scope = ctx.scope
    existing = Session.get_or_none(Session.code == data["code"].strip())
    if existing is not None and scope is not None and not scope.contains(existing.host):
        raise out_of_scope(Msg("场次「%(code)s」", code=existing.code), scope, "code")
    values = clean_session(data, existing)
    host: Organization = values["host"]
    ctx.orgs()[host.code] = host
    if scope is not None and not scope.contains(host):
        raise out_of_scope(Msg("机构「%(code)s」", code=host.code), scope, "host")
    if existing is None:
        create_session(values, actor=ctx.actor, scope=scope)
        return CREATED
    if _unchanged(existing, values):
        return UNCHANGED
    update_session(existing, values, actor=ctx.actor, scope=scope)
    return UPDATED


SESSIONS = register(ImportSpec(
    kind="sessions",
    label=N_("培训场次"),
    help="Import training sessions (培训场次) from FILE; re-importing updates by 场次编号.",
    audit_table="training_session",
    columns=SESSION_COLUMNS,
    key="场次编号",
    apply=_import_session,
    examples=[["PX-2026-001", "金融纠纷调解实务", "年度培训", "QD-EX-01", "2026-03-10 09:00",
               "2026-03-10 12:00", "3", "市调解中心三楼会议室", "王老师", "40"]],
    field_columns={"start_day": "开始时间", "enrol_deadline": "开始时间"},
    model=Session,
    aliases={"课程名称": ("课程", "培训名称"), "培训类型": ("类型",), "主办机构编码": ("主办机构",),
             "主讲人": ("授课人", "讲师"), "地点": ("培训地点",)},
    choices={"培训类型": lambda: [k.name for k in TrainingKind.select().order_by(TrainingKind.id)]},
))


def _prepare_attendance(ctx: ImportContext, scanned: dict[str, set[str]]) -> None:
    """Every session and mediator the file names, loaded once."""
    codes = [c for c in scanned.get("场次编号", ()) if c]
    numbers = [n for n in scanned.get("调解员工号", ()) if n]
    ctx.cache["sessions"] = {s.code: s for s in Session.select().where(Session.code.in_(codes))}
    ctx.cache["mediators"] = {m.staff_no: m for m in Mediator.select(Mediator, Organization)
                              .join(Organization, on=(Mediator.station == Organization.id))
                              .where(Mediator.staff_no.in_(numbers))}
    ctx.cache["hosts"] = {o.id: o for o in Organization.select().where(Organization.id.in_(
        list({s.host_id for s in ctx.cache["sessions"].values()})))}


def _import_attendance(row: dict[str, str], ctx: ImportContext) -> str:
    data = ATTENDANCE.data(row)
    scope = ctx.scope
    code, number = data["session"].strip(), data["mediator"].strip()
    errors: dict[str, Msg] = {}
    session = ctx.cache["sessions"].get(code)
    mediator = ctx.cache["mediators"].get(number)
    if session is None:
        errors["session"] = Msg("场次「%(code)s」不存在", code=code) if code else Msg("必填")
    if mediator is None:
        errors["mediator"] = (Msg("调解员「%(no)s」不存在", no=number) if number
                              else Msg("必填"))
    if errors:
        raise ValidationError(errors)
    host = ctx.cache["hosts"][session.host_id]
    if scope is not None and not scope.contains(host):
        raise out_of_scope(Msg("场次「%(code)s」", code=code), scope, "session")
    if scope is not None and not scope.contains(mediator.station):
        # to a scoped user, a 工号 outside their jurisdiction reads as one nobody holds
        raise ValidationError({"mediator": Msg("调解员「%(no)s」不存在", no=number)})
    if session.status == CANCELLED:
        raise DomainError(Msg("场次「%(code)s」已取消，不能登记出勤", code=code),
                          field="session")
    status = status_code(data["status"])
    minutes = clean_minutes(status, data["minutes"], session)
    record, before = save_attendance(session, mediator.id, status, minutes, ctx.actor)
    ctx.cache.setdefault("touched", {})[session.id] = True
    if before is None:
        return CREATED
    return UNCHANGED if before == (status, minutes) else UPDATED


def _refresh_figures(ctx: ImportContext, result: ImportResult) -> None:
    """Once per file: the participant counts and year hours of the sessions it touched."""
    if not result.errors:
        refresh_sessions(ctx.cache.get("touched", {}))


ATTENDANCE = register(ImportSpec(
    kind="attendance",
    label=N_("培训出勤"),
    help="Import attendance (出勤情况) from FILE; re-importing updates by 场次编号 + 调解员工号.",
    audit_table="attendance",
    columns=ATTENDANCE_COLUMNS,
    key="场次编号",
    key_columns=("调解员工号",),
    apply=_import_attendance,
    examples=[["PX-2026-001", "M0001", "迟到", "150"]],
    field_columns={"minutes": "实到分钟", "status": "出勤情况"},
    prepare=_prepare_attendance,
    scan=("场次编号", "调解员工号"),
    finish=_refresh_figures,
    aliases={"调解员工号": ("工号",), "出勤情况": ("出勤", "考勤"), "实到分钟": ("实际到课分钟",)},
    synonyms={"出勤情况": {"到": "出席", "出勤": "出席", "已到": "出席", "未到": "缺席",
                           "旷课": "缺席", "病假": "请假", "事假": "请假"}},
    choices={"出勤情况": lambda: list(ATTENDANCE_STATUSES.values())},
))


import_sessions = SESSIONS.run


import_attendance = ATTENDANCE.run
