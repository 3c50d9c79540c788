"""At 50,000 organisations, "everything under county X" is still one query on the path index.

The network is bulk-inserted with its materialised paths (one city, 100 counties of 499 rooms
each: 50,001 rows), then the plan of the subtree query is read back from the database itself.
"""
import pytest
from playhouse.test_utils import count_queries

from network.db import db, is_postgres
from network.models import Organization, OrgKind
from network.tree import subtree

COUNTIES, ROOMS = 100, 499


@pytest.fixture
def big_network(database, kinds):
    room_kind = OrgKind.get(OrgKind.name == "调解工作室").id
    rows = [{"id": 1, "code": "S", "name": "大市中心", "level": 1, "kind": room_kind,
             "path": "/1/"}]
    next_id = 2
    county_ids = []
    for c in range(COUNTIES):
        county_id = next_id
        next_id += 1
        county_ids.append(county_id)
        rows.append({"id": county_id, "code": f"S-{c:03d}", "name": f"县{c}", "level": 2,
                     "kind": room_kind, "parent": 1, "path": f"/1/{county_id}/"})
        for r in range(ROOMS):
            rows.append({"id": next_id, "code": f"S-{c:03d}-{r:03d}", "name": f"室{c}-{r}",
                         "level": 3, "kind": room_kind, "parent": county_id,
                         "path": f"/1/{county_id}/{next_id}/"})
            next_id += 1
    with db.atomic():
        for start in range(0, len(rows), 4000):
            Organization.insert_many(rows[start:start + 4000]).execute()
    if is_postgres():
        db.execute_sql("ANALYZE organization")
    return county_ids


def plan(query) -> str:
    sql, params = query.sql()
    if is_postgres():
        rows = db.execute_sql("EXPLAIN " + sql, params).fetchall()
        return "\n".join(r[0] for r in rows)
    rows = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return "\n".join(str(r[-1]) for r in rows)


def test_subtree_of_one_county_among_50000_is_one_indexed_query(big_network):
    assert Organization.select().count() == 1 + COUNTIES * (1 + ROOMS)
    county = Organization.get_by_id(big_network[37])
    with count_queries() as queries:
        found = list(subtree(county))
    assert queries.count == 1
    assert len(found) == 1 + ROOMS
    assert {o.code for o in found} == {"S-037"} | {f"S-037-{r:03d}" for r in range(ROOMS)}
    text = plan(subtree(county))
    if is_postgres():
        assert "organization_path_prefix" in text, text
        assert "Index" in text and "Seq Scan" not in text, text
    else:
        assert "USING INDEX organization_path" in text or \
            "USING COVERING INDEX organization_path" in text, text
        assert not any(line.startswith("SCAN") for line in text.splitlines()), text
