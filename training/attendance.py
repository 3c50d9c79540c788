"""Recording attendance (出勤): one record per mediator and session, its credited hours
written by training.hours.credit at the same time."""
from __future__ import annotations

import datetime as dt
from typing import Any

from network import audit
from network.dates import SHANGHAI
from network.db import db
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.models import Organization, now
from org.models import Mediator
from org.services import in_scope

from .hours import credit
from .models import ATTENDANCE_STATUSES, CANCELLED, LATE, LEFT_EARLY, Attendance, Session
from .rollup import refresh_sessions
from .sessions import check_scope


def status_code(value: Any) -> str:
    """出勤情况 label or code → code."""
    text = str(value or "").strip()
    if text in ATTENDANCE_STATUSES:
        return text
    for code, label in ATTENDANCE_STATUSES.items():
        if label == text:
            return code
    raise ValidationError({"status": Msg("出勤情况应为：%(choices)s",
                                         choices="、".join(ATTENDANCE_STATUSES.values()))})


def clean_minutes(status: str, value: Any, session: Session) -> int | None:
    """实到分钟: required for 迟到/早退 (1 … scheduled minutes), ignored otherwise."""
    text = str(value if value is not None else "").strip()
    if status not in (LATE, LEFT_EARLY):
        return None
    if not text:
        raise ValidationError({"minutes": Msg("迟到或早退须填写实到分钟")})
    try:
        minutes = int(text)
    except ValueError:
        raise ValidationError({"minutes": Msg("实到分钟应为整数")}) from None
    if minutes <= 0 or minutes > session.minutes:
        raise ValidationError({"minutes": Msg("实到分钟应在1到%(n)d之间（场次计划时长）",
                                              n=session.minutes)})
    return minutes


def check_recordable(session: Session, at: dt.datetime | None = None) -> None:
    """Attendance exists once a session has begun and only while it is not cancelled: a
    record typed ahead would credit hours (and allow a certificate) for a session that may
    never take place."""
    if session.status == CANCELLED:
        raise DomainError(Msg("场次「%(code)s」已取消，不能登记出勤", code=session.code))
    if session.start > (at or dt.datetime.now(SHANGHAI)):
        raise DomainError(Msg("场次「%(code)s」尚未开始（%(start)s），不能登记出勤",
                              code=session.code,
                              start=session.start.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")))


def record_attendance(session: Session, mediator: Mediator, status: Any, minutes: Any = None,
                      *, actor: str, scope: Organization | None,
                      at: dt.datetime | None = None) -> Attendance:
    """Create or change the record; a scoped user needs both the session and the mediator."""
    check_scope(session, scope)
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("调解员「%(no)s」超出您的管辖范围", no=mediator.staff_no),
                         field="mediator")
    check_recordable(session, at)
    code = status_code(status)
    present = clean_minutes(code, minutes, session)
    with db.atomic():
        record, before = save_attendance(session, mediator.id, code, present, actor)
        refresh_sessions([session.id])
        audit.record(actor, "create" if before is None else "update", "attendance", record.id,
                     f"{session.code}/{mediator.staff_no}",
                     {"status": [before[0] if before else None, code],
                      "minutes": [before[1] if before else None, present]},
                     org_path=session.host.path)
        return record


def save_attendance(session: Session, mediator_id: int, code: str, minutes: int | None,
                    actor: str) -> tuple[Attendance, tuple | None]:
    """Write one checked record with its credited hours; returns it and its former
    (status, minutes), None when new. The caller checks scope and audits (record_attendance;
    the import writes in bulk, training.imports.StagedAttendance)."""
    credited = credit(code, session.hours, minutes, session.minutes)
    record = Attendance.get_or_none(Attendance.session == session.id,
                                    Attendance.mediator == mediator_id)
    if record is None:
        return Attendance.create(session=session, mediator=mediator_id, status=code,
                                 minutes=minutes, credited=credited, recorded_by=actor), None
    before = (record.status, record.minutes)
    record.status, record.minutes, record.credited = code, minutes, credited
    record.recorded_by, record.recorded_at = actor, now()
    record.save()
    return record, before
