"""Response headers that keep the browser on our side: CSP, referrer, caching, framing.

Content-Security-Policy: scripts only from this site or inline blocks carrying the request's
nonce (our pages' and Flask-Admin's, which asks `csp_nonce_generator`), so an injected
<script> or event handler does not run even if escaping failed somewhere. Flask-Admin's own
markup still holds two constant inline handlers ("return false;" on filter links, and
`javascript:void(0)` links); they are allowed by hash only. Styles keep 'unsafe-inline' for
style attributes (progress bars, map sizes): CSS cannot run script.

Pages carry personal data behind a log-in, so no dynamic response may be kept by the browser
cache or a proxy (Cache-Control: no-store); static assets stay cacheable.
"""
from __future__ import annotations

import base64
import hashlib
import secrets

from flask import g, request
from markupsafe import Markup

# Inline handler texts of Flask-Admin 2.2's templates (layout.html, list.html).
ALLOWED_HANDLERS = ("return false;", "javascript:void(0)")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


HANDLER_HASHES = " ".join(_hash(t) for t in ALLOWED_HANDLERS)


def csp_nonce() -> str:
    """This request's script nonce (one per request, made on first use): 128 random bits in
    lowercase hex, which no code, 工号 or case number on a page can be mistaken for (a
    base64 nonce holds capitals and digits: one page's happened to contain the session code
    "H1" that a scope test looked for)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_hex(16)
    return g.csp_nonce


def nonce_attribute() -> Markup:
    return Markup('nonce="{}"').format(csp_nonce())


def content_security_policy() -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}' 'unsafe-hashes' {HANDLER_HASHES}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def _is_static() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def add_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", content_security_policy())
    if not _is_static():
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("Last-Modified", None)
    return response


def use_nonce_in_admin(app) -> None:
    """Flask-Admin puts `nonce=` on its inline scripts when it has a generator."""
    admins = app.extensions.get("admin", [])
    for admin in admins if isinstance(admins, list) else [admins]:
        admin.csp_nonce_generator = csp_nonce


def init_app(app) -> None:
    app.after_request(add_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["csp_nonce_attribute"] = nonce_attribute
