"""Command line: `flask --app wsgi db|demo|users|import|start ...`.

Messages are Chinese, or English with `PORTAL_LANG=en` (not the shell's LANG: servers here
often run with an English LANG for people who read Chinese).
"""
from __future__ import annotations

import os
import sys

import click
from flask import Blueprint, current_app
from flask_babel import force_locale

from network.errors import DomainError, Msg

from .forms import tr

cli_bp = Blueprint("cli", __name__, cli_group=None)


def _text(message: Msg | str) -> str:
    if os.environ.get("PORTAL_LANG", "").lower().startswith("en"):
        with force_locale("en"):
            return tr(message)
    return str(message)


def say(message: Msg | str, *, err: bool = False) -> None:
    """Print a message in the command line's language (`PORTAL_LANG`)."""
    click.echo(_text(message), err=err)


@cli_bp.cli.group("db")
def db_group():
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade():
    """Apply pending migrations."""
    from .schema import upgrade

    applied = upgrade()
    if applied:
        say(Msg("已应用 %(n)d 个迁移：%(names)s", n=len(applied), names=", ".join(applied)))
    else:
        say(Msg("已应用 0 个迁移（已是最新）"))


@cli_bp.cli.command("demo")
def demo():
    """Load the demo network and people (idempotent) and print the demo logins."""
    from .demo import DEMO_LOGINS, load_demo
    from .schema import upgrade

    say(Msg("正在检查数据库结构……"))
    upgrade()
    say(Msg("正在准备演示数据（首次启动约需 15 秒）……"))
    summary = load_demo(progress=say)
    say(summary)
    click.echo("演示账号 / demo logins:")
    for username, password, role in DEMO_LOGINS:
        click.echo(f"  {username:<12} {password:<14} {role}")


@cli_bp.cli.command("start")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def start(host: str, port: int):
    """Migrate, load the demo data on first start, print the logins and serve the portal."""
    from werkzeug.serving import run_simple

    from network.jobs import fail_interrupted

    ctx = click.get_current_context()
    ctx.invoke(demo)
    fail_interrupted()  # one process: nothing else can be running a job now
    click.echo(f"门户地址 / portal: http://{host}:{port}/")
    run_simple(host, port, current_app._get_current_object(), threaded=True,
               use_reloader=False)


@cli_bp.cli.group("users")
def users_group():
    """Portal accounts."""


# The service reports errors by field; name the option the user typed instead.
USER_OPTIONS = {"username": "USERNAME", "role": "--role", "organization": "--station",
                "mediator": "--mediator", "password": "--password"}


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
            say(Msg("%(option)s：%(msg)s", option=USER_OPTIONS.get(field, field), msg=msg),
                err=True)
        sys.exit(1)
    say(Msg("已创建账号 %(name)s（%(role)s）", name=user.username, role=user.role))


@users_group.command("token")
@click.argument("username")
def users_token(username):
    """Print a new API token for the account (the last line of output)."""
    from org.accounts import issue_token
    from org.models import User

    user = User.get_or_none(User.username == username)
    if user is None:
        say(Msg("账号「%(name)s」不存在", name=username), err=True)
        sys.exit(1)
    say(Msg("API 令牌（%(name)s），请求头：Authorization: Bearer <令牌>", name=username))
    click.echo(issue_token(user, actor="cli"))


@users_group.command("revoke-tokens")
@click.argument("username")
@click.option("--token", "token_id", type=int, default=None, help="只吊销该编号的令牌")
def users_revoke_tokens(username, token_id):
    """Revoke the account's API tokens (all, or one by --token ID)."""
    from org.accounts import User, revoke_tokens

    user = User.get_or_none(User.username == username)
    if user is None:
        say(Msg("账号「%(name)s」不存在", name=username), err=True)
        sys.exit(1)
    count = revoke_tokens(user, actor="cli", token_id=token_id)
    say(Msg("已吊销 %(n)d 个令牌（%(name)s）", n=count, name=username))


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


@cli_bp.cli.group("import")
def import_group():
    """Import stations or mediators from CSV/XLSX (all rows or none), or write a template."""


def _on_terminal() -> bool:
    """A progress bar only makes sense for a person watching, not for a log or a pipe."""
    return sys.stdout.isatty()


def _import_file(kind: str, path: str, scope_code: str | None) -> None:
    from network.imports import IMPORT_KINDS, run_import
    from network.models import Organization

    scope = None
    if scope_code:
        scope = Organization.get_or_none(Organization.code == scope_code)
        if scope is None:
            say(Msg("管辖范围机构「%(code)s」不存在", code=scope_code), err=True)
            sys.exit(2)
    spec = IMPORT_KINDS[kind]
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=_text(Msg("导入中")))
            bar.__enter__()
        bar.update(done - bar.pos)

    result = run_import(spec, path, actor="cli", scope=scope,
                        progress=progress if _on_terminal() else None)
    if bar is not None:
        bar.__exit__(None, None, None)
    label = Msg(spec.label)
    for note in result.mapped:  # 「名称」按「机构名称」读取: what the file called otherwise
        say(note)
    for warning in result.warnings:  # passed, but worth a look (a session on a holiday)
        say(Msg("提醒：%(msg)s", msg=warning.as_msg()))
    if not result.ok:
        for error in result.errors:
            say(error.as_msg(), err=True)
        say(Msg("导入失败：发现 %(n)d 处错误，未导入任何数据", n=len(result.errors)), err=True)
        sys.exit(1)
    say(Msg("导入完成（%(kind)s）：共 %(total)d 行，新增 %(created)d，更新 %(updated)d，"
            "无变化 %(unchanged)d", kind=label, total=result.total, created=result.created,
            updated=result.updated, unchanged=result.unchanged))


