"""A mediator's training record: history, hours per year and kind, certificates, in the shape
the portal's pages (培训档案) and the JSON API (`/api/v1/training/hours`) show.

The per-year table is summed from the history rows already loaded (one query for the whole
record); a session counts in the year of its start in Asia/Shanghai (`start_day`), like
training.hours, so each year's total equals credited_hours over that year."""
from __future__ import annotations

from decimal import Decimal

from org.models import Mediator

from .hours import credited_hours, hours_by_kind, participations, year_bounds
from .models import (
    ATTENDANCE_STATUSES,
    CANCELLED,
    Attendance,
    Certificate,
    Course,
    Session,
    TrainingKind,
)


def history(mediator_id: int) -> list[dict]:
    """Every attendance record, the latest session first (one query)."""
    rows = (Attendance.select(Attendance, Session, Course, TrainingKind)
            .join(Session, on=(Attendance.session == Session.id))
            .join(Course, on=(Session.course == Course.id))
            .join(TrainingKind, on=(Session.kind == TrainingKind.id))
            .where(Attendance.mediator == mediator_id)
            .order_by(Session.start.desc(), Session.id.desc()))
    return [{"session": r.session.code, "course": r.session.course.name,
             "kind": r.session.kind.name, "start": r.session.start, "end": r.session.end,
             "start_day": r.session.start_day, "session_id": r.session.id,
             "hours": r.session.hours, "status": ATTENDANCE_STATUSES[r.status],
             "minutes": r.minutes, "credited": Decimal(str(r.credited)),
             "session_status": r.session.status} for r in rows]


def year_summary(mediator: Mediator, year: int) -> dict:
    """{"mediator", "year", "hours" ("h.h"), "participations" (records with credited hours
    > 0), "by_kind" {kind name: "h.h"}} — kinds with hours only."""
    start, end = year_bounds(year)
    total = credited_hours([mediator.id], start, end)[mediator.id]
    kinds = dict(TrainingKind.select(TrainingKind.code, TrainingKind.name).tuples())
    by_kind = hours_by_kind([mediator.id], start, end)[mediator.id]
    return {"mediator": mediator.staff_no, "year": year, "hours": f"{total:.1f}",
            "participations": participations([mediator.id], start, end)[mediator.id],
            "by_kind": {kinds[code]: f"{value:.1f}" for code, value in sorted(
                by_kind.items(), key=lambda item: kinds[item[0]])}}


def hours_by_year(rows: list[dict]) -> list[dict]:
    """From history(): per year with credited hours, the latest first, {"year", "total",
    "by_kind" {kind name: hours}, "participations"} (records with credited hours > 0 at
    sessions not cancelled, as training.hours counts them)."""
    years: dict[int, dict] = {}
    for row in rows:
        # a cancelled session's records stay in the history, its hours count nowhere
        if row["credited"] <= 0 or row["session_status"] == CANCELLED:
            continue
        year = years.setdefault(row["start_day"].year, {
            "year": row["start_day"].year, "total": Decimal("0"), "by_kind": {},
            "participations": 0})
        year["total"] += row["credited"]
        year["participations"] += 1
        year["by_kind"][row["kind"]] = year["by_kind"].get(row["kind"], Decimal("0")) + row["credited"]
    return [years[y] for y in sorted(years, reverse=True)]


def certificates_of(mediator_id: int) -> list[Certificate]:
    """The mediator's certificates, revoked ones included (the page says so), newest first."""
    return list(Certificate.select(Certificate, Course)
                .join(Course, on=(Certificate.course == Course.id))
                .where(Certificate.mediator == mediator_id)
                .order_by(Certificate.issued.desc(), Certificate.id.desc()))
