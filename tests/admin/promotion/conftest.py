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
