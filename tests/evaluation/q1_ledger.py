"""A hand-counted first quarter of 2024 for the nomination and report tests.

Scope QD-02 (市南区) has rooms QD-02-01 and QD-02-02; QD-11-01 is outside it.

case mediator station    受理   结案   result  标的     协议     履行    days  type
1    ma      QD-02-01  01-05  01-15  成功    2000.00  1000.00  已履行   10   个人贷款
2    ma      QD-02-01  01-10  01-20  成功    2000.00  1000.00  已履行   10   信用卡
3    ma      QD-02-01  02-01  02-11  成功    3000.00  2000.00  未履行   10   信用卡
4    ma      QD-02-01  02-05  02-15  不成功  1000.00  -        -        10   信用卡
5    mb      QD-02-01  03-01  03-03  成功     800.00   500.00  已履行    2   信用卡
6    mb      QD-02-01  03-10  03-14  成功     600.00   500.00  -         4   信用卡
7    mc      QD-02-02  01-01  01-21  不成功  1000.00  -        -        20   保险理赔
8    mc      QD-02-02  03-20  -      调解中  1000.00  -        -         -   信用卡
9    md      QD-11-01  01-02  01-03  成功   10000.00 10000.00  已履行    1   信用卡  (outsider)
10   ma      QD-02-01  2023-12-01 2023-12-05 成功 9000.00 9000.00 已履行  (before the period)

Per mediator in QD-02 for 2024Q1:
ma: closed 4, success 3/4 = 0.75, agreed 4000.00, avg 10.0 days, fulfilment 2/3 = 0.6667
mb: closed 2, success 1.0, agreed 1000.00, avg 3.0 days, fulfilment 1/1 = 1.0
mc: closed 1, success 0, agreed 0.00, avg 20.0 days, fulfilment 0 (none recorded)
"""
from __future__ import annotations

import datetime as dt

import pytest

Q1 = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))


@pytest.fixture
def q1_ledger(network, make_mediator, make_case):
    d = dt.date
    room1, room2, room3 = network["room1"], network["room2"], network["room3"]
    ma = make_mediator(room1, staff_no="MA01", name="甲")
    mb = make_mediator(room1, staff_no="MB01", name="乙")
    mc = make_mediator(room2, staff_no="MC01", name="丙")
    md = make_mediator(room3, staff_no="MD01", name="丁")
    ok, no = "调解成功", "调解不成功"
    make_case(room1, ma, d(2024, 1, 5), d(2024, 1, 15), ok, "2000.00", "1000.00",
              fulfilment="已履行", dispute_type="个人贷款")
    make_case(room1, ma, d(2024, 1, 10), d(2024, 1, 20), ok, "2000.00", "1000.00",
              fulfilment="已履行")
    make_case(room1, ma, d(2024, 2, 1), d(2024, 2, 11), ok, "3000.00", "2000.00",
              fulfilment="未履行")
    make_case(room1, ma, d(2024, 2, 5), d(2024, 2, 15), no, "1000.00")
    make_case(room1, mb, d(2024, 3, 1), d(2024, 3, 3), ok, "800.00", "500.00",
              fulfilment="已履行")
    make_case(room1, mb, d(2024, 3, 10), d(2024, 3, 14), ok, "600.00", "500.00")
    make_case(room2, mc, d(2024, 1, 1), d(2024, 1, 21), no, "1000.00",
              dispute_type="保险理赔")
    make_case(room2, mc, d(2024, 3, 20), None, "调解中", "1000.00")
    make_case(room3, md, d(2024, 1, 2), d(2024, 1, 3), ok, "10000.00", "10000.00",
              fulfilment="已履行")
    make_case(room1, ma, d(2023, 12, 1), d(2023, 12, 5), ok, "9000.00", "9000.00",
              fulfilment="已履行")
    return {**network, "ma": ma, "mb": mb, "mc": mc, "md": md}
