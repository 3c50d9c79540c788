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
