"""Counting the network and loading its tree: figures worked out by hand on the `network`
fixture (QD → QD-02 → QD-02-01, QD-02-02; QD → QD-11 → QD-11-01)."""
from playhouse.test_utils import count_queries

from network.services import close_org
from network.stats import load_children, load_tree, path_ids, unit_counts, walk


def shape(nodes):
    """{code: [child codes] or None when not loaded}."""
    return {n.org.code: (None if n.children is None else [c.org.code for c in n.children])
            for n in walk(nodes)}


def test_unit_counts_per_level_and_closed(network):
    whole = unit_counts(None)
    assert whole["per_level"] == {0: 0, 1: 1, 2: 2, 3: 3}
    assert whole["closed"] == 0
    close_org(network["room1"], actor="t", scope=None)
    assert unit_counts(None)["per_level"][3] == 2
    assert unit_counts(None)["closed"] == 1
    county = unit_counts(network["shinan"])
    assert county["per_level"] == {0: 0, 1: 0, 2: 1, 3: 1}
    assert county["closed"] == 1
    assert county["open"] == 2


def test_path_ids():
    assert path_ids("/1/7/42/") == [1, 7, 42]
    assert path_ids("") == []


def test_tree_of_a_county_is_its_subtree_only(network):
    nodes = load_tree(network["shinan"])
    assert shape(nodes) == {"QD-02": ["QD-02-01", "QD-02-02"], "QD-02-01": [], "QD-02-02": []}
    assert nodes[0].child_count == 2


def test_whole_tree_small_is_complete(network):
    nodes = load_tree(None)
    assert [n.org.code for n in nodes] == ["QD"]
    assert shape(nodes)["QD-02"] == ["QD-02-01", "QD-02-02"]
    assert shape(nodes)["QD-11"] == ["QD-11-01"]
    assert not any(n.lazy for n in walk(nodes))


def test_big_tree_is_sent_two_levels_deep_and_the_rest_lazily(network):
    nodes = load_tree(None, limit=3)
    assert shape(nodes) == {"QD": ["QD-02", "QD-11"], "QD-02": None, "QD-11": None}
    counts = {n.org.code: n.child_count for n in walk(nodes)}
    assert counts == {"QD": 2, "QD-02": 2, "QD-11": 1}
    assert all(n.lazy for n in nodes[0].children)
    kids = load_children(network["shinan"])
    assert [k.org.code for k in kids] == ["QD-02-01", "QD-02-02"]
    assert [k.child_count for k in kids] == [0, 0]


def test_tree_costs_a_fixed_number_of_queries(network, make_org):
    with count_queries() as small:
        load_tree(None)
    for i in range(5):
        make_org(f"QD-02-1{i}", parent=network["shinan"])
    with count_queries() as bigger:
        load_tree(None)
    assert small.count == bigger.count == 3
    with count_queries() as lazy:
        load_tree(None, limit=3)
    assert lazy.count == 4
