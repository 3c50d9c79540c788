"""The language switch, and domain labels passed through the catalogue."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session
from flask_babel import gettext
from flask_login import current_user
from jinja2 import BaseLoader

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


HTML_LANG = """<html lang="{{ 'zh-CN' if current_locale.startswith('zh') else 'en' }}">"""


class HtmlLangLoader(BaseLoader):
    """Flask-Admin's admin/base.html opens with a bare <html>, outside any block, so no page
    extending it can say its language: screen readers then guess, and Chrome offers to
    translate a Chinese page. This loader serves that one template with lang set from the
    page's language, as the portal's own standalone pages (login, notices) write it."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template == "admin/base.html":
            source = source.replace("<html>", HTML_LANG, 1)
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["label"] = label
    app.jinja_env.loader = HtmlLangLoader(app.jinja_env.loader)
