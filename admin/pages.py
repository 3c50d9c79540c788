"""Plain routes outside Flask-Admin: the root redirect and error pages."""
from __future__ import annotations

import logging

import peewee as pw
from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from network.db import db

pages_bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)


@pages_bp.route("/")
def home():
    return redirect(url_for("admin.index"))


@pages_bp.route("/favicon.ico")
def favicon():
    """Browsers and tools ask for /favicon.ico before reading any <link rel="icon">."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


@pages_bp.app_errorhandler(400)
def bad_request(exc):
    """A request the page cannot read (a malformed parameter, an expired form): the portal's
    page in the user's language, not the server's bare English one."""
    # a view's own reason (abort(400, "…")), else the general one
    detail = exc.description if exc.description != BadRequest.description else None
    if _wants_json():
        return {"error": "bad_request", "message": detail or "请求参数无效"}, 400
    return render_template("portal/error.html", code=400, exc=exc, detail=detail), 400


@pages_bp.app_errorhandler(403)
def forbidden(exc):
    if _wants_json():
        return {"error": "forbidden", "message": "超出您的权限或管辖范围"}, 403
    return render_template("portal/error.html", code=403, exc=exc), 403


@pages_bp.app_errorhandler(404)
def not_found(exc):
    if _wants_json():
        return {"error": "not_found", "message": "未找到"}, 404
    return render_template("portal/error.html", code=404, exc=exc), 404


@pages_bp.app_errorhandler(413)
def too_large(exc):
    if _wants_json():
        return {"error": "too_large", "message": "上传文件过大"}, 413
    return render_template("portal/error.html", code=413, exc=exc), 413


@pages_bp.app_errorhandler(pw.OperationalError)
@pages_bp.app_errorhandler(pw.InterfaceError)
def database_unavailable(exc):
    """The database went away (restart, network, a killed connection): answer 503 and drop
    the connection, so that the next request opens a fresh one instead of failing again."""
    log.error("database unavailable: %s", exc)
    try:
        db.close()
    except pw.DatabaseError:
        pass
    # the page must not look the user up again (Flask-Login's template context would)
    g._login_user = current_app.login_manager.anonymous_user()
    message = gettext("数据库暂时不可用，请稍后重试。")
    if _wants_json():
        response = {"error": "database_unavailable", "message": message}, 503
    else:
        response = render_template("portal/error.html", code=503, exc=exc), 503
    return (*response, {"Retry-After": "30"})
