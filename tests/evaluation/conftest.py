"""Case factories and the hand-counted ledger the KPI tests count against."""
from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def make_case(database):
    from evaluation.services import create_case

    counter = {"n": 0}

    def make(station, mediator, received, closed=None, result="调解中", amount="1000.00",
             agreed=None, method="线下", judicial="否", fulfilment=None, case_no=None,
             dispute_type="信用卡", source="当事人申请"):
        counter["n"] += 1
        return create_case({
            "case_no": case_no or f"C{counter['n']:05d}", "station": station,
            "mediator": mediator, "received": received, "closed": closed,
            "dispute_type": dispute_type, "amount_involved": amount, "agreed_amount": agreed,
            "result": result, "method": method, "source": source,
            "judicial_confirmed": judicial, "fulfilment": fulfilment,
        }, actor="test", scope=None)

    return make


@pytest.fixture
def ledger(network, make_mediator, make_case):
    """Seven cases of Q1 2024 (days = 结案日期 − 受理日期):

    case  station    受理     结案     result  method  标的      协议     确认 履行    days
    A     QD-02-01   01-10   01-20   成功    线上    10000.00  8000.00  是   已履行   10
    B     QD-02-01   01-15   02-05   不成功  线下     5000.50  -        否   -        21
    C     QD-02-02   01-31   02-01   撤回    线下     2000.00  -        否   -         1
    D     QD-02-02   02-10   -       调解中  线下     3000.00  -        否   -         -
    E     QD-11-01   02-03   03-04   成功    线下     1000.25  1000.25  否   -        30
    F     QD-02-01   02-20   02-25   成功    线上      600.00   500.00  是   部分履行  5
    G     QD-02      03-10   03-12   成功    线下      100.00    50.00  否   未履行    2
    """
    d = dt.date
    m1 = make_mediator(network["room1"])
    m2 = make_mediator(network["room2"])
    m3 = make_mediator(network["room3"])
    m4 = make_mediator(network["shinan"])
    cases = {
        "A": make_case(network["room1"], m1, d(2024, 1, 10), d(2024, 1, 20), "调解成功",
                       "10000.00", "8000.00", "线上", "是", "已履行"),
        "B": make_case(network["room1"], m1, d(2024, 1, 15), d(2024, 2, 5), "调解不成功",
                       "5000.50"),
        "C": make_case(network["room2"], m2, d(2024, 1, 31), d(2024, 2, 1), "撤回", "2000.00"),
        "D": make_case(network["room2"], m2, d(2024, 2, 10), None, "调解中", "3000.00"),
        "E": make_case(network["room3"], m3, d(2024, 2, 3), d(2024, 3, 4), "调解成功",
                       "1000.25", "1000.25"),
        "F": make_case(network["room1"], m1, d(2024, 2, 20), d(2024, 2, 25), "调解成功",
                       "600.00", "500.00", "线上", "是", "部分履行"),
        "G": make_case(network["shinan"], m4, d(2024, 3, 10), d(2024, 3, 12), "调解成功",
                       "100.00", "50.00", "线下", "否", "未履行"),
    }
    return {**network, "cases": cases, "mediators": [m1, m2, m3, m4]}
