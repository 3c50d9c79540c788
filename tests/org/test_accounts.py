import datetime as dt

import pytest

from network.errors import DomainError, OutOfScope
from network.models import AuditLog
from org.accounts import authenticate, create_user, scope_of, unlock_user, update_user
from org.models import User
from tests.conftest import PASSWORD

T0 = dt.datetime(2025, 3, 1, 10, 0, 0)


@pytest.fixture
def users(network, make_user):
    return {
        "root": make_user("root", role="admin"),
        "m02": make_user("m02", role="manager", organization=network["shinan"]),
        "t02": make_user("t02", role="trainer", organization=network["room1"]),
        **network,
    }


def fail(times, at):
    for _ in range(times):
        with pytest.raises(DomainError):
            authenticate("t02", "wrong-password", at=at)


def test_five_failures_lock_for_fifteen_minutes(users):
    fail(4, T0)
    assert User.get(User.username == "t02").locked_until is None
    with pytest.raises(DomainError) as err:
        authenticate("t02", "wrong-password", at=T0)
    assert "已锁定15分钟" in str(err.value)
    assert User.get(User.username == "t02").locked_until == T0 + dt.timedelta(minutes=15)
    # Even the right password is refused while locked...
    with pytest.raises(DomainError) as err:
        authenticate("t02", PASSWORD, at=T0 + dt.timedelta(minutes=14, seconds=59))
    assert "账号已锁定" in str(err.value)
    # ...and accepted once the 15 minutes are over.
    assert authenticate("t02", PASSWORD, at=T0 + dt.timedelta(minutes=15)).username == "t02"
    assert AuditLog.select().where(AuditLog.action == "lock").count() == 1


def test_success_resets_the_failure_count(users):
    fail(4, T0)
    authenticate("t02", PASSWORD, at=T0)
    fail(4, T0)
    assert User.get(User.username == "t02").locked_until is None


def test_unknown_user_and_wrong_password_say_the_same(users):
    with pytest.raises(DomainError) as unknown:
        authenticate("nobody", PASSWORD)
    with pytest.raises(DomainError) as wrong:
        authenticate("t02", "nope")
    assert str(unknown.value) == str(wrong.value) == "用户名或密码错误"


def test_unlock_by_manager_is_audited(users):
    fail(5, T0)
    unlock_user(User.get(User.username == "t02"), actor=users["m02"])
    saved = User.get(User.username == "t02")
    assert (saved.locked_until, saved.failed_logins) == (None, 0)
    log = AuditLog.get(AuditLog.action == "unlock")
    assert (log.actor, log.org_path) == ("m02", users["room1"].path)
    assert authenticate("t02", PASSWORD, at=T0).username == "t02"


def test_manager_cannot_unlock_outside_subtree(users, make_user):
    other = make_user("t11", role="trainer", organization=users["room3"])
    other.locked_until = T0
    other.save()
    with pytest.raises(OutOfScope):
        unlock_user(other, actor=users["m02"])
    assert User.get_by_id(other.id).locked_until == T0


def test_manager_rights_when_creating_and_editing(users):
    with pytest.raises(OutOfScope):
        create_user({"username": "boss", "role": "admin", "password": "Secret123"},
                    actor=users["m02"])
    with pytest.raises(OutOfScope):
        create_user({"username": "spy", "role": "trainer", "organization": users["room3"],
                     "password": "Secret123"}, actor=users["m02"])
    with pytest.raises(OutOfScope):
        create_user({"username": "x01", "role": "trainer", "organization": users["shinan"],
                     "password": "Secret123"}, actor=users["t02"])
    with pytest.raises(OutOfScope):
        update_user(users["t02"], {"role": "admin"}, actor=users["m02"])
    assert not User.select().where(User.username.in_(["boss", "spy", "x01"])).exists()
    assert User.get_by_id(users["t02"].id).role == "trainer"
    made = create_user({"username": "t0202", "role": "manager", "organization": users["room2"],
                        "password": "Secret123"}, actor=users["m02"])
    assert scope_of(made).id == users["room2"].id
