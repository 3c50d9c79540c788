"""The kept figures (year hours per mediator and kind, participants per session) follow every
write: recorded attendance, a change of hours, kind or year, a cancellation, an import."""
from __future__ import annotations

from decimal import Decimal

from training import rollup
from training.attendance import record_attendance
from training.hours import credited_hours, hours_by_kind, participations, year_bounds
from training.imports import import_attendance
from training.models import Attendance, Session, TrainingKind, YearHours, YearTotal
from training.sessions import cancel_session, update_session

YEARS = (2024, 2025, 2026)


def kept() -> dict:
    kinds = dict(TrainingKind.select(TrainingKind.id, TrainingKind.code).tuples())
    return {(m, y, kinds[k]): (Decimal(str(h)).quantize(Decimal("0.1")), n)
            for m, y, k, h, n in YearHours.select(
                YearHours.mediator, YearHours.year, YearHours.kind, YearHours.hours,
                YearHours.participations).tuples()}


def counted() -> dict:
    """The same figures from the attendance itself (training.hours, the definition)."""
    result = {}
    for year in YEARS:
        start, end = year_bounds(year)
        for mediator, by_kind in hours_by_kind(None, start, end).items():
            for kind, hours in by_kind.items():
                times = participations([mediator], start, end, kinds=[kind])[mediator]
                result[(mediator, year, kind)] = (hours, times)
    return result


def totals() -> dict:
    return {(m, y): (Decimal(str(h)).quantize(Decimal("0.1")), n)
            for m, y, h, n in YearTotal.select(YearTotal.mediator, YearTotal.year,
                                               YearTotal.hours, YearTotal.participations)
            .tuples()}


def counted_totals() -> dict:
    result = {}
    for year in YEARS:
        start, end = year_bounds(year)
        times = participations(None, start, end)
        for mediator, hours in credited_hours(None, start, end).items():
            result[(mediator, year)] = (hours, times[mediator])
    return result


def participants_ok() -> bool:
    return all(s.participants == Attendance.select().where(
        Attendance.session == s.id, Attendance.credited > 0).count() for s in Session.select())


def test_kept_figures_follow_every_change(make_session, make_mediator, network, tmp_path):
    a, b = make_mediator(network["room1"], staff_no="A"), make_mediator(network["room1"],
                                                                        staff_no="B")
    s1 = make_session(code="S1", start="2025-03-01 09:00", end="2025-03-01 12:00", hours="3")
    s2 = make_session(code="S2", start="2025-12-31 20:00", end="2025-12-31 22:00", hours="2",
                      kind="岗前培训")
    record_attendance(s1, a, "出席", actor="t", scope=None)
    record_attendance(s1, b, "迟到", 120, actor="t", scope=None)  # 3 × 120/180 = 2
    record_attendance(s2, a, "出席", actor="t", scope=None)
    assert kept() == counted() == {(a.id, 2025, "annual"): (Decimal("3.0"), 1),
                                   (b.id, 2025, "annual"): (Decimal("2.0"), 1),
                                   (a.id, 2025, "pre_service"): (Decimal("2.0"), 1)}
    assert totals() == {(a.id, 2025): (Decimal("5.0"), 2), (b.id, 2025): (Decimal("2.0"), 1)}
    assert Session.get_by_id(s1.id).participants == 2

    update_session(s1, {"hours": "4.5"}, actor="t", scope=None)  # b: 4.5 × 2/3 = 3
    assert kept() == counted()
    assert kept()[(b.id, 2025, "annual")] == (Decimal("3.0"), 1)
    # S2 moves into 2026 (Shanghai day) and becomes a lecture
    update_session(s2, {"start": "2026-01-01 20:00", "end": "2026-01-01 22:00",
                        "kind": "专题讲座"}, actor="t", scope=None)
    assert kept() == counted()
    assert (a.id, 2025, "pre_service") not in kept()
    assert kept()[(a.id, 2026, "lecture")] == (Decimal("2.0"), 1)
    record_attendance(s1, a, "缺席", actor="t", scope=None)
    assert kept() == counted() and participants_ok()
    assert totals() == counted_totals()
    assert Session.get_by_id(s1.id).participants == 1

    path = tmp_path / "a.csv"
    path.write_text("场次编号,调解员工号,出勤情况,实到分钟\nS1,A,出席,\nS2,B,早退,60\n",
                    encoding="utf-8-sig")
    assert import_attendance(path, actor="t", scope=None).ok
    assert kept() == counted() and participants_ok()
    assert kept()[(b.id, 2026, "lecture")] == (Decimal("1.0"), 1)

    cancel_session(Session.get_by_id(s2.id), "取消", actor="t", scope=None)
    assert kept() == counted() and totals() == counted_totals()
    assert not [key for key in kept() if key[1] == 2026]

    # rebuilt from nothing, the same
    before, before_totals = kept(), totals()
    YearHours.delete().execute()
    YearTotal.delete().execute()
    rollup.rebuild()
    assert kept() == before and totals() == before_totals
