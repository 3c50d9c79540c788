"""The JSON API's core: the /api/v1 blueprint, authentication, JSON errors, paging.

Each domain's routes live beside its views (admin/network/api.py, admin/evaluation/api.py)
and register on `api_bp` when admin.api.register() imports them; this module imports none of
them, so the API has no import cycle.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, NotFound

from network.db import N_
from network.errors import Msg
from network.models import Organization
from org.models import MEDIATOR

from ..forms import tr
from ..views.base import current_scope, scoped_org
from . import paging

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PAGE, MAX_OFFSET = paging.MAX_PAGE, paging.MAX_OFFSET


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
        return view(*args, **kwargs)

    return inner


def units_only(view):
    """Routes that serve organisations' figures: a mediator sees their own records only (in
    the portal, or through the routes about one mediator), never a unit's."""

    @wraps(view)
    def inner(*args, **kwargs):
        if current_user.is_authenticated and current_user.role == MEDIATOR:
            raise ApiError(403, "forbidden", Msg("调解员账号不能通过 API 读取机构统计"))
        return view(*args, **kwargs)

    return login_required_json(inner)


def page_bounds() -> tuple[int, int]:
    """`limit` and `offset` of a list endpoint (defaults: a full page from the start); values
    outside what openapi.py declares are refused, not silently clamped."""
    try:
        limit = int(request.args.get("limit", MAX_PAGE))
        offset = int(request.args.get("offset", 0))
        if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= MAX_OFFSET:
            raise ValueError
    except ValueError:
        raise ApiError(400, "bad_request", Msg("limit 应为 1 至 %(page)d 的整数，offset 应为 0 至 "
                                               "%(offset)d 的整数", page=MAX_PAGE,
                                               offset=MAX_OFFSET)) from None
    return limit, offset


def requested_org() -> Organization:
    """The unit a figures route is about: `?station=CODE` inside the caller's scope, else the
    caller's own; for a caller who sees the whole network, its one top unit (400 when there
    are several: the caller must say which)."""
    code = (request.args.get("station") or "").strip()
    if code:
        return visible_org(code)
    org = current_scope()
    if org is None:
        roots = list(Organization.select().where(Organization.parent.is_null()).limit(2))
        if len(roots) != 1:
            raise ApiError(400, "bad_request", Msg("缺少参数 station（机构编码）"))
        org = roots[0]
    return org


def visible_org(code: str) -> Organization:
    """The organisation with `code`: 404 when unknown or outside the caller's scope (the same
    answer, so codes cannot be probed)."""
    try:
        return scoped_org(code)
    except NotFound:
        raise ApiError(404, "not_found", Msg("机构编码「%(code)s」不存在", code=code)) from None


@api_bp.route("/openapi.json")
def openapi():
    from .openapi import spec

    return jsonify(spec())


@api_bp.route("/<path:anything>")
def unknown(anything: str):
    raise ApiError(404, "not_found", Msg("接口不存在"))


