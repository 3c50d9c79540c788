"""Log-in throttling by address and by (account, address); no timing or wording oracle."""
from __future__ import annotations

import datetime as dt

import pytest

from network.errors import DomainError
from org.accounts import Throttled, User, authenticate, unlock_user
from tests.conftest import PASSWORD, csrf_token

T0 = dt.datetime(2025, 3, 1, 10, 0, 0)
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


def message(username, password, address, at=T0) -> str:
    with pytest.raises(DomainError) as err:
        authenticate(username, password, address=address, at=at)
    return str(err.value)


def test_an_attacker_cannot_lock_the_administrator_out(make_user, database):
    make_user("root", "admin")
    for _ in range(4):
        assert message("root", "guess", ATTACKER) == "用户名或密码错误"
    assert "已锁定15分钟" in message("root", "guess", ATTACKER)
    # the attacker's address is locked even with the right password...
    assert "账号已锁定" in message("root", PASSWORD, ATTACKER, T0 + dt.timedelta(minutes=14))
    # ...while the administrator logs in from their own machine at once
    assert authenticate("root", PASSWORD, address=OWNER, at=T0).username == "root"
    assert "账号已锁定" in message("root", PASSWORD, ATTACKER, T0 + dt.timedelta(minutes=14))
    assert authenticate("root", PASSWORD, address=ATTACKER,
                        at=T0 + dt.timedelta(minutes=15)).username == "root"


def test_an_address_guessing_at_many_accounts_is_stopped(make_user, database):
    make_user("alice", "admin")
    for n in range(20):  # 20 different names, 4 tries at most each: no account lock
        assert message(f"user{n // 4}", "guess", ATTACKER) == "用户名或密码错误"
    with pytest.raises(Throttled):
        authenticate("alice", PASSWORD, address=ATTACKER, at=T0 + dt.timedelta(minutes=1))
    assert authenticate("alice", PASSWORD, address=OWNER, at=T0).username == "alice"
    assert authenticate("alice", PASSWORD, address=ATTACKER,
                        at=T0 + dt.timedelta(minutes=15)).username == "alice"


def test_a_missing_user_is_answered_like_an_existing_one(make_user, database):
    make_user("alice", "admin")
    for _ in range(4):
        assert message("nobody", "guess", ATTACKER) == message("alice", "guess", ATTACKER)
    assert message("nobody", "guess", ATTACKER) == message("alice", "guess", ATTACKER) \
        == "连续5次密码错误，账号已锁定15分钟"
    assert message("nobody", PASSWORD, ATTACKER) == message("alice", PASSWORD, ATTACKER) \
        == "账号已锁定，请15分钟后再试"


def test_a_missing_user_costs_the_same_scrypt_check(make_user, database, monkeypatch):
    import org.accounts as accounts

    make_user("alice", "admin")
    checked = []

    def spy(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", spy)
    message("alice", "guess", OWNER)
    message("nobody", "guess", OWNER)
    message("", "guess", OWNER)
    stored = User.get(User.username == "alice").password_hash.split("$", 1)[0]
    assert stored.startswith("scrypt:")
    assert checked == [stored, stored, stored]


def test_unlock_lifts_the_lock_of_every_address(make_user, network):
    root = make_user("root", "admin")
    make_user("t02", "trainer", organization=network["room1"])
    for address in (ATTACKER, OWNER):
        for _ in range(5):
            message("t02", "guess", address)
    assert User.get(User.username == "t02").locked_until == T0 + dt.timedelta(minutes=15)
    unlock_user(User.get(User.username == "t02"), actor=root)
    for address in (ATTACKER, OWNER):
        assert authenticate("t02", PASSWORD, address=address, at=T0).username == "t02"


def login(client, address, username, password):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_the_login_page_throttles_by_client_address(app, make_user, database):
    make_user("root", "admin")
    attacker, owner = app.test_client(), app.test_client()
    for n in range(20):
        assert login(attacker, ATTACKER, f"x{n}", "guess").status_code == 400
    response = login(attacker, ATTACKER, "root", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert login(owner, OWNER, "root", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(database, database_url, make_user):
    from admin.app import create_app
    from tests.conftest import TEST_SECRET

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET,
                      "TRUSTED_PROXIES": 1})
    make_user("root", "admin")
    client = app.test_client()
    for _ in range(5):
        token = csrf_token(client)
        client.post("/login", data={"username": "root", "password": "guess",
                                    "csrf_token": token},
                    headers={"X-Forwarded-For": ATTACKER},
                    environ_base={"REMOTE_ADDR": "127.0.0.1"})
    from org.models import LoginThrottle

    assert [r.key for r in LoginThrottle.select().order_by(LoginThrottle.key)] == [
        f"acct:root@{ATTACKER}", f"addr:{ATTACKER}"]
