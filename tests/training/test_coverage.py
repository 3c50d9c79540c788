"""Coverage of a subtree for a year, hand-counted on a small city (see the fixture)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from training.attendance import record_attendance
from training.coverage import (
    at_risk,
    at_risk_count,
    coverage,
    coverage_by_child,
    rate,
    standings,
)
from training.models import TrainingRequirement
from training.sessions import cancel_session

D = Decimal


@pytest.fixture
def city(make_session, make_mediator, network):
    """2026, requirement 20 h.
    S1 市南 03-10 10 h (600 min) · S2 市南 05-12 10 h · S3 黄岛 06-01 8 h ·
    S4 市南 2025-12-31 1 h · S5 市南 07-01 2 h, cancelled after attendance was taken.
    a (room1, 在岗): S1 出席 10 + S2 出席 10 = 20 → met (exactly on the line)
    b (room1, 在岗): S1 出席 10 + S2 迟到 570/600 → 9.5 = 19.5 → not met
    c (room2, 在岗): S3 出席 8 (at 黄岛) + S4 出席 (2025) = 8 in 2026
    d (room2, 离岗): S1 出席 10 — not in any population, still a participant-time of S1
    e (room3 黄岛, 在岗): S1 出席 10 (at 市南) + S3 缺席 0 = 10
    """
    shinan, huangdao = network["shinan"], network["huangdao"]
    s1 = make_session(start="2026-03-10 09:00", end="2026-03-10 19:00", hours="10", host=shinan)
    s2 = make_session(start="2026-05-12 09:00", end="2026-05-12 19:00", hours="10", host=shinan)
    s3 = make_session(start="2026-06-01 09:00", end="2026-06-01 17:00", hours="8",
                      host=huangdao)
    s4 = make_session(start="2025-12-31 09:00", end="2025-12-31 10:00", hours="1", host=shinan)
    s5 = make_session(start="2026-07-01 09:00", end="2026-07-01 11:00", hours="2", host=shinan)
    a = make_mediator(network["room1"], staff_no="A")
    b = make_mediator(network["room1"], staff_no="B")
    c = make_mediator(network["room2"], staff_no="C")
    d = make_mediator(network["room2"], staff_no="D", status="off")
    e = make_mediator(network["room3"], staff_no="E")
    for session, who, status, minutes in [
            (s1, a, "出席", None), (s2, a, "出席", None), (s1, b, "出席", None),
            (s2, b, "迟到", 570), (s3, c, "出席", None), (s4, c, "出席", None),
            (s1, d, "出席", None), (s1, e, "出席", None), (s3, e, "缺席", None),
            (s5, a, "出席", None), (s5, c, "出席", None)]:
        record_attendance(session, who, status, minutes, actor="t", scope=None)
    cancel_session(s5, "停电", actor="t", scope=None)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_county_coverage(city, network):
    figures = coverage(network["shinan"], 2026)
    assert figures.as_dict() == {
        "station": "QD-02", "year": 2026, "population": 3, "met": 1,
        "coverage_rate": "0.3333", "sessions": 2, "participant_times": 6, "hours": "47.5"}


def test_other_county_and_city(city, network):
    assert coverage(network["huangdao"], 2026).as_dict() == {
        "station": "QD-11", "year": 2026, "population": 1, "met": 0,
        "coverage_rate": "0.0000", "sessions": 1, "participant_times": 1, "hours": "10.0"}
    assert coverage(network["city"], 2026).as_dict() == {
        "station": "QD", "year": 2026, "population": 4, "met": 1,
        "coverage_rate": "0.2500", "sessions": 3, "participant_times": 7, "hours": "57.5"}
    assert [c.org.code for c in coverage_by_child(network["city"], 2026)] == ["QD-02", "QD-11"]


def test_other_year_and_empty_subtree(city, network, make_org):
    figures = coverage(network["shinan"], 2025)
    # c's 1 h at S4 (市南, 2025): population still a, b, c today
    assert (figures.population, figures.met, figures.sessions, figures.participant_times,
            figures.hours) == (3, 0, 1, 1, D("1.0"))
    empty = make_org("QD-02-09", parent=network["shinan"])
    assert coverage(empty, 2026).as_dict()["coverage_rate"] == "0.0000"
    assert coverage(empty, 2026).population == 0


def test_requirement_is_data(city, network):
    TrainingRequirement.update(hours=D("19.5")).where(
        TrainingRequirement.kind == "annual", TrainingRequirement.grade.is_null()).execute()
    figures = coverage(network["shinan"], 2026)
    assert (figures.met, figures.coverage_rate) == (2, D("0.6667"))  # 2/3 half-up


def test_rate_rounds_half_up():
    assert rate(1, 8) == D("0.1250")
    assert rate(1, 16) == D("0.0625")
    assert rate(1, 32) == D("0.0313")  # 0.03125 → up
    assert rate(0, 0) == D("0.0000")


def test_standings_and_at_risk(city, network):
    rows = {s.staff_no: (s.hours, s.met) for s in standings(network["shinan"], 2026)}
    assert rows == {"A": (D("20.0"), True), "B": (D("19.5"), False), "C": (D("8.0"), False)}
    # mid-October: 3 months left, normal pace 20/12 = 1.67 h a month
    # b misses 0.5 (0.17 a month): fine; c misses 12 (4 a month), e misses 10 (3.33)
    october = dt.date(2026, 10, 15)
    assert [s.staff_no for s in at_risk(network["shinan"], 2026, october)] == ["C"]
    assert [(s.staff_no, s.missing) for s in at_risk(network["city"], 2026, october)] == [
        ("C", D("12.0")), ("E", D("10.0"))]
    # once the year is over, everyone who missed it
    assert [s.staff_no for s in at_risk(network["city"], 2026, dt.date(2027, 1, 5))] == [
        "C", "E", "B"]


def test_at_risk_count_is_the_list_counted(city, network):
    """Hand-counted as above: mid-October shinan C, the city C and E; after the year C, E, B;
    in January (12 months left) nobody; and equal to the list for every month's 15th."""
    october = dt.date(2026, 10, 15)
    assert at_risk_count(network["shinan"], 2026, october) == 1
    assert at_risk_count(network["city"], 2026, october) == 2
    assert at_risk_count(None, 2026, dt.date(2027, 1, 5)) == 3
    assert at_risk_count(network["city"], 2026, dt.date(2026, 1, 20)) == 0
    for month in range(1, 13):
        day = dt.date(2026, month, 15)
        for org in (None, network["shinan"], network["huangdao"], network["room2"]):
            assert at_risk_count(org, 2026, day) == len(at_risk(org, 2026, day)), (org, day)


