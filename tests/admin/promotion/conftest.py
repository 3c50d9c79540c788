"""A small promotion world for the pages: the seeded ladder, one 四级 mediator at QD-02-01
with a hand-counted record, one at QD-11-01 (the other county), and the accounts.

Reference date 2025-07-01: window [2024-07-01, 2025-06-30]. E001 (四级 since 2024-01-01, so
18 months at grade) closed 6 cases in the window, 4 of them successful (0.6667), attended
two 3-hour sessions (6.0 hours) and has one upheld complaint dated 2025-03-01. Against the
default step 四级 → 三级 (12 months, 10 cases, 0.60, 20 hours, no upheld complaint):
months met, cases 6/10 not met (还需结案 4 件), rate met, hours 6/20 not met (还需培训 14 学时),
complaints 1 not met.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.promotion.conftest import attend, grade_ladder, training_ref  # noqa: F401

d = dt.date


@pytest.fixture
def world(network, make_mediator, make_case, make_user, grade_ladder, attend):  # noqa: F811
    from org.complaints import create_complaint
    from org.grades import change_grade

    room1, room3 = network["room1"], network["room3"]
    e1 = make_mediator(room1, staff_no="E001", name="甲调解员", joined=d(2020, 1, 1))
    e2 = make_mediator(room3, staff_no="E002", name="乙调解员", joined=d(2020, 1, 1))
    change_grade(e1, "4", "2024-01-01", "initial", actor="hr", scope=None)
    change_grade(e2, "3", "2023-01-01", "initial", actor="hr", scope=None)
    for n in range(6):
        make_case(room1, e1, d(2024, 8, 1), d(2024, 8, 10 + n),
                  "调解成功" if n < 4 else "调解不成功")
    make_case(room1, e1, d(2024, 5, 1), d(2024, 6, 30), "调解成功")  # before the window
    attend(e1, "2024-09-01 09:00", hours="3")
    attend(e1, "2025-02-01 09:00", hours="3")
    create_complaint({"mediator": e1, "filed_on": "2025-03-01", "upheld": "是",
                      "summary": "态度差"}, actor="t", scope=None)
    create_complaint({"mediator": e2, "filed_on": "2025-03-02", "upheld": "否",
                      "summary": "黄岛的投诉"}, actor="t", scope=None)
    make_user("root", role="admin")
    make_user("city", role="manager", organization=network["city"])
    make_user("m02", role="manager", organization=network["shinan"])
    make_user("m11", role="manager", organization=network["huangdao"])
    make_user("r01", role="manager", organization=room1)
    make_user("t02", role="trainer", organization=network["shinan"])
    make_user("e001", role="mediator", mediator=e1)
    make_user("e002", role="mediator", mediator=e2)
    return {**network, "e1": e1, "e2": e2}


def switch(auth, username):
    """Log out whoever is in, log `username` in."""
    if auth.token:
        auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.login(username)


class Clock:
    """The promotion domain's "today" (promotion.rounds._today), moved by the tests."""

    def __init__(self, day):
        self.day = day

    def __call__(self, on=None):
        return on or self.day


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(d(2025, 7, 2))
    monkeypatch.setattr("promotion.rounds._today", clock)
    return clock


@pytest.fixture
def round_world(world, make_mediator, make_case, make_user, grade_ladder, clock):  # noqa: F811
    """Thresholds lowered (the ladder is data): one successful case closed in the window and
    the months at grade make a 四级 or 三级 mediator eligible. E010 (三级 at QD-02-01, the city
    decides 三级 → 二级) and E020 (三级 at QD-11-01) are eligible; E001 is not (its upheld
    complaint); E002 (三级, no case) is not."""
    from org.grades import change_grade, update_step

    for grade in ("4", "3"):
        update_step(grade_ladder[grade], {"closed_cases": 1, "success_rate": "0.5",
                                          "training_hours": 0}, actor="admin")
    e10 = make_mediator(world["room1"], staff_no="E010", name="丁调解员", joined=d(2020, 1, 1))
    e20 = make_mediator(world["room3"], staff_no="E020", name="戊调解员", joined=d(2020, 1, 1))
    for m, station in ((e10, world["room1"]), (e20, world["room3"])):
        change_grade(m, "3", "2022-01-01", "initial", actor="hr", scope=None)
        make_case(station, m, d(2024, 9, 1), d(2024, 9, 5), "调解成功")
    make_user("e010", role="mediator", mediator=e10)
    make_user("e020", role="mediator", mediator=e20)
    make_user("r03", role="manager", organization=world["room3"])
    return {**world, "e10": e10, "e20": e20}


ROUND_FORM = {"name": "2025年度晋升", "reference_date": "2025-07-01", "deadline": "2025-07-31",
              "notice_days": "5", "effective_date": "2025-09-01", "doc_no": "青司〔2025〕8号"}
