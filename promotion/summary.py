"""What a round came to: applications, how many passed each step, objections, approvals by
grade and by county — the figures the round's page, charts and XLSX show."""
from __future__ import annotations

from collections import Counter

import peewee as pw

from network.models import Organization

from .models import (
    APPROVED,
    CITY_DECISION,
    COUNTY_REVIEW,
    DRAFT,
    EFFECTIVE,
    OBJECTION_STATUSES,
    STATES,
    STATION_REVIEW,
    Application,
    Objection,
    PromotionRound,
    Review,
)
from .rounds import COUNTY_LEVEL, unit_for

# the step an application passes by leaving each review state forwards
PASSING = {STATION_REVIEW: ("pass",), COUNTY_REVIEW: ("pass", "approve"),
           CITY_DECISION: ("approve",)}


def summary(round_: PromotionRound) -> dict:
    """Counts of one round; an application returned and passed again counts once per step.

    `applied` leaves drafts out (never submitted); `approved` counts approved and in effect;
    `by_county` keys are organisation ids of the county (or the station itself when it sits
    at county level or above).
    """
    apps = list(Application.select(Application.id, Application.state, Application.to_grade,
                                   Application.station)
                .where(Application.round == round_.id).tuples())
    states = Counter(state for _, state, _, _ in apps)
    passed = {state: 0 for state in PASSING}
    for state, actions in PASSING.items():
        passed[state] = (Review.select(pw.fn.COUNT(pw.fn.DISTINCT(Review.application)))
                         .join(Application)
                         .where((Application.round == round_.id)
                                & (Review.from_state == state) & Review.action.in_(actions))
                         .scalar() or 0)
    objections = Counter(dict(
        Objection.select(Objection.status, pw.fn.COUNT(Objection.id)).join(Application)
        .where(Application.round == round_.id).group_by(Objection.status).tuples()))
    approved = [(grade, station) for _, state, grade, station in apps
                if state in (APPROVED, EFFECTIVE)]
    stations = {o.id: o for o in Organization.select().where(
        Organization.id.in_({station for _, station in approved} or {0}))}
    by_county = Counter(unit_for(stations[station], COUNTY_LEVEL).id
                        for _, station in approved)
    return {
        "applied": sum(n for state, n in states.items() if state != DRAFT),
        "by_state": {state: states.get(state, 0) for state in STATES},
        "passed": passed,
        "objections": {status: objections.get(status, 0) for status in OBJECTION_STATUSES},
        "approved": len(approved),
        "approved_by_grade": dict(Counter(grade for grade, _ in approved)),
        "approved_by_county": dict(by_county),
    }
