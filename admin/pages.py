"""Plain routes outside Flask-Admin: the root redirect and error pages."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

pages_bp = Blueprint("pages", __name__)


@pages_bp.route("/")
def home():
    return redirect(url_for("admin.index"))


@pages_bp.route("/favicon.ico")
def favicon():
    """Browsers and tools ask for /favicon.ico before reading any <link rel="icon">."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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
