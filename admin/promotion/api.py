"""/api/v1/mediators/<工号>: one mediator's eligibility for the next grade, explained.

The figures are promotion.eligibility's; this route only checks who may read them (the
caller's jurisdiction, or a mediator their own record) and the reference date.
"""
from __future__ import annotations

import datetime as dt

from flask import jsonify, request
from werkzeug.exceptions import NotFound

from network.dates import in_range, iso_day, local_today
from network.errors import Msg
from promotion.eligibility import eligibility

from ..api.core import ApiError, api_bp, login_required_json
from .common import visible_mediator


def as_of() -> dt.date:
    text = (request.args.get("as_of") or "").strip()
    if not text:
        return local_today()
    day = iso_day(text)
    if day is None:
        raise ApiError(400, "bad_request", Msg(
            "参数 %(name)s 应为 YYYY-MM-DD 格式的日期：「%(v)s」", name="as_of", v=text[:40]))
    if not in_range(day):
        raise ApiError(400, "bad_request",
                       Msg("参数 %(name)s 应在 1901-01-01 至 2999-12-31 之间", name="as_of"))
    return day


@api_bp.route("/mediators/<staff_no>")
@login_required_json
def mediator_eligibility(staff_no: str):
    day = as_of()
    try:
        mediator = visible_mediator(staff_no=staff_no)
    except NotFound:  # unknown or outside the scope: the same answer
        raise ApiError(404, "not_found",
                       Msg("工号「%(no)s」不存在", no=staff_no[:40])) from None
    result = eligibility(mediator, day)
    body = result.as_dict()
    return jsonify({"staff_no": body["staff_no"], "station": mediator.station.code,
                    "grade": body["grade"], "grade_since": body["grade_since"],
                    "next_grade": body["next_grade"], "eligible": body["eligible"],
                    "criteria": body["criteria"]})
