"""KPI definitions counted by hand on the `ledger` fixture (see its table in conftest.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evaluation.kpis import (
    KPI_KEYS,
    RangePlan,
    children_kpis,
    kpis,
    kpis_direct,
    monthly_kpis,
    plan_range,
)

d = dt.date


def expected(received=0, closed=0, succeeded=0, failed=0, withdrawn=0, success_rate="0.0000",
             amount_involved="0.00", agreed_amount="0.00", avg_days="0.0", online=0,
             judicial_confirmed=0, fulfilment_rate="0.0000") -> dict:
    return {"received": received, "closed": closed, "succeeded": succeeded, "failed": failed,
            "withdrawn": withdrawn, "success_rate": Decimal(success_rate),
            "amount_involved": Decimal(amount_involved), "agreed_amount": Decimal(agreed_amount),
            "avg_days": Decimal(avg_days), "online": online,
            "judicial_confirmed": judicial_confirmed, "fulfilment_rate": Decimal(fulfilment_rate)}


def both(org, start, end) -> dict:
    """Rollup-based and direct figures must agree; return them."""
    fast, direct = kpis(org, start, end), kpis_direct(org, start, end)
    assert fast == direct
    assert tuple(fast) == KPI_KEYS
    return fast


def test_city_first_quarter(ledger):
    # received: all seven. closed in Q1: A B C E F G (D is open). succeeded A E F G,
    # failed B, withdrawn C. 标的 10000+5000.50+2000+1000.25+600+100 = 18700.75;
    # 协议 over succeeded 8000+1000.25+500+50 = 9550.25; days (10+21+1+30+5+2)/6 = 11.5;
    # online A F; confirmed A F; 履行 recorded on A F G (E none), fulfilled A: 1/3.
    assert both(ledger["city"], d(2024, 1, 1), d(2024, 3, 31)) == expected(
        7, 6, 4, 1, 1, "0.6667", "18700.75", "9550.25", "11.5", 2, 2, "0.3333")


def test_county_january_counts_b_received_but_not_closed(ledger):
    # QD-02 in January: received A B C; only A closed in January (B closes 02-05, C 02-01).
    assert both(ledger["shinan"], d(2024, 1, 1), d(2024, 1, 31)) == expected(
        3, 1, 1, 0, 0, "1.0000", "10000.00", "8000.00", "10.0", 1, 1, "1.0000")


def test_range_cutting_months(ledger):
    # QD-02, 01-16 … 02-24: received C (01-31), D (02-10), F (02-20) — A and B fall before.
    # closed A (01-20, success, received before the range), B (02-05, failed) and
    # C (02-01, withdrawn); F closes 02-25, outside. 标的 10000 + 5000.50 + 2000.00;
    # 协议 8000.00 (A); days (10 + 21 + 1) / 3 = 10.67 → 10.7; online and confirmed: A;
    # 履行 recorded on A (已履行): 1/1.
    assert both(ledger["shinan"], d(2024, 1, 16), d(2024, 2, 24)) == expected(
        3, 3, 1, 1, 1, "0.3333", "17000.50", "8000.00", "10.7", 1, 1, "1.0000")


def test_success_without_fulfilment_recorded(ledger):
    # QD-11, Feb–Mar: E received 02-03 and closed 03-04 as a success with no 履行情况:
    # it counts as succeeded but not in the fulfilment denominator (rate 0, not 1).
    assert both(ledger["huangdao"], d(2024, 2, 1), d(2024, 3, 31)) == expected(
        1, 1, 1, 0, 0, "1.0000", "1000.25", "1000.25", "30.0", 0, 0, "0.0000")


def test_open_case_counts_only_as_received(ledger):
    # Room QD-02-02 in February: D received 02-10 and still open; C closes 02-01 (withdrawn).
    assert both(ledger["room2"], d(2024, 2, 1), d(2024, 2, 29)) == expected(
        1, 1, 0, 0, 1, "0.0000", "2000.00", "0.00", "1.0", 0, 0, "0.0000")


def test_empty_ranges(ledger):
    assert both(ledger["city"], d(2023, 1, 1), d(2023, 12, 31)) == expected()
    assert both(ledger["room3"], d(2024, 1, 1), d(2024, 1, 31)) == expected()
    # One day, 02-01: nothing received; C closed (withdrawn, 1 day, 2000.00).
    assert both(ledger["city"], d(2024, 2, 1), d(2024, 2, 1)) == expected(
        0, 1, 0, 0, 1, "0.0000", "2000.00", "0.00", "1.0")


def test_children_of_city(ledger):
    rows = children_kpis(ledger["city"], d(2024, 1, 1), d(2024, 3, 31))
    assert [org.code for org, _ in rows] == ["QD-02", "QD-11"]
    # QD-02: received A B C D F G; closed A B C F G; succeeded A F G;
    # 标的 10000+5000.50+2000+600+100 = 17700.50; 协议 8000+500+50 = 8550.00;
    # days (10+21+1+5+2)/5 = 7.8; 履行 recorded A F G, fulfilled A.
    assert rows[0][1] == expected(6, 5, 3, 1, 1, "0.6000", "17700.50", "8550.00", "7.8", 2, 2,
                                  "0.3333")
    assert rows[1][1] == expected(1, 1, 1, 0, 0, "1.0000", "1000.25", "1000.25", "30.0")


def test_children_with_range_cutting_months(ledger):
    # 01-16 … 02-24 for QD-02's rooms (G at QD-02 itself belongs to no child).
    rows = children_kpis(ledger["shinan"], d(2024, 1, 16), d(2024, 2, 24))
    assert [org.code for org, _ in rows] == ["QD-02-01", "QD-02-02"]
    # room1: received F (02-20); closed A (01-20) and B (02-05): days (10 + 21) / 2.
    assert rows[0][1] == expected(1, 2, 1, 1, 0, "0.5000", "15000.50", "8000.00", "15.5", 1, 1,
                                  "1.0000")
    # room2: received C, D; closed C.
    assert rows[1][1] == expected(2, 1, 0, 0, 1, "0.0000", "2000.00", "0.00", "1.0")


def test_monthly_series_clipped_to_range(ledger):
    rows = monthly_kpis(ledger["city"], d(2024, 1, 15), d(2024, 3, 10))
    assert [(a, b) for a, b, _ in rows] == [(d(2024, 1, 15), d(2024, 1, 31)),
                                            (d(2024, 2, 1), d(2024, 2, 29)),
                                            (d(2024, 3, 1), d(2024, 3, 10))]
    # January from the 15th: received B, C; closed A.
    assert rows[0][2] == expected(2, 1, 1, 0, 0, "1.0000", "10000.00", "8000.00", "10.0", 1, 1,
                                  "1.0000")
    # February (whole month, from rollups): received D E F; closed B C F.
    assert rows[1][2] == expected(3, 3, 1, 1, 1, "0.3333", "7600.50", "500.00", "9.0", 1, 1,
                                  "0.0000")
    # March to the 10th: received G; closed E (03-04); G closes 03-12.
    assert rows[2][2] == expected(1, 1, 1, 0, 0, "1.0000", "1000.25", "1000.25", "30.0")
    for start, end, figures in rows:
        assert figures == kpis_direct(ledger["city"], start, end)


def test_query_counts_do_not_grow_with_the_network(ledger):
    from playhouse.test_utils import count_queries

    # Whole months: one query over the unit's own rollup rows.
    with count_queries() as whole:
        kpis(ledger["city"], d(2024, 1, 1), d(2024, 3, 31))
    assert whole.count == 1
    # Cut months: for the edge days added (03-01 … 03-10) and for those taken from January's
    # rollup (01-01 … 01-15), one query over the descendants' day rollups and one each for
    # the unit's own received and closed cases.
    with count_queries() as cut:
        kpis(ledger["city"], d(2024, 1, 16), d(2024, 3, 10))
    assert cut.count == 7
    with count_queries() as one_edge:
        kpis(ledger["city"], d(2024, 1, 1), d(2024, 3, 10))
    assert one_edge.count == 4
    # Children: children list, their rollups, then the same 3 + 3 for all of them at once.
    with count_queries() as children:
        children_kpis(ledger["city"], d(2024, 1, 16), d(2024, 3, 10))
    assert children.count == 8
    with count_queries() as monthly:
        monthly_kpis(ledger["city"], d(2024, 1, 16), d(2024, 3, 10))
    assert monthly.count == 7


def test_edge_days_read_only_the_units_own_cases(ledger):
    """A city's edge days come from its descendants' day rollups: the case table is asked
    only for cases registered at the city itself, whatever the size of its subtree."""
    from playhouse.test_utils import count_queries

    with count_queries() as cut:
        kpis(ledger["city"], d(2024, 1, 16), d(2024, 3, 10))
    case_queries = [q.msg[0] for q in cut.get_queries() if '"mediation_case"' in q.msg[0]]
    assert len(case_queries) == 4
    city = ledger["city"].id
    for q in cut.get_queries():
        if '"mediation_case"' in q.msg[0]:
            # the one station condition: the city's own id (? or %s: the backend's mark)
            assert q.msg[1][-1] == city
            assert q.msg[0].rsplit(" AND ", 1)[1] in ('("t1"."station_id" = ?))',
                                                      '("t1"."station_id" = %s))')


def test_a_mostly_covered_month_is_its_rollup_minus_the_days_outside():
    # A rolling year to 2026-12-01: December 2025 lacks one day, December 2026 has one.
    assert plan_range(d(2025, 12, 2), d(2026, 12, 1)) == RangePlan(
        (d(2025, 12, 1), d(2026, 11, 1)), [(d(2026, 12, 1), d(2026, 12, 1))],
        [(d(2025, 12, 1), d(2025, 12, 1))])
    # 16 of January's 31 days are in (15 out): January's rollup minus 01-01 … 01-15;
    # 15 of December's are in (16 out): those 15 days from the cases.
    assert plan_range(d(2023, 1, 16), d(2025, 12, 15)) == RangePlan(
        (d(2023, 1, 1), d(2025, 11, 1)), [(d(2025, 12, 1), d(2025, 12, 15))],
        [(d(2023, 1, 1), d(2023, 1, 15))])
    # Inside one month: the month minus both ends, or the few days themselves.
    assert plan_range(d(2024, 3, 2), d(2024, 3, 30)) == RangePlan(
        (d(2024, 3, 1), d(2024, 3, 1)), [],
        [(d(2024, 3, 1), d(2024, 3, 1)), (d(2024, 3, 31), d(2024, 3, 31))])
    assert plan_range(d(2024, 3, 10), d(2024, 3, 12)) == RangePlan(
        None, [(d(2024, 3, 10), d(2024, 3, 12))], [])
    assert plan_range(d(2024, 1, 1), d(2024, 12, 31)) == RangePlan(
        (d(2024, 1, 1), d(2024, 12, 1)), [], [])


def test_children_and_months_agree_with_the_cases_when_days_are_taken_away(ledger):
    """Ranges whose edge months are counted as rollup minus the days outside."""
    for start, end in [(d(2024, 1, 2), d(2024, 3, 30)), (d(2024, 1, 3), d(2024, 2, 27)),
                       (d(2024, 2, 2), d(2024, 2, 28)), (d(2024, 1, 21), d(2024, 3, 4))]:
        for org, figures in children_kpis(ledger["city"], start, end):
            assert figures == kpis_direct(org, start, end), (org.code, start, end)
        for first, last, figures in monthly_kpis(ledger["city"], start, end):
            assert figures == kpis_direct(ledger["city"], first, last), (first, last)
        both(ledger["shinan"], start, end)
    # By hand, February without its first and last days (02-02 … 02-28) at the city:
    # received E (02-03), D (02-10), F (02-20); closed B (02-05), F (02-25); not C (02-01).
    feb = both(ledger["city"], d(2024, 2, 2), d(2024, 2, 28))
    assert (feb["received"], feb["closed"]) == (3, 2)


def test_a_range_without_a_whole_month_is_planned_month_by_month():
    # 01-16 … 02-24: January minus 01-01 … 01-15 (15 out, 16 in); February minus 02-25 … 02-29.
    assert plan_range(d(2024, 1, 16), d(2024, 2, 24)) == RangePlan(
        (d(2024, 1, 1), d(2024, 2, 1)), [],
        [(d(2024, 1, 1), d(2024, 1, 15)), (d(2024, 2, 25), d(2024, 2, 29))])
    # 01-25 … 02-03: both pieces short, read from the cases.
    assert plan_range(d(2024, 1, 25), d(2024, 2, 3)) == RangePlan(
        None, [(d(2024, 1, 25), d(2024, 1, 31)), (d(2024, 2, 1), d(2024, 2, 3))], [])


def test_ids_in_matches_the_same_rows_as_in(network):
    """`kpis.ids_in` (one array parameter on PostgreSQL past 50 ids) selects what `in_`
    selects: the six units of the fixture among 200 ids, most of which do not exist."""
    from evaluation.kpis import ids_in
    from network.models import Organization

    units = {u.id for u in network.values()}
    for ids in ([min(units)], sorted(units) + list(range(10_000, 10_194))):
        by_in = {u.id for u in Organization.select().where(Organization.id.in_(ids))}
        assert {u.id for u in Organization.select().where(ids_in(Organization.id, ids))} == by_in
    assert by_in == units
