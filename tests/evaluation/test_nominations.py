"""Nomination ranking: components, normalisation and weights, counted by hand (q1_ledger)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .q1_ledger import Q1, q1_ledger  # noqa: F401


def test_mediator_kpis_group_the_scope_cases_by_mediator(q1_ledger):  # noqa: F811
    from evaluation.kpis import mediator_kpis

    figures = mediator_kpis(q1_ledger["shinan"], *Q1)
    ma, mb, mc = (q1_ledger[k].id for k in ("ma", "mb", "mc"))
    assert set(figures) == {ma, mb, mc}  # md works outside QD-02
    assert figures[ma]["closed"] == 4 and figures[ma]["success_rate"] == Decimal("0.7500")
    assert figures[ma]["agreed_amount"] == Decimal("4000.00")  # 2023 case left out
    assert figures[ma]["avg_days"] == Decimal("10.0")
    assert figures[ma]["fulfilment_rate"] == Decimal("0.6667")
    assert figures[mb]["avg_days"] == Decimal("3.0")
    assert figures[mc]["received"] == 2 and figures[mc]["closed"] == 1


def test_a_whole_year_is_read_from_the_yearly_rows_with_the_same_hand_counts(q1_ledger):  # noqa: F811
    """2024 as a whole year: the per-mediator rows (every 2024 case of the ledger is in Q1, so
    the hand counts are Q1's), 2023 from its own row; no case is read for either."""
    from playhouse.test_utils import count_queries

    from evaluation.kpis import mediator_kpis

    ma, mb, mc = (q1_ledger[k].id for k in ("ma", "mb", "mc"))
    with count_queries() as counter:
        figures = mediator_kpis(q1_ledger["shinan"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert counter.count == 1  # the rows' one grouped query
    assert set(figures) == {ma, mb, mc}
    assert figures[ma]["closed"] == 4 and figures[ma]["success_rate"] == Decimal("0.7500")
    assert figures[ma]["agreed_amount"] == Decimal("4000.00")
    assert figures[ma]["fulfilment_rate"] == Decimal("0.6667")
    assert figures[mc]["received"] == 2 and figures[mc]["avg_days"] == Decimal("20.0")
    before = mediator_kpis(q1_ledger["shinan"], dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert set(before) == {ma} and before[ma]["agreed_amount"] == Decimal("9000.00")


def test_ranking_components_and_scores_by_hand(q1_ledger):  # noqa: F811
    from evaluation.nominations import MEDIATORS, nominate

    # The minimum caseload is off here (q1_ledger's mediators close 4, 2 and 1 cases): this
    # test is about the normalisation; test_minimum_caseload is about the minimum.
    ranked = nominate(q1_ledger["shinan"], MEDIATORS, *Q1, minimum=0)
    assert [c.subject.staff_no for c in ranked] == ["MA01", "MB01", "MC01"]
    ma, mb, mc = ranked
    # min-max within {ma, mb, mc}
    assert ma.normalised == pytest.approx({"success_rate": 0.75, "closed": 1.0,
                                           "agreed_amount": 1.0, "speed": 10 / 17,
                                           "fulfilment_rate": 0.6667})
    assert mb.normalised == pytest.approx({"success_rate": 1.0, "closed": 1 / 3,
                                           "agreed_amount": 0.25, "speed": 1.0,
                                           "fulfilment_rate": 1.0})
    assert mc.normalised == pytest.approx({k: 0.0 for k in mc.normalised})
    # default weights .40 / .25 / .10 / .15 / .10
    assert ma.contributions["speed"] == pytest.approx(0.15 * 10 / 17)
    assert ma.score == pytest.approx(0.30 + 0.25 + 0.10 + 0.15 * 10 / 17 + 0.06667)
    assert mb.score == pytest.approx(0.40 + 0.25 / 3 + 0.025 + 0.15 + 0.10)
    assert mc.score == 0


def test_changed_weights_change_the_order(q1_ledger):  # noqa: F811
    from evaluation.nominations import MEDIATORS, nominate
    from network.settings import update_settings

    update_settings({"award.weight_closed": 0, "award.weight_agreed_amount": 0,
                     "award.min_closed": 0}, actor="t")
    ranked = nominate(q1_ledger["shinan"], MEDIATORS, *Q1)
    assert [c.subject.staff_no for c in ranked] == ["MB01", "MA01", "MC01"]
    assert ranked[0].score == pytest.approx(0.40 + 0.15 + 0.10)
    assert ranked[1].contributions["closed"] == 0


def test_stations_rank_on_their_own_cases(q1_ledger):  # noqa: F811
    from evaluation.nominations import STATIONS, nominate

    ranked = nominate(q1_ledger["shinan"], STATIONS, *Q1, minimum=1)
    assert [c.subject.code for c in ranked] == ["QD-02-01", "QD-02-02"]
    assert ranked[0].kpis["closed"] == 6 and ranked[1].kpis["closed"] == 1


def test_equal_values_do_not_separate_candidates():
    from evaluation.nominations import _normalise

    assert _normalise([3.0, 3.0], False) == [0.0, 0.0]
    assert _normalise([2.0, None, 4.0], True) == [1.0, 0.0, 0.0]


def test_ranking_takes_a_fixed_number_of_queries(q1_ledger, make_mediator, make_case):  # noqa: F811
    import datetime as dt

    from playhouse.test_utils import count_queries

    from evaluation.nominations import MEDIATORS, nominate

    def queries() -> int:
        with count_queries() as counter:
            nominate(q1_ledger["shinan"], MEDIATORS, *Q1)
        return counter.count

    before = queries()
    for n in range(5):
        m = make_mediator(q1_ledger["room2"], staff_no=f"MX{n:02d}")
        make_case(q1_ledger["room2"], m, dt.date(2024, 2, 1), dt.date(2024, 2, 2), "调解成功",
                  "100.00", "100.00")
    # settings, received, closed (a quarter: from the cases), the codes, the mediators shown
    assert queries() == before <= 5


def test_minimum_caseload_keeps_four_perfect_cases_below_sixty_good_ones(
        network, make_mediator, make_case):
    """A: 60 closed, 51 succeeded (85 %); B: 4 closed, all succeeded. Every case lasts 5 days,
    every success agrees 100.00, no fulfilment recorded: only success rate, closed and agreed
    amount separate them. Without a minimum B's rate wins: B .40 (rate) vs A .25 (closed) +
    .10 (agreed 5,100 vs 400) = .35. With the default minimum (5) B is not ranked."""
    import datetime as dt

    from evaluation.nominations import MEDIATORS, nominate
    from network.settings import get_setting

    a = make_mediator(network["room1"], staff_no="A0001", name="甲")
    b = make_mediator(network["room2"], staff_no="B0001", name="乙")
    day = dt.date(2024, 3, 1)
    for n in range(60):
        make_case(network["room1"], a, day, day + dt.timedelta(days=5),
                  "调解成功" if n < 51 else "调解不成功", "1000.00", "100.00" if n < 51 else None)
    for _ in range(4):
        make_case(network["room2"], b, day, day + dt.timedelta(days=5), "调解成功", "1000.00",
                  "100.00")
    period = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))

    unlimited = nominate(network["shinan"], MEDIATORS, *period, minimum=0)
    assert [c.subject.staff_no for c in unlimited] == ["B0001", "A0001"]
    assert unlimited[0].score == pytest.approx(0.40)
    assert unlimited[1].score == pytest.approx(0.35)

    assert get_setting("award.min_closed") == 5
    ranked = nominate(network["shinan"], MEDIATORS, *period)
    assert [(c.subject.staff_no, c.eligible) for c in ranked] == [("A0001", True),
                                                                   ("B0001", False)]
    assert ranked[1].score == 0


@settings(max_examples=300, deadline=None)
@given(closed=st.integers(0, 10**6), data=st.data())
def test_ranking_values_are_the_floats_of_the_published_kpis(closed, data):
    """The ranking reads its values off the raw sums (no Decimals for 30,000 candidates):
    each must be exactly the float of what the table publishes, ties at .5 included."""
    from evaluation.kpis import Figures, derive
    from evaluation.nominations import _raw

    succeeded = data.draw(st.integers(0, closed))
    recorded = data.draw(st.integers(0, succeeded))
    fig = Figures({"closed": closed, "succeeded": succeeded, "fulfilment_recorded": recorded,
                   "fulfilled": data.draw(st.integers(0, recorded)),
                   "days_sum": data.draw(st.integers(0, 400 * closed)),
                   "agreed_amount_cents": data.draw(st.integers(0, 10**12))})
    kpis = derive(fig)
    assert _raw(fig) == {"success_rate": float(kpis["success_rate"]),
                         "closed": float(closed),
                         "agreed_amount": float(kpis["agreed_amount"]),
                         "speed": float(kpis["avg_days"]) if closed else None,
                         "fulfilment_rate": float(kpis["fulfilment_rate"])}
    # ties at .5 go up: 1 day over 20 cases = 0.05 → 0.1; 1 of 20,000 = 0.00005 → 0.0001
    assert _raw(Figures({"closed": 20, "days_sum": 1}))["speed"] == 0.1
    assert _raw(Figures({"closed": 20000, "succeeded": 1}))["success_rate"] == 0.0001
