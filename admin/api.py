"""JSON API /api/v1: session cookie or `Authorization: Bearer TOKEN`; errors are JSON."""
from __future__ import annotations

from functools import wraps

import peewee as pw
from flask import Blueprint, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from network.db import N_
from network.errors import Msg
from network.models import LEVELS, STATUSES, Organization, OrgKind
from network.services import CODE_RE
from network.tree import children_counts, subtree
from org.accounts import MEDIATOR

from .forms import tr
from .views.base import current_scope

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PAGE = 1000
MAX_OFFSET = 2**31 - 1  # larger offsets overflow the databases' integer parameters


class ApiError(Exception):
    """`error` is the stable code for programs; `message` is for people, in the caller's
    language (the account's saved choice), Chinese by default."""

    def __init__(self, status: int, error: str, message: Msg):
        super().__init__(str(message))
        self.status, self.error, self.message = status, error, message


@api_bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return jsonify(error=exc.error, message=tr(exc.message)), exc.status


HTTP_MESSAGES = {400: N_("请求参数错误"), 401: N_("需要登录或有效的 API 令牌"),
                 403: N_("超出您的权限或管辖范围"), 404: N_("接口不存在"),
                 405: N_("该接口不支持此请求方法"), 413: N_("请求内容过大"),
                 500: N_("服务器内部错误")}


@api_bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    """Any HTTP error under /api/ answers JSON, including the ones raised before a route of
    this blueprint matched (405 method not allowed), which blueprint handlers never see."""
    if not request.path.startswith(api_bp.url_prefix + "/"):
        return exc
    response = jsonify(error=exc.name.lower().replace(" ", "_"),
                       message=tr(HTTP_MESSAGES.get(exc.code, exc.name)))
    response.status_code = exc.code or 500
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def login_required_json(view):
    @wraps(view)
    def inner(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiError(401, "unauthorized", Msg("需要登录或有效的 API 令牌"))
        if current_user.role == MEDIATOR:
            # The API serves units' figures; a mediator sees their own only, in the portal.
            raise ApiError(403, "forbidden", Msg("调解员账号不能通过 API 读取机构统计"))
        return view(*args, **kwargs)

    return inner


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


def visible_org(code: str) -> Organization:
    """The organisation with `code`: 404 when unknown or outside the caller's scope."""
    # A code that cannot exist (e.g. a NUL byte, which PostgreSQL refuses) never reaches the
    # database: it is simply unknown.
    org = Organization.get_or_none(Organization.code == code) if CODE_RE.match(code) else None
    scope = current_scope()
    if org is None or (scope is not None and not scope.contains(org)):
        # outside the scope answers like unknown, so codes cannot be probed
        raise ApiError(404, "not_found", Msg("机构编码「%(code)s」不存在", code=code))
    return org


@api_bp.route("/stations/<code>")
@login_required_json
def station(code: str):
    org = visible_org(code)
    return jsonify(org_json(org, children_counts([org.id]).get(org.id, 0)))


@api_bp.route("/stations")
@login_required_json
def stations():
    under = request.args.get("under")
    root = visible_org(under) if under else current_scope()
    try:
        limit = min(int(request.args.get("limit", MAX_PAGE)), MAX_PAGE)
        offset = max(int(request.args.get("offset", 0)), 0)
        if limit < 1 or offset > MAX_OFFSET:
            raise ValueError
    except ValueError:
        raise ApiError(400, "bad_request", Msg("limit/offset 应为正整数")) from None
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


@api_bp.route("/openapi.json")
def openapi():
    from .openapi import spec

    return jsonify(spec())


@api_bp.route("/<path:anything>")
def unknown(anything: str):
    raise ApiError(404, "not_found", Msg("接口不存在"))


from . import api_kpis  # noqa: E402,F401  (registers /kpis routes on api_bp)