def test_grades_with_their_own_requirement(city, network):
    """四级 owes 10 h and 一级 24 h; the others the default 20. The grade that counts is the one
    held at the year's end (or today while it runs):
    a 一级 since 2026-01-01: 20 of 24 → not met (it was met at 20)
    b 四级 since 2025-05-01: 19.5 of 10 → met
    c no grade: 8 of 20 → not met
    e 三级 since 2025-03-01, 四级 from 2026-09-01 (demoted): 10 of 10 → met; by the grade
      held at the start of the year (三级: 20) it would not be.
    So 市南 (a, b, c) has 1 met — b instead of a —, the city (a, b, c, e) 2."""
    from network.dates import SHANGHAI
    from org.grades import change_grade
    from training.homes import mediator_home
    from training.requirements import set_requirement

    change_grade(city["a"], "1", "2026-01-01", "initial", actor="t", scope=None)
    change_grade(city["b"], "4", "2025-05-01", "initial", actor="t", scope=None)
    change_grade(city["e"], "3", "2025-03-01", "initial", actor="t", scope=None)
    change_grade(city["e"], "4", "2026-09-01", "demotion", actor="t", scope=None)
    set_requirement("annual", "10", grade="4", actor="city")
    set_requirement("annual", "24", grade="1", actor="city")
    assert (coverage(network["shinan"], 2026).met, coverage(network["city"], 2026).met) == (1, 2)
    rows = {s.staff_no: (s.hours, s.required, s.met) for s in standings(network["city"], 2026)}
    assert rows == {"A": (D("20.0"), D("24"), False), "B": (D("19.5"), D("10"), True),
                    "C": (D("8.0"), D("20"), False), "E": (D("10.0"), D("10"), True)}
    # mid-October, 3 months left: a misses 4 (1.33 a month < 24/12): on pace; c is not
    october = dt.date(2026, 10, 15)
    assert [s.staff_no for s in at_risk(network["city"], 2026, october)] == ["C"]
    assert [s.staff_no for s in at_risk(None, 2026, dt.date(2027, 1, 5))] == ["C", "A"]
    assert at_risk_count(network["city"], 2026, october) == 1
    assert at_risk_count(None, 2026, dt.date(2027, 1, 5)) == 2
    for month in range(1, 13):
        day = dt.date(2026, month, 15)
        for org in (None, network["shinan"], network["huangdao"]):
            assert at_risk_count(org, 2026, day) == len(at_risk(org, 2026, day)), (org, day)
    home = mediator_home(city["a"], dt.datetime.now(SHANGHAI))
    assert home.required == D("24")
    set_requirement("annual", "8", grade="未定级", actor="city")  # c now owes 8: met
    assert coverage(network["shinan"], 2026).met == 2


