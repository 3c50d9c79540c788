"""Training endpoints of /api/v1: a mediator's hours, a subtree's coverage, the sessions
hosted in a subtree (a page of them: limit/offset with the total, like /api/v1/stations).
Figures come from training.records and training.coverage (the shapes the
issue fixes); scope as everywhere: a mediator account sees its own hours only.
"""
from __future__ import annotations

import datetime as dt

from flask import jsonify, request
from flask_login import current_user

from network.dates import SHANGHAI, in_range, iso_day
from network.errors import Msg
from network.models import Organization
from network.tree import in_subtree
from org.models import MEDIATOR, Mediator
from org.services import STAFF_NO_RE, in_scope
from training.coverage import coverage
from training.models import Course, Session, TrainingKind
from training.records import year_summary

from ..api.core import ApiError, api_bp, login_required_json, page_bounds, requested_org
from ..views.base import current_scope

TIME = "%Y-%m-%dT%H:%M:%S%z"


def _year() -> int:
    text = (request.args.get("year") or "").strip()
    if not text:
        raise ApiError(400, "bad_request", Msg("缺少参数 year（YYYY）"))
    if not (len(text) == 4 and text.isdigit() and 1901 <= int(text) <= 2999):
        raise ApiError(400, "bad_request", Msg("参数 year 应为 1901 至 2999 之间的年份：「%(v)s」",
                                               v=text))
    return int(text)


def _no_mediators() -> None:
    if current_user.role == MEDIATOR:
        raise ApiError(403, "forbidden", Msg("超出您的权限或管辖范围"))


def _optional_day(name: str) -> dt.date | None:
    if name not in request.args:
        return None
    text = request.args[name].strip()  # given but empty is as wrong as any other non-date
    day = iso_day(text)
    if day is None or not in_range(day):
        raise ApiError(400, "bad_request", Msg(
            "参数 %(name)s 应为 YYYY-MM-DD 格式的日期：「%(v)s」", name=name, v=text))
    return day


@api_bp.route("/training/hours")
@login_required_json
def training_hours():
    year = _year()
    staff_no = (request.args.get("mediator") or "").strip()
    if not staff_no:
        raise ApiError(400, "bad_request", Msg("缺少参数 mediator（工号）"))
    # a 工号 that cannot exist (a NUL byte, which PostgreSQL refuses) never reaches the database
    mediator = (Mediator.get_or_none(Mediator.staff_no == staff_no)
                if STAFF_NO_RE.match(staff_no) else None)
    if mediator is not None:
        if current_user.role == MEDIATOR:
            allowed = current_user.mediator_id == mediator.id
        else:
            allowed = in_scope(mediator, current_scope())
    if mediator is None or not allowed:  # outside the scope answers like unknown
        raise ApiError(404, "not_found", Msg("调解员「%(no)s」不存在", no=staff_no))
    return jsonify(year_summary(mediator, year))


@api_bp.route("/training/coverage")
@login_required_json
def training_coverage():
    _no_mediators()
    org = requested_org()
    year = _year()
    return jsonify(coverage(org, year).as_dict())


def session_json(session: Session) -> dict:
    return {"code": session.code, "course": session.course.name, "kind": session.kind.name,
            "host": session.host.code, "start": session.start.astimezone(SHANGHAI).isoformat(),
            "end": session.end.astimezone(SHANGHAI).isoformat(),
            "hours": f"{session.hours:.1f}", "capacity": session.capacity,
            "booked": session.booked, "seats_left": max(session.capacity - session.booked, 0),
            "status": session.status}


@api_bp.route("/training/sessions")
@login_required_json
def training_sessions():
    _no_mediators()
    org = requested_org()
    start, end = _optional_day("from"), _optional_day("to")
    if start and end and start > end:
        raise ApiError(400, "bad_request", Msg("参数 from 不能晚于 to"))
    query = (Session.select(Session, Course, TrainingKind, Organization)
             .join(Course, on=(Session.course == Course.id))
             .switch(Session).join(TrainingKind, on=(Session.kind == TrainingKind.id))
             .switch(Session).join(Organization, on=(Session.host == Organization.id))
             .where(in_subtree(Organization.path, org)))
    if start:
        query = query.where(Session.start_day >= start)
    if end:
        query = query.where(Session.start_day <= end)
    limit, offset = page_bounds()
    total = query.count()
    rows = query.order_by(Session.start, Session.code).offset(offset).limit(limit)
    return jsonify({"station": org.code, "from": start.isoformat() if start else None,
                    "to": end.isoformat() if end else None, "total": total, "offset": offset,
                    "limit": limit, "sessions": [session_json(s) for s in rows]})
