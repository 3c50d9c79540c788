"""/api/v1/stations: the caller-visible organisations, one or a page of a subtree."""
from __future__ import annotations

import peewee as pw
from flask import jsonify, request

from network.models import LEVELS, STATUSES, Organization, OrgKind
from network.tree import children_counts, subtree

from ..api.core import api_bp, page_bounds, units_only, visible_org
from ..views.base import current_scope


def org_json(org: Organization, children: int) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "level": org.level,
        "level_name": LEVELS.get(org.level),
        "parent": org.parent.code if org.parent_id else None,
        "kind": org.kind.name,
        "division": org.division_code,
        "status": org.status,
        "status_name": STATUSES.get(org.status),
        "address": org.address,
        "phone": org.phone,
        "longitude": float(org.longitude) if org.longitude is not None else None,
        "latitude": float(org.latitude) if org.latitude is not None else None,
        "children": children,
    }


@api_bp.route("/stations/<code>")
@units_only
def station(code: str):
    org = visible_org(code)
    return jsonify(org_json(org, children_counts([org.id]).get(org.id, 0)))


@api_bp.route("/stations")
@units_only
def stations():
    under = request.args.get("under")
    root = visible_org(under) if under else current_scope()
    limit, offset = page_bounds()
    Parent = Organization.alias()
    query = (subtree(root).select(Organization, OrgKind, Parent).join(OrgKind)
             .switch(Organization)
             .join(Parent, on=(Organization.parent == Parent.id), join_type=pw.JOIN.LEFT_OUTER,
                   attr="parent"))
    total = query.count()
    rows = list(query.order_by(Organization.path).offset(offset).limit(limit))
    counts = children_counts([o.id for o in rows])
    return jsonify(total=total, offset=offset, limit=limit,
                   items=[org_json(o, counts.get(o.id, 0)) for o in rows])
