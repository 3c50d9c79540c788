"""Command line: `flask --app wsgi db|demo|users|import|start ...`."""
from __future__ import annotations

import sys

import click
from flask import Blueprint, current_app

from network.errors import DomainError

cli_bp = Blueprint("cli", __name__, cli_group=None)


@cli_bp.cli.group("db")
def db_group():
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade():
    """Apply pending migrations."""
    from .schema import upgrade

    applied = upgrade()
    click.echo(f"已应用 {len(applied)} 个迁移" + (f"：{', '.join(applied)}" if applied else "（已是最新）"))


@cli_bp.cli.command("demo")
def demo():
    """Load the demo network and people (idempotent) and print the demo logins."""
    from .demo import DEMO_LOGINS, load_demo
    from .schema import upgrade

    upgrade()
    summary = load_demo()
    click.echo(summary)
    click.echo("演示账号 / demo logins:")
    for username, password, role in DEMO_LOGINS:
        click.echo(f"  {username:<12} {password:<14} {role}")


@cli_bp.cli.command("start")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def start(host: str, port: int):
    """Migrate, load the demo data on first start, print the logins and serve the portal."""
    from werkzeug.serving import run_simple

    ctx = click.get_current_context()
    ctx.invoke(demo)
    click.echo(f"门户地址 / portal: http://{host}:{port}/")
    run_simple(host, port, current_app._get_current_object(), threaded=True,
               use_reloader=False)


@cli_bp.cli.group("users")
def users_group():
    """Portal accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "manager", "trainer",
                                                          "mediator"]))
@click.option("--station", "station", default=None, help="所属机构编码")
@click.option("--mediator", "mediator", default=None, help="调解员工号")
@click.option("--password", required=True)
@click.option("--name", "display_name", default="")
def users_create(username, role, station, mediator, password, display_name):
    """Create an account."""
    from org.accounts import create_user

    try:
        user = create_user({"username": username, "role": role, "organization": station,
                            "mediator": mediator, "password": password,
                            "display_name": display_name}, actor=None)
    except DomainError as exc:
        errors = getattr(exc, "errors", {exc.field or "error": exc.message})
        for field, msg in errors.items():
            click.echo(f"{field}: {msg}", err=True)
        sys.exit(1)
    click.echo(f"已创建账号 {user.username}（{user.role}）")


@users_group.command("token")
@click.argument("username")
def users_token(username):
    """Print a new API token for the account (the last line of output)."""
    from org.accounts import User, issue_token

    user = User.get_or_none(User.username == username)
    if user is None:
        click.echo(f"账号「{username}」不存在", err=True)
        sys.exit(1)
    click.echo(f"API 令牌（{username}），请求头：Authorization: Bearer <令牌>")
    click.echo(issue_token(user, actor="cli"))


@cli_bp.cli.group("i18n")
def i18n_group():
    """Translation catalogues."""


@i18n_group.command("update")
def i18n_update():
    """Re-extract the source strings, update and compile the English catalogue.

    Exits non-zero while some message still lacks an English translation (they are listed).
    """
    from .i18n_tools import po_path, refresh

    missing = refresh()
    for msgid in missing:
        click.echo(f"未翻译 / untranslated: {msgid}")
    click.echo(f"{po_path()}：{len(missing)} 条待翻译 / untranslated")
    sys.exit(1 if missing else 0)
