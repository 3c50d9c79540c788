"""network.db's backend helpers, on whichever backend the suite runs."""
from __future__ import annotations

from network.db import id_list, split_ids
from org.grades import seed_ladder
from org.models import GradeStep


def test_id_list_gives_each_groups_ids_as_one_text(database):
    seed_ladder()  # four steps: 未定级→四级, 四级→三级, 三级→二级, 二级→一级
    steps = {s.from_grade: s.id for s in GradeStep.select()}
    assert len(steps) == 4
    # groups: decided by the county (→四级, →三级) and by the city (→二级, →一级)
    rows = dict(GradeStep.select(GradeStep.decided_by, id_list(GradeStep.id))
                .group_by(GradeStep.decided_by).tuples())
    assert {k: split_ids(v) for k, v in rows.items()} == {
        "county": sorted([steps["none"], steps["4"]]), "city": sorted([steps["3"], steps["2"]])}
    # no row at all: the aggregate is NULL, which is no ids
    (empty,) = (GradeStep.select(id_list(GradeStep.id)).where(GradeStep.id < 0)
                .tuples().get())
    assert empty is None and split_ids(empty) == []


def test_split_ids_sorts_numerically():
    assert split_ids("10,9,100") == [9, 10, 100]
    assert split_ids("") == []
