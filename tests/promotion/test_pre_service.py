"""Mediators who took cases before completing pre-service training (hand-counted)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from promotion.pre_service import cases_before_pre_service
from tests.training.conftest import make_session, training_ref  # noqa: F401 (fixtures)
from training.attendance import record_attendance

D = dt.date


def test_cases_before_pre_service(make_session, make_mediator, make_case, network):  # noqa: F811
    """Requirement 10 pre-service hours. S1 01-10 岗前 6 h, S2 01-20 岗前 4 h, S3 01-12 年度 4 h.
    a: S1+S2 → completed 01-20; first case 01-15 → found.
    b: S1+S2 → completed 01-20; first case 01-20, the same day → not found.
    c: S1 only (6 h, never completed); case 03-01 → found.
    d: S1+S2, no case → nothing to find.
    e (黄岛): no training, case 02-10 → found in the city's scope only.
    f: S1 + S3 (annual kind does not count) → 6 h; case 02-01 → found.
    """
    s1 = make_session(start="2026-01-10 09:00", end="2026-01-10 15:00", hours="6",
                      kind="岗前培训")
    s2 = make_session(start="2026-01-20 09:00", end="2026-01-20 13:00", hours="4",
                      kind="岗前培训")
    s3 = make_session(start="2026-01-12 09:00", end="2026-01-12 13:00", hours="4",
                      kind="年度培训")
    room1, room3 = network["room1"], network["room3"]
    a, b, c, d, f = (make_mediator(room1, staff_no=n) for n in "ABCDF")
    e = make_mediator(room3, staff_no="E")
    for session, people in ((s1, (a, b, c, d, f)), (s2, (a, b, d)), (s3, (f,))):
        for who in people:
            record_attendance(session, who, "出席", actor="t", scope=None)
    make_case(room1, a, D(2026, 1, 15))
    make_case(room1, a, D(2026, 5, 1))
    make_case(room1, b, D(2026, 1, 20))
    make_case(room1, c, D(2026, 3, 1))
    make_case(room3, e, D(2026, 2, 10))
    make_case(room1, f, D(2026, 2, 1))

    found = cases_before_pre_service(network["shinan"])
    assert [(g.staff_no, g.first_case, g.completed_on, g.hours_ever) for g in found] == [
        ("A", D(2026, 1, 15), D(2026, 1, 20), Decimal("10.0")),
        ("F", D(2026, 2, 1), None, Decimal("6.0")),
        ("C", D(2026, 3, 1), None, Decimal("6.0")),
    ]
    assert [g.staff_no for g in cases_before_pre_service(None)] == ["A", "F", "E", "C"]
    assert cases_before_pre_service(network["huangdao"])[0].hours_ever == Decimal("0.0")


def test_pre_service_by_the_grade_on_the_first_case(make_session, make_mediator, make_case,  # noqa: F811
                                                    network):
    """Default 10 h; 未定级 owes 4 h, 四级 12 h. S1 01-10 岗前 6 h, S2 01-20 岗前 4 h.
    a: 未定级, S1 → completes 01-10 (6 ≥ 4); first case 01-15 → not found (found by the default).
    b: 四级 since 2025-01-01, S1+S2 = 10 < 12 → never completed; case 02-01 → found.
    c: 四级 only from 2026-03-01, 未定级 at its first case 01-12: S1 → completed 01-10 → not found.
    """
    from org.grades import change_grade
    from training.requirements import set_requirement

    s1 = make_session(start="2026-01-10 09:00", end="2026-01-10 15:00", hours="6",
                      kind="岗前培训")
    s2 = make_session(start="2026-01-20 09:00", end="2026-01-20 13:00", hours="4",
                      kind="岗前培训")
    room1 = network["room1"]
    a, b, c = (make_mediator(room1, staff_no=n) for n in "ABC")
    for session, people in ((s1, (a, b, c)), (s2, (b,))):
        for who in people:
            record_attendance(session, who, "出席", actor="t", scope=None)
    change_grade(b, "4", "2025-01-01", "initial", actor="t", scope=None)
    change_grade(c, "4", "2026-03-01", "initial", actor="t", scope=None)
    make_case(room1, a, D(2026, 1, 15))
    make_case(room1, b, D(2026, 2, 1))
    make_case(room1, c, D(2026, 1, 12))
    # by the default 10 h: a and c never complete (6 h); b completes 01-20, before 02-01
    assert [g.staff_no for g in cases_before_pre_service(network["shinan"])] == ["C", "A"]
    set_requirement("pre_service", "4", grade="未定级", actor="city")
    set_requirement("pre_service", "12", grade="四级", actor="city")
    found = cases_before_pre_service(network["shinan"])
    assert [(g.staff_no, g.completed_on) for g in found] == [("B", None)]
