"""The command line: `db upgrade`, `demo`, `users create`, `users token` (exit codes, messages)."""
from __future__ import annotations

import pytest

from network.db import db
from network.models import AuditLog, Organization
from org.accounts import authenticate, scope_of, user_for_token
from org.models import ApiToken, Mediator, User
from tests.conftest import PASSWORD


def run(runner, *args):
    return runner.invoke(args=list(args))


def test_db_upgrade_is_idempotent(runner, database):
    tables = sorted(db.get_tables())
    applied = db.execute_sql("SELECT COUNT(*) FROM migratehistory").fetchone()[0]
    assert applied >= 1  # the session's schema came from the migrations
    for _ in range(2):
        result = run(runner, "db", "upgrade")
        assert result.exit_code == 0, result.output
        assert "已是最新" in result.output
    assert sorted(db.get_tables()) == tables
    assert db.execute_sql("SELECT COUNT(*) FROM migratehistory").fetchone()[0] == applied


def counts() -> dict:
    return {"orgs": Organization.select().count(), "mediators": Mediator.select().count(),
            "users": User.select().count(), "audit": AuditLog.select().count()}


def test_demo_is_idempotent_and_prints_logins(runner, database):
    from admin.demo import DEMO_LOGINS

    first = run(runner, "demo")
    assert first.exit_code == 0, first.output
    after_first = counts()
    # 1 city + 10 districts + 4+4+5+3+3+3+3+2+2+2 = 31 rooms
    assert after_first["orgs"] == 42
    assert after_first["users"] == 5
    assert after_first["mediators"] > 100

    second = run(runner, "demo")
    assert second.exit_code == 0, second.output
    assert counts() == after_first
    for output in (first.output, second.output):
        for username, password, _label in DEMO_LOGINS:
            assert username in output and password in output
    # The first run says what it is doing before the long part, in order; the second has
    # nothing to create.
    steps = ["正在检查数据库结构", "正在创建演示机构和调解员", "正在生成演示案件",
             "正在生成演示培训场次", "正在创建演示账号 admin", "演示数据："]
    positions = [first.output.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), first.output
    assert "正在生成演示案件" not in second.output
    assert "正在生成演示培训场次" not in second.output


def test_demo_accounts_have_chinese_names(runner, database):
    assert run(runner, "demo").exit_code == 0
    for user in User.select():
        assert user.display_name != user.username
        assert all("\u4e00" <= ch <= "\u9fff" for ch in user.display_name), user.display_name
    m0001 = User.get(User.username == "m0001")
    assert m0001.display_name == Mediator.get(Mediator.staff_no == "M0001").name


def test_demo_logins_work_with_their_scope(runner, database):
    from admin.demo import PASSWORD as DEMO_PASSWORD

    assert run(runner, "demo").exit_code == 0
    assert scope_of(authenticate("shinan", DEMO_PASSWORD)).code == "QD-02"
    assert scope_of(authenticate("huangdao", DEMO_PASSWORD)).code == "QD-11"
    assert scope_of(authenticate("admin", DEMO_PASSWORD)) is None
    mediator = authenticate("m0001", DEMO_PASSWORD)
    assert mediator.mediator.staff_no == "M0001"


# --- users create -----------------------------------------------------------------------------

@pytest.mark.parametrize("role, extra, org_code", [
    ("admin", [], None),
    ("manager", ["--station", "QD-02"], "QD-02"),
    ("trainer", ["--station", "QD"], "QD"),
])
def test_users_create_each_staff_role(runner, network, role, extra, org_code):
    result = run(runner, "users", "create", "newuser", "--role", role, *extra,
                 "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "newuser")
    assert user.role == role
    assert (user.organization.code if user.organization_id else None) == org_code
    assert authenticate("newuser", PASSWORD).id == user.id


def test_users_create_mediator_account_follows_station(runner, network, make_mediator):
    make_mediator(network["room3"], staff_no="HD001")
    result = run(runner, "users", "create", "hd001", "--role", "mediator", "--mediator",
                 "HD001", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "hd001")
    assert user.mediator.staff_no == "HD001"
    assert user.organization.code == "QD-11-01"
    assert scope_of(user).code == "QD-11-01"


@pytest.mark.parametrize("args, message", [
    (["--role", "manager", "--station", "NOPE"], "--station：「NOPE」不存在"),
    (["--role", "manager"], "--station：管理员和培训管理员必须指定所属机构"),
    (["--role", "trainer"], "管理员和培训管理员必须指定所属机构"),
    (["--role", "mediator"], "--mediator：调解员账号必须关联调解员工号"),
    (["--role", "mediator", "--mediator", "X999"], "「X999」不存在"),
])
def test_users_create_bad_references(runner, network, args, message):
    result = run(runner, "users", "create", "baduser", *args, "--password", PASSWORD)
    assert result.exit_code != 0
    assert message in result.stderr
    assert not User.select().where(User.username == "baduser").exists()


def test_users_create_short_password(runner, network):
    result = run(runner, "users", "create", "shorty", "--role", "admin", "--password", "abc")
    assert result.exit_code != 0
    assert "--password：密码至少8位" in result.stderr
    assert not User.select().where(User.username == "shorty").exists()


def test_users_create_duplicate_username(runner, network, make_user):
    make_user("taken", "manager", organization="QD-02")
    result = run(runner, "users", "create", "taken", "--role", "manager", "--station", "QD-11",
                 "--password", PASSWORD)
    assert result.exit_code != 0
    assert "用户名「taken」已存在" in result.stderr
    assert User.get(User.username == "taken").organization.code == "QD-02"


def test_users_create_bad_username_and_role(runner, network):
    result = run(runner, "users", "create", "x", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "用户名为3到40位" in result.stderr
    result = run(runner, "users", "create", "someone", "--role", "root", "--password", PASSWORD)
    assert result.exit_code != 0
    assert User.select().count() == 0


# --- users token ------------------------------------------------------------------------------

def test_users_token_last_line_is_a_working_token(runner, network, make_user):
    user = make_user("tok", "manager", organization="QD-11")
    result = run(runner, "users", "token", "tok")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert user_for_token(token).id == user.id
    assert ApiToken.select().where(ApiToken.user == user).count() == 1
    # Only the hash is stored.
    assert not ApiToken.select().where(ApiToken.token_hash == token).exists()
    audit = AuditLog.get(AuditLog.action == "token")
    assert audit.actor == "cli" and audit.object_repr == "tok"


def test_users_token_unknown_user(runner, database):
    result = run(runner, "users", "token", "ghost")
    assert result.exit_code != 0
    assert "账号「ghost」不存在" in result.stderr
    assert ApiToken.select().count() == 0
