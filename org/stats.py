"""Counting mediators over the network: per jurisdiction and per subtree of each tree node.

Mediators are counted at their current primary station (`Mediator.station`); a unit's subtree
count adds up the stations below it. Each function is one query, whatever the tree's size.
"""
from __future__ import annotations

import peewee as pw

from network.models import Organization
from network.stats import path_ids
from network.tree import in_subtree

from .models import EMPLOYMENT, Assignment, Mediator

ON_DUTY = "on"


def mediator_counts(scope: Organization | None) -> dict:
    """Mediators on duty under `scope`, in total and per employment (专职/兼职), one query."""
    rows = (Mediator.select(Mediator.employment, pw.fn.COUNT(Mediator.id))
            .join(Organization, on=(Mediator.station == Organization.id))
            .where(Mediator.status == ON_DUTY, in_subtree(Organization.path, scope))
            .group_by(Mediator.employment).tuples())
    per_employment = dict.fromkeys(EMPLOYMENT, 0)
    per_employment.update(dict(rows))
    return {"on_duty": sum(per_employment.values()), "employment": per_employment}


def mediators_by_subtree(org_ids: list[int], within: Organization | None) -> dict[int, dict]:
    """For each id in `org_ids`: mediators on duty at the unit itself and in its whole subtree.

    One grouped query over the stations under `within` (which must contain every unit asked
    for); each station's count is then added to the asked units on its path.
    """
    wanted = set(org_ids)
    result = {i: {"here": 0, "total": 0} for i in wanted}
    if not wanted:
        return result
    rows = (Mediator.select(Organization.path, pw.fn.COUNT(Mediator.id))
            .join(Organization, on=(Mediator.station == Organization.id))
            .where(Mediator.status == ON_DUTY, in_subtree(Organization.path, within))
            .group_by(Organization.path).tuples())
    for path, count in rows:
        ids = path_ids(path)
        for org_id in wanted.intersection(ids):
            result[org_id]["total"] += count
        if ids and ids[-1] in wanted:
            result[ids[-1]]["here"] += count
    return result


def assignment_history(mediator: Mediator) -> list[Assignment]:
    """A mediator's periods of service, newest first, with their stations, one query."""
    return list(Assignment.select(Assignment, Organization)
                .join(Organization, on=(Assignment.station == Organization.id))
                .where(Assignment.mediator == mediator.id)
                .order_by(Assignment.start.desc(), Assignment.id.desc()))
