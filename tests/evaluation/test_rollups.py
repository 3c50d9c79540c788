"""Rollups equal the cases: random ranges, random edit sequences, moves in the tree."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from evaluation import rollups
from evaluation.kpis import (
    Figures,
    kpis,
    kpis_direct,
    own_figures,
    own_figures_direct,
    plan_years,
)
from evaluation.models import Case, DayRollup, MediatorRollup, Rollup
from evaluation.services import delete_case, update_case
from network.services import move_org
from tests.migration_files import migration_module

from .q1_ledger import q1_ledger  # noqa: F401

d = dt.date
RESULTS = ["调解成功", "调解不成功", "撤回", "调解中"]


def random_case_values(rng: random.Random, place) -> dict:
    """A valid random case for (station, mediator) `place`, in 2023–2024."""
    station, mediator = place
    received = d(2023, 1, 1) + dt.timedelta(days=rng.randrange(700))
    result = rng.choice(RESULTS)
    closed = None if result == "调解中" else received + dt.timedelta(days=rng.randrange(60))
    amount = Decimal(rng.randrange(0, 5_000_000)) / 100
    agreed = (amount * Decimal(rng.randrange(0, 101)) / 100).quantize(Decimal("0.01"))
    return {"station": station, "mediator": mediator, "received": received, "closed": closed,
            "result": result, "amount": str(amount), "agreed": str(agreed),
            "method": rng.choice(["线上", "线下"]), "judicial": rng.choice(["是", "否"]),
            "fulfilment": rng.choice([None, "已履行", "部分履行", "未履行"])}


@pytest.fixture
def places(network, make_mediator):
    """One mediator at each of the six units (cases may sit at any level)."""
    return [(org, make_mediator(org)) for org in network.values()]


def seed_cases(rng, places, make_case, n):
    return [make_case(**random_case_values(rng, rng.choice(places))) for _ in range(n)]


def test_rollup_figures_equal_direct_figures_for_random_ranges(network, places, make_case):
    rng = random.Random(20240401)
    seed_cases(rng, places, make_case, 120)
    for _ in range(60):
        start = d(2022, 12, 1) + dt.timedelta(days=rng.randrange(800))
        end = start + dt.timedelta(days=rng.randrange(400))
        org = rng.choice(list(network.values()))
        assert kpis(org, start, end) == kpis_direct(org, start, end), (org.code, start, end)
    # The whole period, by hand: every case received in 2023–2024 counts once at the city.
    assert kpis(network["city"], d(2023, 1, 1), d(2024, 12, 31))["received"] == 120


def test_per_mediator_figures_equal_direct_figures_for_random_ranges(network, places,
                                                                      make_case):
    """The nominations' figures (per mediator, per unit's own cases) from the per-mediator
    rollup rows and the edge days equal those counted from the cases alone."""
    rng = random.Random(20241205)
    seed_cases(rng, places, make_case, 120)
    periods = [(d(2023, 1, 1), d(2023, 12, 31)), (d(2024, 4, 1), d(2024, 6, 30)),
               (d(2023, 1, 1), d(2024, 12, 31))]
    for _ in range(40):
        start = d(2022, 12, 1) + dt.timedelta(days=rng.randrange(800))
        periods.append((start, start + dt.timedelta(days=rng.randrange(800))))
    for start, end in periods:
        org = rng.choice(list(network.values()))
        for group in ("mediator", "station"):
            assert own_figures(org, start, end, group) == own_figures_direct(
                org, start, end, group), (org.code, start, end, group)
    # By hand: over 2023–2024 every case counts once at its own mediator and station.
    everyone = own_figures(network["city"], d(2023, 1, 1), d(2024, 12, 31), "mediator")
    assert sum(fig["received"] for fig in everyone.values()) == 120
    assert set(everyone) == {m.id for _, m in places if m.cases.count()}


def test_plan_years_by_hand():
    # a year: its row; a quarter: its days; most of a year: the row less the days outside
    assert plan_years(d(2025, 1, 1), d(2025, 12, 31)) == ([2025], [], [])
    assert plan_years(d(2025, 4, 1), d(2025, 6, 30)) == ([], [(d(2025, 4, 1),
                                                              d(2025, 6, 30))], [])
    assert plan_years(d(2024, 11, 16), d(2025, 12, 15)) == (
        [2025], [(d(2024, 11, 16), d(2024, 12, 31))], [(d(2025, 12, 16), d(2025, 12, 31))])


def test_migration_fills_per_mediator_rows_as_the_code_counts(network, places, make_case):
    """027 fills the per-mediator rows of an existing ledger as the code keeps them."""
    from network.db import db

    seed_cases(random.Random(27), places, make_case, 60)
    written = rollups.mediator_rows()
    assert sum(fig["received"] for fig in written.values()) == 60
    migration = migration_module("027_mediator_rollups.py")
    MediatorRollup.delete().execute()
    migration._fill(db.obj)
    assert rollups.mediator_rows() == written


def test_incremental_equals_rebuild_after_random_edits(network, places, make_case):
    rng = random.Random(7)
    cases = seed_cases(rng, places, make_case, 40)
    for _ in range(80):
        action = rng.random()
        if action < 0.3 or not cases:
            cases.append(make_case(**random_case_values(rng, rng.choice(places))))
        elif action < 0.8:
            case = rng.choice(cases)
            v = random_case_values(rng, rng.choice(places))
            update_case(case, {"station": v["station"], "mediator": v["mediator"],
                               "received": v["received"], "closed": v["closed"],
                               "result": v["result"], "amount_involved": v["amount"],
                               "agreed_amount": v["agreed"], "method": v["method"],
                               "judicial_confirmed": v["judicial"],
                               "fulfilment": v["fulfilment"]}, actor="t", scope=None)
        else:
            case = cases.pop(rng.randrange(len(cases)))
            delete_case(case, actor="t", scope=None)
    incremental = rollups.state()
    months, days, mediators = incremental
    assert months and days and mediators, "the edits should leave figures"
    rollups.rebuild()
    assert rollups.state() == incremental
    # No rows left at zero by the deltas either.
    assert Rollup.select().count() == len(months)
    assert DayRollup.select().count() == len(days)
    assert MediatorRollup.select().count() == len(mediators)
    # Each live case counts once in its 受理 month at its own station and mediator.
    assert sum(fig["received"] for fig in mediators.values()) == Case.select().count()
    assert {(s, m) for s, m, _ in mediators} == set(
        Case.select(Case.station, Case.mediator).tuples())
    # The city row of every month counts each live case once in its 受理 month; its day rows
    # count the cases registered below it, not at the city itself.
    city = network["city"].id
    assert sum(fig["received"] for (org, _), fig in months.items()
               if org == city) == Case.select().count()
    assert sum(fig["received"] for (org, _), fig in days.items()
               if org == city) == Case.select().where(Case.station != city).count()
    # Rooms are leaves: no day rows.
    rooms = {network[name].id for name in ("room1", "room2", "room3")}
    assert not [key for key in days if key[0] in rooms]


def test_day_rows_by_hand(q1_ledger):  # noqa: F811
    """q1_ledger: case 1 (QD-02-01, 受理 01-05, 结案 01-15, success 2000.00/1000.00, 已履行) and
    case 9 (QD-11-01, 01-02 / 01-03, success 10000.00/10000.00, 已履行)."""
    days = rollups.nonzero_rows(DayRollup)
    shinan, city = q1_ledger["shinan"].id, q1_ledger["city"].id
    assert days[(shinan, d(2024, 1, 5))] == Figures({"received": 1})
    assert days[(shinan, d(2024, 1, 15))] == Figures({
        "closed": 1, "succeeded": 1, "fulfilled": 1, "fulfilment_recorded": 1,
        "days_sum": 10, "amount_involved_cents": 200000, "agreed_amount_cents": 100000})
    assert days[(city, d(2024, 1, 2))] == Figures({"received": 1})
    assert (shinan, d(2024, 1, 2)) not in days
    # 01-15 at the city: case 1 only (case 9 closed on 01-03)
    assert days[(city, d(2024, 1, 15))] == days[(shinan, d(2024, 1, 15))]
    room1 = q1_ledger["room1"].id
    assert not [key for key in days if key[0] == room1]


def test_migration_fills_day_rows_as_the_code_counts(network, places, make_case):
    """An existing ledger upgraded by migration 009 holds the day rows the code writes."""
    from network.db import db

    seed_cases(random.Random(9), places, make_case, 150)
    written = rollups.nonzero_rows(DayRollup)
    assert written
    migration = migration_module("009_day_rollups.py")
    DayRollup.delete().execute()
    migration._fill(db.obj)
    assert rollups.nonzero_rows(DayRollup) == written


def test_rebuild_restores_lost_rollups(ledger):
    before = rollups.state()
    Rollup.delete().execute()
    assert kpis(ledger["city"], d(2024, 1, 1), d(2024, 3, 31))["received"] == 0
    rollups.rebuild()
    assert rollups.state() == before
    assert kpis(ledger["city"], d(2024, 1, 1), d(2024, 3, 31))["received"] == 7


Q1 = (d(2024, 1, 1), d(2024, 3, 31))


def received_closed(org) -> tuple[int, int]:
    figures = kpis(org, *Q1)
    assert figures == kpis_direct(org, *Q1)
    return figures["received"], figures["closed"]


def test_room_moves_to_other_county(ledger):
    # Before: QD-02 has A B C D F G (6 received, 5 closed), QD-11 has E (1, 1).
    assert received_closed(ledger["shinan"]) == (6, 5)
    move_org(ledger["room2"], ledger["huangdao"], actor="t", scope=None)
    # Room QD-02-02 takes C (closed, withdrawn) and D (open) from QD-02 to QD-11.
    assert received_closed(ledger["shinan"]) == (4, 4)
    assert received_closed(ledger["huangdao"]) == (3, 2)
    assert received_closed(ledger["city"]) == (7, 6)
    assert kpis(ledger["huangdao"], *Q1)["withdrawn"] == 1
    incremental = rollups.state()
    rollups.rebuild()
    assert rollups.state() == incremental


def test_county_moves_to_other_city(ledger, make_org):
    yantai = make_org("YT", name="烟台市中心")
    move_org(ledger["shinan"], yantai, actor="t", scope=None)
    # QD keeps only E (QD-11); YT gains the six cases of QD-02 and its rooms.
    assert received_closed(ledger["city"]) == (1, 1)
    assert received_closed(yantai) == (6, 5)
    assert received_closed(ledger["shinan"]) == (6, 5)
    assert kpis(yantai, *Q1)["amount_involved"] == Decimal("17700.50")
    incremental = rollups.state()
    rollups.rebuild()
    assert rollups.state() == incremental


def test_move_rolled_back_leaves_rollups_unchanged(ledger, monkeypatch):
    from network import audit

    before = rollups.state()

    def fail(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        move_org(ledger["room2"], ledger["huangdao"], actor="t", scope=None)
    assert rollups.state() == before


def test_edit_and_delete_with_case_loaded_before_a_move(ledger):
    # Case objects fetched (with their station) before the room moves still hit the right rows.
    c = Case.select(Case, Case.station).where(Case.case_no == ledger["cases"]["C"].case_no).get()
    d_case = ledger["cases"]["D"]
    assert c.station.path == ledger["room2"].path
    move_org(ledger["room2"], ledger["huangdao"], actor="t", scope=None)
    update_case(c, {"result": "调解成功", "agreed_amount": "100.00"}, actor="t", scope=None)
    delete_case(d_case, actor="t", scope=None)
    # QD-11 now: E, and C from the moved room (now a success); D is gone.
    assert received_closed(ledger["huangdao"]) == (2, 2)
    assert kpis(ledger["huangdao"], *Q1)["succeeded"] == 2
    incremental = rollups.state()
    rollups.rebuild()
    assert rollups.state() == incremental
