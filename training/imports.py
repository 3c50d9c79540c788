"""Imports of sessions (场次) and attendance (出勤), all-or-nothing through network.imports.

Rows go through the same checks as the forms (training.sessions.clean_session,
training.attendance), so a file cannot bring in what a form would refuse; what the session form
asks to confirm (training.calendar.session_warnings: a holiday, a venue or trainer booked twice)
is reported per row as a warning, checked against the sessions stored and the file's earlier
rows. Re-importing a file
updates by key: a session by 场次编号, an attendance record by 场次编号 and 调解员工号.

An attendance file of 20,000 rows must take about a second (issue 14), so, like the case
import, it costs a few statements per file, not per row: `prepare` loads the sessions, the
mediators and the existing records the file names (one look-up of its (场次, 工号) pairs),
each row is checked against those in memory, and the writes are set-based
(`StagedAttendance`).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from network import audit, bulk
from network.db import N_, db
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
    write_staged,
)
from network.models import Organization, now
from org.models import TRAINER, Mediator

from . import rollup
from .attendance import check_recordable, clean_minutes, status_code
from .calendar import session_warnings
from .hours import credit
from .models import ATTENDANCE_STATUSES, Attendance, Session, TrainingKind
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
        outcome, session = CREATED, create_session(values, actor=ctx.actor, scope=scope)
    elif _unchanged(existing, values):
        return UNCHANGED
    else:
        outcome, session = UPDATED, update_session(existing, values, actor=ctx.actor,
                                                    scope=scope)
    # what the session form asks to confirm is reported, not refused: the file was meant
    for warning in session_warnings(session):
        ctx.warn(warning)
    return outcome


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
    extra_roles=(TRAINER,),
    aliases={"课程名称": ("课程", "培训名称"), "培训类型": ("类型",), "主办机构编码": ("主办机构",),
             "主讲人": ("授课人", "讲师"), "地点": ("培训地点",)},
    choices={"培训类型": lambda: [k.name for k in TrainingKind.select().order_by(TrainingKind.id)]},
))


PAIR = ("场次编号", "调解员工号")  # scanned together: the file's (session, mediator) pairs


class Slot(NamedTuple):
    """A session as checking a row of attendance needs it (`minutes` for clean_minutes)."""

    id: int
    code: str
    status: str
    hours: Decimal
    minutes: int
    kind_id: int
    year: int
    host_path: str
    start: dt.datetime


class Person(NamedTuple):
    id: int
    staff_no: str
    path: str  # of the station, for the scope check (Organization.contains reads `path`)


class _Unit(NamedTuple):
    """A session's host as Organization.contains reads it (its path)."""

    path: str


class Held(NamedTuple):
    """A record the file names that exists already."""

    id: int
    status: str
    minutes: int | None
    credited: Decimal


RECORD_FIELDS = ["session", "mediator", "status", "minutes", "credited", "recorded_by",
                 "recorded_at"]


