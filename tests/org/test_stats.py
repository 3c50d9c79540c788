"""Mediator counts per jurisdiction and per subtree, hand-computed on the `network` fixture.

Mediators on duty: 1 at QD-02 (full-time), 2 at QD-02-01 (one full, one part), 1 at QD-11-01
(part); one more at QD-02-02 is 离岗 and never counted.
"""
import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from org.services import move_mediator
from org.stats import assignment_history, mediator_counts, mediators_by_subtree


@pytest.fixture
def staffed(network, make_mediator):
    make_mediator(network["shinan"], employment="full")
    make_mediator(network["room1"], employment="full")
    make_mediator(network["room1"], employment="part")
    make_mediator(network["room3"], employment="part")
    make_mediator(network["room2"], employment="part", status="off")
    return network


def test_mediator_counts_whole_and_county(staffed):
    assert mediator_counts(None) == {"on_duty": 4, "employment": {"full": 2, "part": 2}}
    assert mediator_counts(staffed["shinan"]) == {"on_duty": 3,
                                                  "employment": {"full": 2, "part": 1}}
    assert mediator_counts(staffed["huangdao"]) == {"on_duty": 1,
                                                    "employment": {"full": 0, "part": 1}}
    assert mediator_counts(staffed["room2"])["on_duty"] == 0


def test_mediators_by_subtree_here_and_total(staffed):
    ids = {k: staffed[k].id for k in ("city", "shinan", "room1", "room2", "huangdao", "room3")}
    with count_queries() as queries:
        counts = mediators_by_subtree(list(ids.values()), None)
    assert queries.count == 1
    got = {k: counts[i] for k, i in ids.items()}
    assert got == {
        "city": {"here": 0, "total": 4},
        "shinan": {"here": 1, "total": 3},
        "room1": {"here": 2, "total": 2},
        "room2": {"here": 0, "total": 0},
        "huangdao": {"here": 0, "total": 1},
        "room3": {"here": 1, "total": 1},
    }


def test_mediators_by_subtree_within_a_county_ignores_the_rest(staffed):
    counts = mediators_by_subtree([staffed["room1"].id, staffed["room2"].id], staffed["shinan"])
    assert counts[staffed["room1"].id]["total"] == 2
    assert counts[staffed["room2"].id]["total"] == 0
    assert mediators_by_subtree([], None) == {}


def test_assignment_history_newest_first(network, make_mediator):
    mediator = make_mediator(network["room1"])
    move_mediator(mediator, network["room3"], actor="t", scope=None, on=dt.date(2024, 3, 1))
    history = assignment_history(mediator)
    assert [a.station.code for a in history] == ["QD-11-01", "QD-02-01"]
    assert history[0].end is None
    assert history[1].end == dt.date(2024, 2, 29)
