"""Eligibility on hand-counted fixtures: every criterion, its threshold and its window edges.

Reference date D = 2025-07-01 unless a test says otherwise: the window is
[2024-07-01, 2025-06-30], both ends included.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from org.complaints import create_complaint
from org.grades import change_grade, update_step
from org.models import Mediator
from org.services import add_assignment, update_mediator
from promotion.eligibility import (
    KEYS,
    eligibility,
    eligibility_many,
    months_between,
    window,
    year_before,
)

d = dt.date
D = d(2025, 7, 1)


def figures(result):
    return {c.key: (c.required, c.actual, c.met) for c in result.criteria}


@pytest.mark.parametrize("start, day, months", [
    (d(2024, 7, 1), d(2025, 7, 1), 12),   # exactly 12 months
    (d(2024, 7, 1), d(2025, 6, 30), 11),  # the day before
    (d(2024, 7, 15), d(2025, 7, 14), 11),  # D.day < start.day: minus one
    (d(2024, 7, 15), d(2025, 7, 15), 12),
    (d(2024, 1, 31), d(2024, 2, 29), 0),  # the day rule at a short month's end
    (d(2024, 1, 31), d(2024, 3, 31), 2),
    (d(2023, 12, 5), d(2024, 1, 5), 1),   # across a year
])
def test_months_formula(start, day, months):
    assert months_between(start, day) == months


def test_window():
    assert window(D) == (d(2024, 7, 1), d(2025, 6, 30))
    assert window(d(2024, 2, 29)) == (d(2023, 2, 28), d(2024, 2, 28))
    assert year_before(d(2025, 3, 1)) == d(2024, 3, 1)


@pytest.fixture
def four(network, make_mediator, grade_ladder):
    """A 四级 mediator at QD-02-01 since 2024-07-01, also serving QD-02-02 (rotating)."""
    m = make_mediator(network["room1"], staff_no="E001", joined=d(2020, 1, 1))
    change_grade(m, "4", "2024-07-01", "initial", actor="hr", scope=None)
    add_assignment(m, network["room2"], actor="hr", scope=None, kind="rotating",
                   start=d(2020, 1, 1))
    return m


def test_months_at_grade_exactly_twelve_and_the_day_before(four):
    assert figures(eligibility(four, D))["months_at_grade"] == (12, 12, True)
    assert figures(eligibility(four, d(2025, 6, 30)))["months_at_grade"] == (12, 11, False)


def test_closed_cases_count_by_mediator_in_the_window(network, four, make_mediator,
                                                      make_case):
    other = make_mediator(network["room1"], staff_no="E002")
    r1, r2 = network["room1"], network["room2"]
    # counted: closed 2024-07-01 (first day), 2025-06-30 (last day), one at another station
    make_case(r1, four, d(2024, 6, 1), d(2024, 7, 1), "调解成功")
    make_case(r1, four, d(2025, 6, 1), d(2025, 6, 30), "调解不成功")
    make_case(r2, four, d(2024, 9, 1), d(2024, 9, 10), "撤回")
    # not counted: closed the day before the window, on D itself, still open, someone else's
    make_case(r1, four, d(2024, 6, 1), d(2024, 6, 30), "调解成功")
    make_case(r1, four, d(2025, 6, 1), d(2025, 7, 1), "调解成功")
    make_case(r1, four, d(2025, 1, 1), None, "调解中")
    make_case(r1, other, d(2024, 8, 1), d(2024, 8, 2), "调解成功")
    result = figures(eligibility(four, D))
    assert result["closed_cases"] == (10, 3, False)
    # 1 succeeded of 3 closed: 0.33333… → 0.3333
    assert result["success_rate"] == (Decimal("0.6000"), Decimal("0.3333"), False)


def test_success_rate_is_zero_without_closed_cases(four):
    result = figures(eligibility(four, D))
    assert result["closed_cases"] == (10, 0, False)
    assert result["success_rate"] == (Decimal("0.6000"), Decimal("0.0000"), False)


def test_success_rate_threshold_compared_after_half_up_rounding(four, make_case, grade_ladder):
    # 2 of 3 = 0.666666…: 0.6667 after rounding, which meets a required 0.6667 (the exact
    # fraction would not), and a required 0.6668 is missed
    r1 = four.station
    for result in ("调解成功", "调解成功", "调解不成功"):
        make_case(r1, four, d(2024, 10, 1), d(2024, 10, 2), result)
    update_step(grade_ladder["4"], {"success_rate": "0.6667"}, actor="admin")
    assert figures(eligibility(four, D))["success_rate"] == (
        Decimal("0.6667"), Decimal("0.6667"), True)
    update_step(grade_ladder["4"], {"success_rate": "0.6668"}, actor="admin")
    assert figures(eligibility(four, D))["success_rate"][2] is False


def test_success_rate_rounds_half_up_not_to_even(four, make_case, grade_ladder):
    # 1 of 32 = 0.03125 exactly: half-up gives 0.0313 (to-even would give 0.0312)
    r1 = four.station
    make_case(r1, four, d(2024, 10, 1), d(2024, 10, 2), "调解成功")
    for _ in range(31):
        make_case(r1, four, d(2024, 10, 1), d(2024, 10, 2), "调解不成功")
    update_step(grade_ladder["4"], {"success_rate": "0.0313"}, actor="admin")
    result = figures(eligibility(four, D))
    assert result["closed_cases"] == (10, 32, True)
    assert result["success_rate"] == (Decimal("0.0313"), Decimal("0.0313"), True)


def test_everything_met_exactly_at_the_thresholds(four, make_case, attend):
    """10 closed (6 succeeded: 0.6000), 20.0 hours, 12 months, no upheld complaint."""
    r1 = four.station
    for result in ["调解成功"] * 6 + ["调解不成功"] * 3 + ["撤回"]:
        make_case(r1, four, d(2024, 11, 1), d(2024, 11, 20), result)
    for start in ("2024-07-01 09:00", "2024-12-01 09:00", "2025-03-01 09:00",
                  "2025-06-30 09:00"):
        attend(four, start, hours="5")
    result = eligibility(four, D)
    assert [c.key for c in result.criteria] == list(KEYS)
    assert figures(result) == {
        "months_at_grade": (12, 12, True),
        "closed_cases": (10, 10, True),
        "success_rate": (Decimal("0.6000"), Decimal("0.6000"), True),
        "training_hours": (Decimal("20.0"), Decimal("20.0"), True),
        "no_upheld_complaint": (0, 0, True),
    }
    assert (result.grade, result.grade_since, result.next_grade, result.eligible) == (
        "4", d(2024, 7, 1), "3", True)
    # a mediator not 在岗 is never eligible, whatever the figures
    update_mediator(four, {"status": "离岗"}, actor="hr", scope=None)
    off = eligibility(Mediator.get_by_id(four.id), D)
    assert off.eligible is False and all(c.met for c in off.criteria)


def test_training_hours_window_and_statuses(four, attend):
    attend(four, "2024-06-30 09:00", hours="8")   # before the window: no
    attend(four, "2024-07-01 09:00", hours="3")   # first day: 3.0
    attend(four, "2025-06-30 09:00", hours="2")   # last day: 2.0
    attend(four, "2025-07-01 09:00", hours="8")   # on D: no
    attend(four, "2025-01-10 09:00", hours="3", status="迟到", minutes=100)  # 3×100/180=1.67→1.5
    attend(four, "2025-02-10 09:00", hours="3", status="缺席")  # 0
    attend(four, "2025-03-10 09:00", hours="4", kind="岗前培训")  # every kind counts here: 4.0
    assert figures(eligibility(four, D))["training_hours"] == (
        Decimal("20.0"), Decimal("10.5"), False)


def test_upheld_complaints_in_the_window_both_ends(four):
    def complain(day, upheld):
        create_complaint({"mediator": four, "filed_on": day, "upheld": upheld},
                         actor="clerk", scope=None)

    complain(d(2024, 6, 30), "是")  # the day before the window
    complain(d(2025, 7, 1), "是")   # D itself
    complain(d(2024, 12, 1), "否")  # not upheld
    assert figures(eligibility(four, D))["no_upheld_complaint"] == (0, 0, True)
    complain(d(2024, 7, 1), "是")   # first day
    complain(d(2025, 6, 30), "是")  # last day
    assert figures(eligibility(four, D))["no_upheld_complaint"] == (0, 2, False)


@pytest.fixture
def newcomer(network, make_mediator, grade_ladder):
    """未定级, 入职 2025-01-01."""
    return make_mediator(network["room1"], staff_no="N001", joined=d(2025, 1, 1))


def test_ungraded_to_four(newcomer, make_case, attend):
    r1 = newcomer.station
    for result in ("调解成功", "调解不成功", "撤回", "调解不成功", "调解不成功"):
        make_case(r1, newcomer, d(2025, 2, 1), d(2025, 3, 1), result)
    attend(newcomer, "2023-05-10 09:00", hours="6", kind="岗前培训")  # long before: counts
    attend(newcomer, "2025-06-30 09:00", hours="4", kind="岗前培训")  # the day before D
    attend(newcomer, "2025-07-01 09:00", hours="8", kind="岗前培训")  # on D: not before D
    attend(newcomer, "2025-03-01 09:00", hours="8")  # 年度培训: not pre-service
    result = eligibility(newcomer, D)
    assert (result.grade, result.grade_since, result.next_grade) == ("none", None, "4")
    # no success-rate criterion for this step (1 of 5 would fail any rate)
    assert figures(result) == {
        "months_at_grade": (6, 6, True),   # from 入职日期 2025-01-01
        "closed_cases": (5, 5, True),
        "training_hours": (Decimal("10.0"), Decimal("10.0"), True),
        "no_upheld_complaint": (0, 0, True),
    }
    assert result.eligible is True
    # the day before: five months and 29 days
    assert figures(eligibility(newcomer, d(2025, 6, 30)))["months_at_grade"] == (6, 5, False)


def test_grade_one_has_no_next_grade(network, make_mediator, grade_ladder):
    top = make_mediator(network["room1"], staff_no="T001")
    change_grade(top, "1", "2020-01-01", "initial", actor="hr", scope=None)
    result = eligibility(top, D)
    assert (result.grade, result.grade_since, result.next_grade, result.eligible,
            result.criteria) == ("1", d(2020, 1, 1), None, False, ())
    assert result.as_dict() == {"staff_no": "T001", "grade": "1", "grade_since": "2020-01-01",
                                "next_grade": None, "eligible": False, "criteria": []}


def test_grade_in_force_on_the_reference_date(four):
    # a promotion effective after D does not count for D
    change_grade(four, "3", "2025-09-01", "promotion", actor="hr", scope=None)
    result = eligibility(four, D)
    assert (result.grade, result.next_grade) == ("4", "3")
    assert eligibility(four, d(2025, 9, 1)).next_grade == "2"


def test_as_dict_gives_exact_decimals(four):
    data = eligibility(four, D).as_dict()
    assert data["criteria"][2] == {"key": "success_rate", "required": "0.6000",
                                   "actual": "0.0000", "met": False}
    assert data["criteria"][3]["required"] == "20.0"


@pytest.mark.parametrize("list_limit, statements", [
    (1000, 7),  # hours asked for lists of ids
    (0, 9),     # hours asked through the id sub-select (training.hours reads the ids too)
])
def test_many_at_once_with_a_fixed_number_of_queries(network, make_mediator, grade_ladder,
                                                     make_case, attend, monkeypatch,
                                                     list_limit, statements):
    monkeypatch.setattr("promotion.eligibility.LIST_LIMIT", list_limit)
    a = make_mediator(network["room1"], staff_no="S001", joined=d(2020, 1, 1))
    b = make_mediator(network["room3"], staff_no="S002", joined=d(2025, 1, 1))
    c = make_mediator(network["room2"], staff_no="S003")
    change_grade(a, "3", "2023-01-01", "initial", actor="hr", scope=None)
    change_grade(c, "1", "2022-01-01", "initial", actor="hr", scope=None)
    make_case(network["room1"], a, d(2024, 8, 1), d(2024, 8, 5), "调解成功")
    make_case(network["room3"], b, d(2025, 2, 1), d(2025, 2, 5), "调解成功")
    attend(a, "2024-09-01 09:00", hours="3")
    attend(b, "2024-09-01 09:00", hours="2", kind="岗前培训")
    create_complaint({"mediator": a, "filed_on": "2024-10-01", "upheld": "是"},
                     actor="clerk", scope=None)
    with count_queries() as counter:
        many = eligibility_many(Mediator.select().order_by(Mediator.staff_no), D)
    # people, ladder, grades, cases, complaints, one hours call per rule (window / ever)
    assert counter.count == statements
    for person in (a, b, c):
        assert many[person.id] == eligibility(person, D)
    assert figures(many[a.id]) == {
        "months_at_grade": (24, 30, True),
        "closed_cases": (20, 1, False),
        "success_rate": (Decimal("0.6500"), Decimal("1.0000"), True),
        "training_hours": (Decimal("20.0"), Decimal("3.0"), False),
        "no_upheld_complaint": (0, 1, False),
    }
    assert figures(many[b.id])["training_hours"] == (Decimal("10.0"), Decimal("2.0"), False)
    assert many[c.id].next_grade is None


def test_evidence_lists_what_was_counted(four, newcomer, make_case, attend):
    r1 = four.station
    counted = make_case(r1, four, d(2024, 8, 1), d(2024, 8, 2), "调解成功")
    make_case(r1, four, d(2024, 5, 1), d(2024, 6, 2), "调解成功")  # before the window
    in_window = attend(four, "2024-09-01 09:00", hours="2")
    attend(four, "2024-06-01 09:00", hours="2")  # before the window
    attend(four, "2024-10-01 09:00", hours="2", status="缺席")  # credited nothing
    upheld = create_complaint({"mediator": four, "filed_on": "2024-12-01", "upheld": "是"},
                              actor="clerk", scope=None)
    create_complaint({"mediator": four, "filed_on": "2024-12-02", "upheld": "否"},
                     actor="clerk", scope=None)
    pre = attend(newcomer, "2023-01-01 09:00", hours="4", kind="岗前培训")  # ever, for 未定级
    attend(newcomer, "2025-02-01 09:00", hours="4")  # not pre-service
    found = eligibility_many([four, newcomer], D, evidence=True)
    assert found[four.id].evidence == {"cases": [counted.id], "attendance": [in_window.id],
                                       "complaints": [upheld.id]}
    assert found[newcomer.id].evidence == {"cases": [], "attendance": [pre.id],
                                           "complaints": []}
    assert eligibility(four, D).evidence is None
