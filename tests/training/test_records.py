"""A mediator's record: history and the year summary the hours API returns."""
from __future__ import annotations

from decimal import Decimal

from training.attendance import record_attendance
from training.records import history, year_summary


def test_history_and_year_summary(make_session, make_mediator, network):
    person = make_mediator(network["room1"], staff_no="M7")
    s1 = make_session(start="2026-02-01 09:00", end="2026-02-01 12:00", hours="3",
                      kind="岗前培训", course="岗前必修")
    s2 = make_session(start="2026-05-01 09:00", end="2026-05-01 11:00", hours="2")
    s3 = make_session(start="2026-06-01 09:00", end="2026-06-01 11:00", hours="2")
    s4 = make_session(start="2025-06-01 09:00", end="2025-06-01 11:00", hours="2")
    record_attendance(s1, person, "出席", actor="t", scope=None)
    record_attendance(s2, person, "早退", 90, actor="t", scope=None)  # 2 × 90/120 = 1.5
    record_attendance(s3, person, "请假", actor="t", scope=None)
    record_attendance(s4, person, "出席", actor="t", scope=None)
    assert year_summary(person, 2026) == {
        "mediator": "M7", "year": 2026, "hours": "4.5", "participations": 2,
        "by_kind": {"岗前培训": "3.0", "年度培训": "1.5"}}
    assert year_summary(person, 2024) == {"mediator": "M7", "year": 2024, "hours": "0.0",
                                          "participations": 0, "by_kind": {}}
    rows = history(person.id)
    assert [(r["session"], r["status"], r["credited"]) for r in rows] == [
        (s3.code, "请假", Decimal("0.0")), (s2.code, "早退", Decimal("1.5")),
        (s1.code, "出席", Decimal("3.0")), (s4.code, "出席", Decimal("2.0"))]
    assert rows[2]["course"] == "岗前必修" and rows[2]["kind"] == "岗前培训"


def test_hours_by_year_equals_the_direct_query(make_session, make_mediator, network):
    """Hand-counted: 2026 = 3 (出席) + 1.5 (早退 90 of 120) + 2 (出席 on 1 January 07:00 in
    Shanghai, still 31 December in UTC: the year is the Shanghai start day's) = 6.5 in 3
    participations, 请假 counts nothing, nor 3 出席 at a session cancelled afterwards;
    2025 = 2 in 1."""
    from training.hours import credited_hours, year_bounds
    from training.records import hours_by_year
    from training.sessions import cancel_session

    person = make_mediator(network["room1"], staff_no="M8")
    s1 = make_session(start="2026-02-01 09:00", end="2026-02-01 12:00", hours="3",
                      kind="岗前培训")
    s2 = make_session(start="2026-05-01 09:00", end="2026-05-01 11:00", hours="2")
    s3 = make_session(start="2026-06-01 09:00", end="2026-06-01 11:00", hours="2")
    s4 = make_session(start="2026-01-01 07:00", end="2026-01-01 09:00", hours="2",
                      kind="专题讲座")
    s5 = make_session(start="2025-06-01 09:00", end="2025-06-01 11:00", hours="2")
    record_attendance(s1, person, "出席", actor="t", scope=None)
    record_attendance(s2, person, "早退", 90, actor="t", scope=None)
    record_attendance(s3, person, "请假", actor="t", scope=None)
    record_attendance(s4, person, "出席", actor="t", scope=None)
    record_attendance(s5, person, "出席", actor="t", scope=None)
    # attendance recorded, then the session cancelled: listed in the history, counted nowhere
    s6 = make_session(start="2026-07-01 09:00", end="2026-07-01 12:00", hours="3")
    record_attendance(s6, person, "出席", actor="t", scope=None)
    cancel_session(s6, "场地临时不可用", actor="t", scope=None)
    assert history(person.id)[0]["session_status"] == "cancelled"
    years = hours_by_year(history(person.id))
    assert [(y["year"], y["total"], y["participations"]) for y in years] == [
        (2026, Decimal("6.5"), 3), (2025, Decimal("2.0"), 1)]
    assert years[0]["by_kind"] == {"岗前培训": Decimal("3.0"), "年度培训": Decimal("1.5"),
                                   "专题讲座": Decimal("2.0")}
    for year in years:  # incremental sum == the one definition's query
        start, end = year_bounds(year["year"])
        assert year["total"] == credited_hours([person.id], start, end)[person.id]
