"""#12: CSP with a per-request nonce, Referrer-Policy, no-store on pages, a Secure session
cookie behind HTTPS, weak passwords refused, log-out by POST with a CSRF token."""
from __future__ import annotations

import re

import pytest

from network.errors import ValidationError
from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def admin(network, make_user, make_mediator, auth):
    make_mediator(network["room1"], staff_no="S0001")
    make_user("root", "admin")
    auth.login("root")
    return auth


def nonce_of(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy and "'unsafe-inline'" not in policy.split(
        "script-src")[1].split(";")[0]
    return re.search(r"'nonce-([^']+)'", policy).group(1)


@pytest.mark.parametrize("url", ["/admin/tree/", "/admin/map/", "/admin/dashboard/",
                                 "/admin/mediators/"])
def test_every_inline_script_carries_the_requests_nonce(admin, url):
    first, second = admin.client.get(url), admin.client.get(url)
    assert first.status_code == 200
    nonce = nonce_of(first)
    assert nonce != nonce_of(second), "a nonce is never reused"
    html = first.get_data(as_text=True)
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", html)
              if "src=" not in tag and "application/json" not in tag]
    assert inline or url == "/admin/mediators/", "the page has inline scripts to check"
    assert all(f'nonce="{nonce}"' in tag for tag in inline), inline
    assert not re.search(r"<[^>]+\sonclick=\"return (faHelpers|modelActions)", html)


def test_referrer_policy_and_no_store_on_pages_but_not_on_assets(admin):
    for url in ("/admin/mediators/", "/admin/mediators/export/csv/", "/login"):
        response = admin.client.get(url)
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store", url
    asset = admin.client.get("/static/portal.css")
    assert "no-store" not in asset.headers.get("Cache-Control", "")
    asset.close()


def test_session_cookie_is_secure_behind_https(monkeypatch, database, database_url):
    from admin.app import create_app
    from admin.config import Config

    assert Config().SESSION_COOKIE_SECURE is False
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("weak", ["12345678", "88888888", "aaaaaaaa", "Password", "qwerty123",
                                  "1234567", "alice_01"])
def test_weak_passwords_are_refused(database, weak):
    from org.accounts import create_user

    with pytest.raises(ValidationError) as err:
        create_user({"username": "alice_01", "role": "admin", "password": weak}, actor=None)
    assert "password" in err.value.errors


def test_a_reasonable_password_is_accepted(database):
    from org.accounts import create_user

    assert create_user({"username": "alice", "role": "admin", "password": "Harbour-7-lights"},
                       actor=None).id


def test_logout_needs_post_and_the_csrf_token(admin):
    client = admin.client
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303  # no token: still logged in
    assert client.get("/admin/mediators/").status_code == 200
    page = client.get("/admin/mediators/").get_data(as_text=True)
    form = page[page.index('action="/logout"'):]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/mediators/").status_code == 302


def test_logout_token_of_a_page_left_open_for_hours_still_works(admin, monkeypatch):
    import datetime as dt

    from wtforms.csrf import session as wtf_session

    token = csrf_token(admin.client, "/admin/mediators/")
    later = dt.datetime.now() + dt.timedelta(hours=5)
    monkeypatch.setattr(wtf_session.SessionCSRF, "now", lambda self: later)
    assert admin.client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert admin.client.get("/admin/mediators/").status_code == 302


def test_password_constant_is_strong():
    from org.passwords import password_problem

    assert password_problem(PASSWORD, "root") is None
