"""The type × source rollups (evaluation.mix) equal the cases: by hand on a small ledger, for
random ranges against the direct GROUP BY, after random edits, moves and imports against a
rebuild (issue 17: the dashboard's and the report's splits no longer group the cases)."""
from __future__ import annotations

import datetime as dt
import random

from evaluation import rollups
from evaluation.breakdowns import UNFILLED, received_mix, received_mix_direct
from evaluation.imports import import_cases
from evaluation.models import Case, MixRollup
from evaluation.report import type_breakdown, type_breakdown_direct
from evaluation.services import delete_case, update_case
from network.services import move_org
from network.tabular import write_csv
from tests.migration_files import migration_module

from .test_imports import HEADERS
from .test_rollups import places, random_case_values  # noqa: F401

d = dt.date
TYPES = ["信用卡", "个人贷款", "保险理赔"]
SOURCES = ["法院委派", "当事人申请", None]


def mix_rows() -> dict:
    return {(o, str(m)[:10], t, s): n for o, m, t, s, n in
            MixRollup.select(MixRollup.organization, MixRollup.month, MixRollup.dispute_type,
                             MixRollup.source, MixRollup.received).tuples()}


def test_split_by_hand(network, make_mediator, make_case):
    """Six cases (受理, station, type, source):
    a 2024-01-20 QD-02-01 信用卡 法院委派      d 2024-02-29 QD-11-01 个人贷款 法院委派
    b 2024-02-05 QD-02-01 信用卡 (none)       e 2024-03-01 QD-02    信用卡 当事人申请
    c 2024-02-14 QD-02-02 个人贷款 法院委派    f 2024-03-16 QD-02-01 保险理赔 法院委派
    """
    people = {k: make_mediator(network[k]) for k in ("room1", "room2", "room3", "shinan")}
    for day, room, dispute_type, source in [
            (d(2024, 1, 20), "room1", "信用卡", "法院委派"), (d(2024, 2, 5), "room1", "信用卡", None),
            (d(2024, 2, 14), "room2", "个人贷款", "法院委派"),
            (d(2024, 2, 29), "room3", "个人贷款", "法院委派"),
            (d(2024, 3, 1), "shinan", "信用卡", "当事人申请"),
            (d(2024, 3, 16), "room1", "保险理赔", "法院委派")]:
        make_case(network[room], people[room], day, dispute_type=dispute_type, source=source)
    city, shinan = network["city"], network["shinan"]
    # 01-15 … 03-15: edges 01-15…01-31 (a) and 03-01…03-15 (e), February whole (b c d)
    assert received_mix(city, d(2024, 1, 15), d(2024, 3, 15)) == (
        {"信用卡": 3, "个人贷款": 2}, {"法院委派": 3, "当事人申请": 1, UNFILLED: 1})
    # QD-02, whole February and March: b c (rows) + e (its own case) + f (rows)
    assert received_mix(shinan, d(2024, 2, 1), d(2024, 3, 31)) == (
        {"信用卡": 2, "个人贷款": 1, "保险理赔": 1}, {"法院委派": 2, "当事人申请": 1, UNFILLED: 1})
    assert received_mix(network["room1"], d(2024, 1, 1), d(2024, 12, 31)) == (
        {"信用卡": 2, "保险理赔": 1}, {"法院委派": 2, UNFILLED: 1})
    for org in network.values():
        assert received_mix(org, d(2024, 1, 15), d(2024, 3, 15)) == received_mix_direct(
            org, d(2024, 1, 15), d(2024, 3, 15))
    # rows only above the rooms: QD-02 (a, b, c, f in 3 month×type×source rows + f) and QD
    rows = mix_rows()
    rooms = {network[k].id for k in ("room1", "room2", "room3")}
    assert not [k for k in rows if k[0] in rooms]
    assert rows[(shinan.id, "2024-02-01", "信用卡", "")] == 1
    assert rows[(city.id, "2024-02-01", "个人贷款", "法院委派")] == 2  # c and d
    assert (shinan.id, "2024-03-01", "信用卡", "当事人申请") not in rows  # e is QD-02's own
    assert rows[(city.id, "2024-03-01", "信用卡", "当事人申请")] == 1
    # the report's type sheet: QD's children QD-02 and QD-11, the whole quarter
    assert type_breakdown(city, d(2024, 1, 1), d(2024, 3, 31)) == {
        shinan.id: {"信用卡": 3, "个人贷款": 1, "保险理赔": 1},
        network["huangdao"].id: {"个人贷款": 1}}
    assert type_breakdown(shinan, d(2024, 1, 1), d(2024, 3, 31)) == {
        network["room1"].id: {"信用卡": 2, "保险理赔": 1}, network["room2"].id: {"个人贷款": 1},
        shinan.id: {"信用卡": 1}}


