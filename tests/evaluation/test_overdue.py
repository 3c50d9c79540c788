"""The open-case rows (evaluation.overdue, `OpenRollup`) behind the "案件久调未结" counts: by
hand on a small ledger, equal to the direct query over the cases for every unit and many
days, and incremental == rebuild == direct after random edits, closings, deletions, moves,
imports, `stats rebuild` and the migration's fill (issue 17: the home page of a province no
longer counts its open cases)."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from evaluation import overdue, rollups
from evaluation.imports import import_cases
from evaluation.kpis import in_org
from evaluation.models import OPEN, Case, OpenRollup
from evaluation.services import delete_case, update_case
from network.services import move_org
from network.tabular import write_csv
from tests.migration_files import migration_module

from .test_imports import HEADERS
from .test_rollups import places, random_case_values  # noqa: F401

d = dt.date
AS_OF = d(2024, 7, 15)  # with warn.open_days = 60 the cut-off is 2024-05-16


def set_open_days(days: int) -> None:
    from network.settings import update_settings

    update_settings({"warn.open_days": days}, actor="admin")


def direct(scope, cut: dt.date) -> int:
    """Open cases received before `cut` under `scope`, counted from the cases."""
    where = (Case.result == OPEN) & (Case.received < cut)
    if scope is not None:
        where &= in_org(scope)
    return Case.select().where(where).count()


@pytest.fixture
def hand_ledger(network, make_mediator, make_case):
    """case  unit       受理        result   overdue on 2024-07-15 (60 days: before 05-16)
    A     QD-02-01   2024-03-10  调解中    yes (a whole month before the cut-off's)
    B     QD-02-01   2024-05-15  调解中    yes (the cut-off's month, the day before it)
    C     QD-02-01   2024-05-16  调解中    no  (the cut-off day itself: 60 days old)
    D     QD-02-02   2024-04-30  调解中    yes
    E     QD-02-02   2024-02-01  调解成功  no  (concluded)
    F     QD-02      2024-01-05  调解中    yes (the county's own case)
    G     QD-11-01   2024-05-01  调解中    yes
    H     QD-11-01   2024-06-20  调解中    no
    """
    people = {k: make_mediator(network[k]) for k in ("room1", "room2", "room3", "shinan")}
    made = {}
    for name, unit, day, closed, result in [
            ("A", "room1", d(2024, 3, 10), None, "调解中"),
            ("B", "room1", d(2024, 5, 15), None, "调解中"),
            ("C", "room1", d(2024, 5, 16), None, "调解中"),
            ("D", "room2", d(2024, 4, 30), None, "调解中"),
            ("E", "room2", d(2024, 2, 1), d(2024, 2, 9), "调解成功"),
            ("F", "shinan", d(2024, 1, 5), None, "调解中"),
            ("G", "room3", d(2024, 5, 1), None, "调解中"),
            ("H", "room3", d(2024, 6, 20), None, "调解中")]:
        made[name] = make_case(network[unit], people[unit], day, closed, result,
                               case_no=f"OPEN-{name}")
    set_open_days(60)
    return {**network, "cases": made}


def test_rows_and_counts_by_hand(hand_ledger):
    from evaluation.warnings import (
        acknowledge,
        current_warnings,
        open_count,
        overdue_by_station,
        overdue_counts,
    )

    n = hand_ledger
    rows = overdue.stored_rows()
    # (subtree, own): room1 holds A in March, B and C in May; QD-02 its own F in January
    assert rows[(n["room1"].id, d(2024, 3, 1))] == (1, 1)
    assert rows[(n["room1"].id, d(2024, 5, 1))] == (2, 2)
    assert rows[(n["shinan"].id, d(2024, 1, 1))] == (1, 1)
    assert rows[(n["shinan"].id, d(2024, 5, 1))] == (2, 0)
    assert rows[(n["city"].id, d(2024, 5, 1))] == (3, 0)  # B, C, G
    assert (n["room2"].id, d(2024, 2, 1)) not in rows  # E is concluded
    assert sum(s for (org, _), (s, _) in rows.items() if org == n["city"].id) == 7
    # A B D F G overdue; C is exactly 60 days old, H too young
    assert overdue_counts(None, AS_OF) == (5, 5)
    assert overdue_counts(n["shinan"], AS_OF) == (4, 4)
    assert overdue_counts(n["huangdao"], AS_OF) == (1, 1)
    assert overdue_counts(n["room1"], AS_OF) == (2, 2)
    total, page = overdue_by_station(None, AS_OF)
    assert total == 4
    assert [(o.code, k, u) for o, k, u in page] == [
        ("QD-02", 1, 1), ("QD-02-01", 2, 2), ("QD-02-02", 1, 1), ("QD-11-01", 1, 1)]
    # acknowledged: B (the cut-off's month) and D (a whole month); C is not a warning yet
    for key in ("open_case:OPEN-B", "open_case:OPEN-D"):
        acknowledge(key, "已督办", actor="m", scope=None, as_of=AS_OF)
    assert overdue_counts(None, AS_OF) == (5, 3)
    assert overdue_counts(n["shinan"], AS_OF) == (4, 2)
    assert overdue_counts(n["huangdao"], AS_OF) == (1, 1)  # QD-02's acks are not its own
    total, page = overdue_by_station(n["shinan"], AS_OF, page=0, per_page=2)
    assert total == 3
    assert [(o.code, k, u) for o, k, u in page] == [("QD-02", 1, 1), ("QD-02-01", 2, 1)]
    assert [(o.code, k, u) for o, k, u in overdue_by_station(
        n["shinan"], AS_OF, page=1, per_page=2)[1]] == [("QD-02-02", 1, 0)]
    # a manager of QD-11 sees only G
    assert [o.code for o, _, _ in overdue_by_station(n["huangdao"], AS_OF)[1]] == ["QD-11-01"]
    # ten days later C (05-16) is overdue too and H (06-20) still not
    assert overdue_counts(None, AS_OF + dt.timedelta(days=10)) == (6, 4)
    for scope in (None, n["shinan"], n["huangdao"], n["room1"]):
        assert open_count(scope, AS_OF) == sum(
            1 for w in current_warnings(scope, AS_OF) if w.ack is None)


def test_counts_equal_direct_for_every_unit_and_day(network, places, make_case):  # noqa: F811
    rng = random.Random(23)
    for _ in range(120):
        make_case(**random_case_values(rng, rng.choice(places)))
    assert overdue.stored_rows() == overdue.rows_direct()
    for days in (1, 30, 61, 200):
        set_open_days(days)
        for _ in range(8):
            as_of = d(2023, 1, 1) + dt.timedelta(days=rng.randrange(800))
            cut = as_of - dt.timedelta(days=days)
            for scope in [None, *network.values()]:
                from evaluation.warnings import overdue_by_station, overdue_counts

                assert overdue_counts(scope, as_of)[0] == direct(scope, cut), (scope, as_of)
                stations, rows = overdue_by_station(scope, as_of, per_page=10)
                assert sum(k for _, k, _ in rows) == direct(scope, cut)
                assert stations == len(rows)


def _edit(case, values, rng):
    update_case(case, {
        "station": values["station"], "mediator": values["mediator"],
        "received": values["received"], "closed": values["closed"], "result": values["result"],
        "amount_involved": values["amount"], "agreed_amount": values["agreed"],
        "method": values["method"], "judicial_confirmed": values["judicial"],
        "fulfilment": values["fulfilment"], "dispute_type": "信用卡", "source": ""},
        actor="t", scope=None)


def test_incremental_equals_rebuild_and_direct(tmp_path, runner, network, places,  # noqa: F811
                                               make_case):
    rng = random.Random(2317)
    cases = [make_case(**random_case_values(rng, rng.choice(places))) for _ in range(30)]
    for step in range(70):
        action = rng.random()
        if action < 0.25:
            cases.append(make_case(**random_case_values(rng, rng.choice(places))))
        elif action < 0.7:  # includes closing open cases and reopening closed ones
            _edit(rng.choice(cases), random_case_values(rng, rng.choice(places)), rng)
        elif action < 0.85:
            delete_case(cases.pop(rng.randrange(len(cases))), actor="t", scope=None)
        elif step % 2:
            move_org(network["room2"], rng.choice([network["shinan"], network["huangdao"]]),
                     actor="t", scope=None)
    assert overdue.stored_rows() == overdue.rows_direct()
    # a room holding open cases moves to the other county and back halfway
    room2, mediator = network["room2"], places[4][1]
    for day in (d(2023, 5, 2), d(2024, 2, 9)):
        make_case(room2, mediator, day)
    for county in ("huangdao", "shinan", "huangdao"):
        room2 = move_org(room2, network[county], actor="t", scope=None)
        assert overdue.stored_rows() == overdue.rows_direct(), county
    # an import that closes open cases, reopens closed ones and adds open ones
    rows = []
    for case in Case.select().order_by(Case.id).limit(6):
        reopen = case.result != OPEN
        rows.append([case.case_no, case.station.code, case.mediator.staff_no,
                     case.received.isoformat(), "" if reopen else
                     (case.received + dt.timedelta(days=3)).isoformat(), "信用卡",
                     f"{case.amount_involved:.2f}", "", "调解中" if reopen else "撤回", "线下",
                     "", "否", ""])
    station, mediator = places[0]
    for i in range(3):
        rows.append([f"NEW-{i}", station.code, mediator.staff_no, f"2024-0{i + 3}-06", "",
                     "其他", "10.00", "", "调解中", "线上", "", "否", ""])
    path = tmp_path / "cases.csv"
    path.write_bytes(write_csv(HEADERS, rows))
    result = import_cases(path, actor="t", scope=None)
    assert result.ok and result.created == 3 and result.updated == 6, [
        str(e) for e in result.errors]
    incremental = overdue.stored_rows()
    assert incremental == overdue.rows_direct()
    assert all(s > 0 and 0 <= own <= s for s, own in incremental.values())  # none left at 0
    rollups.rebuild()
    assert overdue.stored_rows() == incremental
    OpenRollup.delete().execute()
    done = runner.invoke(args=["stats", "rebuild"])
    assert done.exit_code == 0, done.output
    assert overdue.stored_rows() == incremental


def test_migration_fills_rows_as_the_code_counts(network, places, make_case):  # noqa: F811
    from network.db import db

    rng = random.Random(24)
    for _ in range(60):
        make_case(**random_case_values(rng, rng.choice(places)))
    written = overdue.stored_rows()
    assert written
    migration = migration_module("023_open_rollups.py")
    OpenRollup.delete().execute()
    migration._fill(db.obj)
    assert overdue.stored_rows() == written
