"""Counting the network: units per level, closed units, and the tree of a jurisdiction.

Every function here costs a fixed number of queries whatever the size of the subtree, so the
home page and the tree page stay cheap at tens of thousands of organisations.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from .models import CLOSED, LEVELS, Organization
from .tree import children_counts, subtree

# Above this many organisations a tree is sent two levels deep and the rest on demand.
EAGER_TREE_LIMIT = 1500


def unit_counts(scope: Organization | None) -> dict:
    """Open units per level and the number of closed units under `scope`, one query."""
    is_closed = pw.Case(None, [(Organization.status == CLOSED, 1)], 0)
    rows = (subtree(scope)
            .select(Organization.level, is_closed.alias("closed"), pw.fn.COUNT(Organization.id))
            .group_by(Organization.level, is_closed).tuples())
    per_level = dict.fromkeys(LEVELS, 0)
    closed = 0
    for level, shut, count in rows:
        if shut:
            closed += count
        else:
            per_level[level] = per_level.get(level, 0) + count
    return {"per_level": per_level, "closed": closed, "open": sum(per_level.values())}


def path_ids(path: str) -> list[int]:
    """The ids along a materialised path, root first (`/1/7/42/` → [1, 7, 42])."""
    return [int(part) for part in path.strip("/").split("/") if part.isdigit()]


@dataclass
class TreeNode:
    """One organisation in a displayed tree. `children` is None when not loaded yet."""

    org: Organization
    child_count: int = 0
    children: list[TreeNode] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def lazy(self) -> bool:
        return self.children is None and self.child_count > 0


def tree_roots(scope: Organization | None) -> list[Organization]:
    """The scope itself, or every top-level organisation for the whole network."""
    if scope is not None:
        return [scope]
    return list(Organization.select().where(Organization.parent.is_null())
                .order_by(Organization.code))


def _sorted(orgs):
    return sorted(orgs, key=lambda o: o.code)


def load_tree(scope: Organization | None, limit: int = EAGER_TREE_LIMIT) -> list[TreeNode]:
    """The tree of a jurisdiction: whole when small, else its top two levels (the rest lazy).

    At most four queries: size, rows, roots (whole network only) and sub-unit counts.
    """
    roots = tree_roots(scope)
    if not roots:
        return []
    if subtree(scope).count() <= limit:
        rows = list(subtree(scope).order_by(Organization.code))
        return _nest(roots, rows, complete=True)
    rows = list(Organization.select()
                .where(Organization.parent.in_([r.id for r in roots]))
                .order_by(Organization.code))
    return _nest(roots, rows, complete=False)


def load_children(parent: Organization) -> list[TreeNode]:
    """The direct sub-units of `parent`, each with its own sub-unit count, two queries."""
    rows = list(Organization.select().where(Organization.parent == parent.id)
                .order_by(Organization.code))
    counts = children_counts([o.id for o in rows])
    return [TreeNode(o, counts.get(o.id, 0)) for o in rows]


def _nest(roots: list[Organization], rows: list[Organization], complete: bool) -> list[TreeNode]:
    """Link loaded rows under their parents; units whose children were not loaded stay lazy."""
    by_parent: dict[int, list[Organization]] = {}
    for org in rows:
        by_parent.setdefault(org.parent_id, []).append(org)
    counts = {} if complete else children_counts([o.id for o in rows])

    def build(org: Organization, depth: int) -> TreeNode:
        kids = _sorted(by_parent.get(org.id, []))
        if complete or depth == 0:
            return TreeNode(org, len(kids), [build(k, depth + 1) for k in kids])
        return TreeNode(org, counts.get(org.id, 0))

    return [build(root, 0) for root in _sorted(roots)]


def walk(nodes: list[TreeNode]):
    """Every loaded node, depth first."""
    for node in nodes:
        yield node
        yield from walk(node.children or [])