def _random_case(rng, places):  # noqa: F811
    values = random_case_values(rng, rng.choice(places))
    return {**values, "dispute_type": rng.choice(TYPES), "source": rng.choice(SOURCES)}


def test_random_ranges_equal_direct(network, places, make_case):  # noqa: F811
    rng = random.Random(17)
    for _ in range(90):
        make_case(**_random_case(rng, places))
    for _ in range(40):
        start = d(2022, 12, 1) + dt.timedelta(days=rng.randrange(800))
        end = start + dt.timedelta(days=rng.randrange(400))
        org = rng.choice(list(network.values()))
        assert received_mix(org, start, end) == received_mix_direct(org, start, end)
        assert type_breakdown(org, start, end) == type_breakdown_direct(org, start, end)


def test_incremental_equals_rebuild_after_edits_moves_and_imports(
        tmp_path, network, places, make_case, make_org):  # noqa: F811
    rng = random.Random(1717)
    cases = [make_case(**_random_case(rng, places)) for _ in range(30)]
    for step in range(60):
        action = rng.random()
        if action < 0.25:
            cases.append(make_case(**_random_case(rng, places)))
        elif action < 0.75:
            v = _random_case(rng, places)
            update_case(rng.choice(cases), {
                "station": v["station"], "mediator": v["mediator"], "received": v["received"],
                "closed": v["closed"], "result": v["result"], "amount_involved": v["amount"],
                "agreed_amount": v["agreed"], "method": v["method"],
                "judicial_confirmed": v["judicial"], "fulfilment": v["fulfilment"],
                "dispute_type": v["dispute_type"], "source": v["source"] or ""},
                actor="t", scope=None)
        elif action < 0.9:
            delete_case(cases.pop(rng.randrange(len(cases))), actor="t", scope=None)
        elif step % 2:
            move_org(network["room2"], rng.choice([network["shinan"], network["huangdao"]]),
                     actor="t", scope=None)
    # an import that changes the type and source of existing cases and adds new ones
    rows = []
    for case in Case.select().limit(5):
        rows.append([case.case_no, case.station.code, case.mediator.staff_no,
                     case.received.isoformat(), "", "理财产品", f"{case.amount_involved:.2f}",
                     "", "调解中", "线下", "投诉转办", "否", ""])
    station, mediator = places[0]
    rows.append(["NEW-1", station.code, mediator.staff_no, "2024-05-06", "", "其他", "10.00",
                 "", "调解中", "线上", "", "否", ""])
    path = tmp_path / "cases.csv"
    path.write_bytes(write_csv(HEADERS, rows))
    result = import_cases(path, actor="t", scope=None)
    assert result.ok, [str(e) for e in result.errors]
    incremental = mix_rows()
    assert incremental and all(n > 0 for n in incremental.values())  # no rows left at zero
    rollups.rebuild()
    assert mix_rows() == incremental
    city = network["city"]
    assert sum(n for k, n in incremental.items() if k[0] == city.id) == (
        Case.select().where(Case.station != city.id).count())


def test_migration_fills_rows_as_the_code_counts(network, places, make_case):  # noqa: F811
    from network.db import db

    rng = random.Random(18)
    for _ in range(60):
        make_case(**_random_case(rng, places))
    written = mix_rows()
    assert written
    migration = migration_module("018_mix_rollups.py")
    MixRollup.delete().execute()
    migration._fill(db.obj)
    assert mix_rows() == written


def test_the_planner_settings_of_the_mix_sums_are_set_back(network, places, make_case):  # noqa: F811
    """The mix sums switch PostgreSQL's sorts off for their one statement (mix._hashed_groups):
    the transaction's later statements plan with the settings it had, whatever they were."""
    from network.db import db, is_postgres

    make_case(**random_case_values(random.Random(3), places[0]))
    if not is_postgres():
        rollups.rebuild()  # nothing to switch on SQLite; the rebuild still runs
        return
    shown = ("SELECT current_setting('enable_sort'), "
             "current_setting('enable_incremental_sort')")
    with db.atomic():
        rollups.rebuild()
        assert db.execute_sql(shown).fetchone() == ("on", "on")
        db.execute_sql("SET LOCAL enable_incremental_sort = off")
        rollups.rebuild()
        assert db.execute_sql(shown).fetchone() == ("on", "off")
