"""Subtree queries over the organisation tree.

Each organisation stores its materialised path (`/1/7/42/`): "everything under county X" is one
prefix condition on an indexed column, at any size of network. Moving a unit rewrites the paths
of its subtree in one UPDATE inside the move's transaction (see services.move_org).
"""
from __future__ import annotations

import peewee as pw

from .db import prefix_match
from .models import Organization


def in_subtree(field: pw.Field, root: Organization | None) -> pw.Node:
    """Condition: the path in `field` lies in `root`'s subtree (True when root is None: all)."""
    if root is None:
        return pw.SQL("1 = 1")
    return prefix_match(field, root.path)


def subtree(root: Organization | None) -> pw.ModelSelect:
    """`root` and every organisation below it; the whole network for None."""
    query = Organization.select()
    if root is not None:
        query = query.where(in_subtree(Organization.path, root))
    return query


def subtree_ids(root: Organization | None) -> pw.ModelSelect:
    """Sub-select of the ids in a subtree, to use inside `IN (...)` conditions."""
    return subtree(root).select(Organization.id)


def ancestors(org: Organization) -> list[Organization]:
    """The chain from the root down to `org` (inclusive), in order, one query."""
    ids = [int(x) for x in org.path.strip("/").split("/") if x]
    by_id = {o.id: o for o in Organization.select().where(Organization.id.in_(ids))}
    return [by_id[i] for i in ids if i in by_id]


def children_counts(parent_ids: list[int]) -> dict[int, int]:
    """Number of direct sub-units per organisation id, one query."""
    if not parent_ids:
        return {}
    rows = (Organization.select(Organization.parent, pw.fn.COUNT(Organization.id))
            .where(Organization.parent.in_(parent_ids))
            .group_by(Organization.parent).tuples())
    return {pid: n for pid, n in rows}