def test_grade_counts_as_held_on_the_day_judged(city, network):
    """三级 owes 8 h, the others the default 20. c 三级 since 2025-01-01 (8 of 8: met);
    e 四级 since 2025-01-01, promoted to 三级 on 2026-11-01 (10 h).
    Mid-October (3 months left) e is still 四级: 10 × 12 = 120 < 20 × 9 = 180 → at risk, and
    its standing owes 20; judged after the year e is 三级 (10 of 8: met), and only b (19.5 of
    20) missed. By the year-end grade e would not be at risk in October."""
    from org.grades import change_grade
    from training.requirements import set_requirement

    change_grade(city["c"], "3", "2025-01-01", "initial", actor="t", scope=None)
    change_grade(city["e"], "4", "2025-01-01", "initial", actor="t", scope=None)
    change_grade(city["e"], "3", "2026-11-01", "promotion", actor="t", scope=None)
    set_requirement("annual", "8", grade="3", actor="city")
    october, after = dt.date(2026, 10, 15), dt.date(2027, 1, 5)
    # met: a 20 of 20, c 8 of 8, and e 10 of 8 once 三级
    assert (coverage(network["city"], 2026, october).met,
            coverage(network["city"], 2026, after).met) == (2, 3)
    assert [(c.org.code, c.met) for c in coverage_by_child(network["city"], 2026, october)] \
        == [("QD-02", 2), ("QD-11", 0)]
    assert [s.staff_no for s in at_risk(network["city"], 2026, october)] == ["E"]
    assert at_risk_count(network["city"], 2026, october) == 1
    assert at_risk_count(network["shinan"], 2026, october) == 0
    assert {s.staff_no: s.required for s in standings(network["huangdao"], 2026, october)} == {
        "E": D("20")}
    assert {s.staff_no: (s.required, s.met) for s in standings(network["city"], 2026, after)
            } == {"A": (D("20"), True), "B": (D("20"), False), "C": (D("8"), True),
                  "E": (D("8"), True)}
    assert [s.staff_no for s in at_risk(network["city"], 2026, after)] == ["B"]
    assert at_risk_count(network["city"], 2026, after) == 1


def test_the_day_coverage_is_judged_on_by_default_is_shanghais():
    """From 16:00 UTC Shanghai is a day ahead: on New Year's Eve at 17:00 UTC it is already
    the next year there (a UTC server's date.today() would still say the 31st)."""
    from network.dates import local_today

    utc = dt.UTC
    assert local_today(dt.datetime(2026, 12, 31, 17, 0, tzinfo=utc)) == dt.date(2027, 1, 1)
    assert local_today(dt.datetime(2026, 12, 31, 15, 59, tzinfo=utc)) == dt.date(2026, 12, 31)
    assert local_today() in (dt.date.today(), dt.date.today() + dt.timedelta(days=1),
                             dt.date.today() - dt.timedelta(days=1))