def _register_import(kind: str, help_text: str) -> None:
    """`flask --app wsgi import KIND FILE [--scope CODE]`, the same for every kind."""

    @import_group.command(kind, help=help_text)
    @click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
    @click.option("--scope", "scope_code", default=None,
                  help="只允许导入该机构（编码）管辖范围内的行")
    def command(path: str, scope_code: str | None):
        _import_file(kind, path, scope_code)


def register_imports() -> None:
    """One `import KIND` command per registered import kind, and `import template KIND`;
    called by the app factory once every package has registered its kinds."""
    from network.imports import IMPORT_KINDS

    for kind, spec in IMPORT_KINDS.items():
        if kind not in import_group.commands:
            _register_import(kind, spec.help)
    if "template" not in import_group.commands:
        import_group.add_command(click.Command(
            "template", callback=import_template, help=import_template.__doc__,
            params=[click.Argument(["kind"], type=click.Choice(list(IMPORT_KINDS))),
                    click.Argument(["out"], metavar="OUT.xlsx|OUT.csv",
                                   type=click.Path(dir_okay=False))]))


def import_template(kind: str, out: str):
    """Write the import template (headers and one example row) for KIND."""
    from network.imports import IMPORT_KINDS, template_file

    fmt = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if fmt not in ("csv", "xlsx"):
        say(Msg("模板文件名须以 .csv 或 .xlsx 结尾"), err=True)
        sys.exit(2)
    with open(out, "wb") as fh:
        fh.write(template_file(IMPORT_KINDS[kind], fmt))
    say(Msg("已生成模板：%(path)s", path=out))


@cli_bp.cli.command("backup")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
def backup_command(path: str):
    """Write the whole database to FILE (pg_dump custom format, or an SQLite file)."""
    from network.backup import backup

    try:
        backup(path)
    except DomainError as exc:
        raise click.ClickException(_text(exc.message)) from None
    say(Msg("已备份到 %(path)s", path=path))


@cli_bp.cli.command("restore")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: str, yes: bool):
    """Replace the whole database by the backup FILE (made by `backup` on the same backend)."""
    from network.backup import restore

    if not yes:
        click.confirm(_text(Msg("恢复将覆盖当前数据库的全部数据，继续吗？")), abort=True)
    try:
        restore(path)
    except DomainError as exc:
        raise click.ClickException(_text(exc.message)) from None
    say(Msg("已从 %(path)s 恢复", path=path))


@cli_bp.cli.group("jobs")
def jobs_group():
    """Background import jobs."""


@jobs_group.command("recover")
def jobs_recover():
    """Mark failed the import jobs a stopped server left running (run before starting)."""
    from network.jobs import fail_interrupted

    say(Msg("已将 %(n)d 个中断的导入任务标记为失败", n=fail_interrupted()))


@cli_bp.cli.group("stats")
def stats_group():
    """Case statistics (monthly, daily, type × source and open-case rollups)."""


@stats_group.command("rebuild")
def stats_rebuild():
    """Recompute every monthly, daily, type × source and open-case rollup row from the case
    ledger."""
    from evaluation.rollups import rebuild

    rows = rebuild()
    say(Msg("已重建统计：%(n)d 行（机构 × 月份，上级机构 × 日，上级机构 × 月份 × 纠纷类型 × 案件来源，"
            "机构 × 受理月份的在办案件，机构 × 调解员 × 年度）", n=rows))


@stats_group.command("report")
@click.argument("code")
@click.argument("period")
@click.argument("out", metavar="OUT.xlsx", type=click.Path(dir_okay=False))
def stats_report(code: str, period: str, out: str):
    """Write the statistical report of unit CODE for PERIOD (2025, 2025Q1 or 2025-03)."""
    from evaluation.periods import parse_period
    from evaluation.report import build_report
    from network.models import Organization

    org = Organization.get_or_none(Organization.code == code.strip())
    if org is None:
        raise click.ClickException(_text(Msg("机构编码「%(code)s」不存在", code=code)))
    try:
        chosen = parse_period(period)
    except ValueError as exc:
        raise click.ClickException(_text(exc.args[0])) from None
    build_report(org, chosen).save(out)
    say(Msg("已生成统计报表：%(path)s（%(name)s，%(start)s 至 %(end)s）", path=out,
            name=org.name, start=chosen.start.isoformat(), end=chosen.end.isoformat()))