class StagedAttendance:
    """The file's writes, checked row by row against what `prepare` loaded and written once
    every row has passed: new records stream into the table as they pass (`bulk.Inserter`),
    changed ones are updated and audited together at the end, and the kept figures move by
    the differences (`rollup.Changes`). A preview writes nothing."""

    def __init__(self, ctx: ImportContext, scanned: dict[Any, set]):
        codes = [c for c in scanned.get("场次编号", ()) if c]
        numbers = [n for n in scanned.get("调解员工号", ()) if n]
        self.sessions: dict[str, Slot] = {}
        for row in (Session.select(Session.id, Session.code, Session.status, Session.hours,
                                   Session.minutes, Session.kind, Session.start_day,
                                   Organization.path, Session.start)
                    .join(Organization, on=(Session.host == Organization.id))
                    .where(bulk.among(Session.code, codes)).tuples()):
            sid, code, status, hours, minutes, kind, day, path, start = row
            self.sessions[code] = Slot(sid, code, status, Decimal(hours), minutes, kind,
                                       day.year, path, start)
        # as the driver returns them (ints and texts on both databases): a file names
        # thousands of mediators, and peewee's row conversion would double the time
        people = (Mediator.select(Mediator.id, Mediator.staff_no, Organization.path)
                  .join(Organization, on=(Mediator.station == Organization.id))
                  .where(bulk.among(Mediator.staff_no, numbers)))
        self.people: dict[str, Person] = {
            row[1]: Person(*row) for row in db.execute_sql(*people.sql())}
        pairs = {(self.sessions[c].id, self.people[n].id)
                 for c, n in scanned.get(PAIR, ()) if c in self.sessions and n in self.people}
        self.held: dict[tuple[int, int], Held] = {
            (sid, mid): Held(rid, status, minutes, Decimal(str(credited)))
            for sid, mid, rid, status, minutes, credited in bulk.select_pairs(
                Attendance, (Attendance.session, Attendance.mediator), sorted(pairs),
                [Attendance.session, Attendance.mediator, Attendance.id, Attendance.status,
                 Attendance.minutes, Attendance.credited])}
        self.actor = ctx.actor
        self.stamp = now()
        self.sink = None if ctx.dry_run else ctx.closing.enter_context(
            bulk.Inserter(Attendance, RECORD_FIELDS))
        self.changed: list[tuple[Slot, Person, Held, str, int | None, Decimal]] = []
        self.changes = rollup.Changes()

    def create(self, slot: Slot, person: Person, status: str, minutes: int | None,
               credited: Decimal) -> None:
        if self.sink is not None:
            self.sink.add((slot.id, person.id, status, minutes, credited, self.actor,
                           self.stamp))
        self.changes.add(slot.id, person.id, slot.year, slot.kind_id, credited)

    def update(self, slot: Slot, person: Person, held: Held, status: str,
               minutes: int | None, credited: Decimal) -> None:
        self.changed.append((slot, person, held, status, minutes, credited))
        self.changes.remove(slot.id, person.id, slot.year, slot.kind_id, held.credited)
        self.changes.add(slot.id, person.id, slot.year, slot.kind_id, credited)

    def write(self) -> None:
        # the kept figures queued behind the new records, prepared while the server still
        # takes those; the updates and the audit once it has
        self.changes.apply(run=self.sink.execute)
        self.sink.close()
        stamp = now()
        bulk.update(Attendance, ["status", "minutes", "credited", "recorded_by", "recorded_at"],
                    [(held.id, (status, minutes, credited, self.actor, stamp))
                     for _, _, held, status, minutes, credited in self.changed])
        audit.record_many(self.actor, "update", "attendance", [
            (held.id, f"{slot.code}/{person.staff_no}",
             {"status": [held.status, status], "minutes": [held.minutes, minutes]},
             slot.host_path)
            for slot, person, held, status, minutes, _ in self.changed], at=stamp)


def _prepare_attendance(ctx: ImportContext, scanned: dict[Any, set]) -> None:
    """Every session, mediator and existing record the file names, loaded once."""
    ctx.cache["staged"] = StagedAttendance(ctx, scanned)


def _import_attendance(row: dict[str, str], ctx: ImportContext) -> str:
    data = ATTENDANCE.data(row)
    scope = ctx.scope
    staged: StagedAttendance = ctx.cache["staged"]
    code, number = data["session"].strip(), data["mediator"].strip()
    errors: dict[str, Msg] = {}
    session = staged.sessions.get(code)
    mediator = staged.people.get(number)
    if session is None:
        errors["session"] = Msg("场次「%(code)s」不存在", code=code) if code else Msg("必填")
    if mediator is None:
        errors["mediator"] = (Msg("调解员「%(no)s」不存在", no=number) if number
                              else Msg("必填"))
    if errors:
        raise ValidationError(errors)
    if scope is not None and not scope.contains(_Unit(session.host_path)):
        raise out_of_scope(Msg("场次「%(code)s」", code=code), scope, "session")
    if scope is not None and not scope.contains(mediator):
        # to a scoped user, a 工号 outside their jurisdiction reads as one nobody holds
        raise ValidationError({"mediator": Msg("调解员「%(no)s」不存在", no=number)})
    try:
        check_recordable(session)
    except DomainError as exc:
        raise DomainError(exc.message, field="session") from exc
    status = status_code(data["status"])
    minutes = clean_minutes(status, data["minutes"], session)
    credited = credit(status, session.hours, minutes, session.minutes)
    held = staged.held.get((session.id, mediator.id))
    if held is None:
        staged.create(session, mediator, status, minutes, credited)
        return CREATED
    if (held.status, held.minutes) == (status, minutes):
        return UNCHANGED
    staged.update(session, mediator, held, status, minutes, credited)
    return UPDATED


def _write_attendance(ctx: ImportContext, result: ImportResult) -> None:
    staged: StagedAttendance = ctx.cache["staged"]
    write_staged(result, staged.sink, lambda: staged.write())


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
    model=Attendance,  # the guide's 必填 column: session, 工号 and status, not the minutes
    prepare=_prepare_attendance,
    scan=("场次编号", "调解员工号", PAIR),
    finish=_write_attendance,
    row_savepoint=False,
    extra_roles=(TRAINER,),
    aliases={"调解员工号": ("工号",), "出勤情况": ("出勤", "考勤"), "实到分钟": ("实际到课分钟",)},
    synonyms={"出勤情况": {"到": "出席", "出勤": "出席", "已到": "出席", "未到": "缺席",
                           "旷课": "缺席", "病假": "请假", "事假": "请假"}},
    choices={"出勤情况": lambda: list(ATTENDANCE_STATUSES.values())},
))


import_sessions = SESSIONS.run


import_attendance = ATTENDANCE.run
