"""The language switch, and domain labels passed through the catalogue."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session
from flask_babel import gettext
from flask_login import current_user

from network.db import db

from .redirects import safe_next

bp = Blueprint("i18n", __name__)


def label(text: str | None) -> str:
    """Translate a domain label (marked with N_ where it is defined)."""
    return gettext(text) if text else ""


@bp.route("/lang/<code>")
def switch(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            with db.atomic():
                current_user.save(only=["locale"])
    target = request.args.get("next")
    if not target and request.referrer:
        parts = urlsplit(request.referrer)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect(safe_next(target))


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["label"] = label
