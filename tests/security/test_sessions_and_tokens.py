"""#7 sessions end on the server; tokens expire, can be revoked, note their use and open
only /api/. #11 on /api/ the Authorization header decides. #6 no unit figures for mediators."""
from __future__ import annotations

import datetime as dt

import pytest

from org.accounts import ApiToken, User, issue_token, revoke_tokens, update_user, user_for_token
from tests.conftest import Auth

T0 = dt.datetime(2025, 3, 1, 10, 0, 0)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(network, make_user, make_mediator):
    mediator = make_mediator(network["room1"], staff_no="S0001")
    return {
        **network,
        "root": make_user("root", "admin"),
        "mgr2": make_user("mgr2", organization=network["shinan"]),
        "city": make_user("citymgr", organization=network["city"]),
        "med": make_user("s0001", "mediator", mediator=mediator),
    }


def copied_session(app, auth: Auth):
    """A second browser holding a copy of `auth`'s session cookie."""
    thief = app.test_client()
    cookie = auth.client.get_cookie("session")
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def test_a_copied_session_cookie_dies_with_the_log_out(app, people, auth):
    auth.login("mgr2")
    thief = copied_session(app, auth)
    assert thief.get("/admin/mediators/").status_code == 200
    assert auth.post("/logout").status_code == 302
    assert thief.get("/admin/mediators/").status_code == 302  # to the log-in page
    assert auth.client.get("/admin/mediators/").status_code == 302
    assert Auth(app.test_client()).login("mgr2").status_code == 302  # a new log-in works


@pytest.mark.parametrize("change", [{"password": "Another-Pass-9"}, {"role": "trainer"},
                                    {"active": False}])
def test_a_new_password_role_or_status_ends_the_sessions(app, people, auth, change):
    auth.login("mgr2")
    assert auth.client.get("/admin/mediators/").status_code == 200
    update_user(User.get(User.username == "mgr2"), change, actor=people["root"])
    assert auth.client.get("/admin/mediators/").status_code == 302


def test_an_edit_from_an_older_form_does_not_revive_ended_sessions(app, people, auth):
    """An administrator's edit form loaded the account; then the user logged out (their
    sessions ended). Saving the form's display name must not write the old session version
    back, which would make a copied cookie of the ended session valid again."""
    auth.login("mgr2")
    thief = copied_session(app, auth)
    form_loaded = User.get(User.username == "mgr2")
    assert auth.post("/logout").status_code == 302
    assert thief.get("/admin/mediators/").status_code == 302
    update_user(form_loaded, {"display_name": "李敏（市南）"}, actor=people["root"])
    assert thief.get("/admin/mediators/").status_code == 302
    assert User.get(User.username == "mgr2").display_name == "李敏（市南）"


def test_a_new_password_revokes_the_tokens(people):
    token = issue_token(people["mgr2"], actor="cli")
    assert user_for_token(token).username == "mgr2"
    update_user(people["mgr2"], {"password": "Another-Pass-9"}, actor=people["root"])
    assert user_for_token(token) is None
    assert ApiToken.get().revoked_at is not None


def test_tokens_expire_are_revoked_and_note_their_last_use(people):
    token = issue_token(people["mgr2"], actor="cli", days=90, at=T0)
    row = ApiToken.get()
    assert row.expires_at == T0 + dt.timedelta(days=90) and row.last_used is None
    assert user_for_token(token, at=T0 + dt.timedelta(days=89)).username == "mgr2"
    assert ApiToken.get().last_used == T0 + dt.timedelta(days=89)
    assert user_for_token(token, at=T0 + dt.timedelta(days=90)) is None
    other = issue_token(people["mgr2"], actor="cli")
    assert revoke_tokens(people["mgr2"], actor="root", token_id=ApiToken.get(
        ApiToken.expires_at > T0 + dt.timedelta(days=90)).id) == 1
    assert user_for_token(other) is None


def test_a_token_from_before_expiry_existed_lasts_ninety_days(people):
    import hashlib

    ApiToken.create(user=people["mgr2"], token_hash=hashlib.sha256(b"old").hexdigest(),
                    created_at=T0)
    assert user_for_token("old", at=T0 + dt.timedelta(days=89)).username == "mgr2"
    assert user_for_token("old", at=T0 + dt.timedelta(days=90)) is None


def test_a_token_opens_the_api_only(client, people):
    token = issue_token(people["root"], actor="cli")
    assert client.get("/api/v1/stations", headers=bearer(token)).status_code == 200
    for url in ("/admin/stations/", "/admin/users/", "/admin/"):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_authorization_header_decides_on_the_api(app, people, auth):
    auth.login("mgr2")  # a county manager's browser profile...
    city_token = issue_token(people["city"], actor="cli")  # ...runs the city's script
    assert auth.client.get("/api/v1/stations/QD-11").status_code == 404  # the cookie's scope
    response = auth.client.get("/api/v1/stations/QD-11", headers=bearer(city_token))
    assert response.status_code == 200 and response.get_json()["code"] == "QD-11"
    assert auth.client.get("/api/v1/stations/QD-02",
                           headers=bearer("not-a-token")).status_code == 401
    assert auth.client.get("/api/v1/stations/QD-02",
                           headers={"Authorization": "Basic bWdyMjpQYXNzdzByZCE="}
                           ).status_code == 401
    assert auth.client.get("/admin/mediators/", headers=bearer(city_token)).status_code == 200
    page = auth.client.get("/admin/stations/", headers=bearer(city_token)).get_data(as_text=True)
    assert "黄岛区工作站" not in page  # pages stay the session's


def test_a_mediator_reads_no_unit_figures_through_the_api(client, people):
    token = issue_token(people["med"], actor="cli")
    for url in ("/api/v1/stations", "/api/v1/stations/QD-02-01",
                "/api/v1/kpis?station=QD-02-01&from=2024-01-01&to=2024-03-31",
                "/api/v1/kpis/children?station=QD-02-01&from=2024-01-01&to=2024-03-31",
                "/api/v1/kpis/monthly?station=QD-02-01&from=2024-01-01&to=2024-03-31"):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 403, url
        assert response.get_json()["error"] == "forbidden"


def test_cli_revokes_tokens(runner, people):
    token = issue_token(people["mgr2"], actor="cli")
    result = runner.invoke(args=["users", "revoke-tokens", "mgr2"])
    assert result.exit_code == 0 and "已吊销 1 个令牌" in result.output
    assert user_for_token(token) is None
    assert runner.invoke(args=["users", "revoke-tokens", "nobody"]).exit_code == 1

