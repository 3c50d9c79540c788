"""Backup and restore of the whole database, on either backend, as one file.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` (the server's own
tools: a consistent snapshot while the portal keeps running, and a restore that replaces
every table, sequence and index, including the migration history). SQLite: the online backup
API, which copies a consistent image page by page while other connections keep writing,
where copying the file could catch it half-written (WAL).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import peewee as pw

from .db import db, is_postgres
from .errors import DomainError, Msg


def _pg_command(tool: str, database: pw.PostgresqlDatabase) -> tuple[list[str], dict]:
    if shutil.which(tool) is None:
        raise DomainError(Msg("找不到 PostgreSQL 客户端工具 %(tool)s，请先安装", tool=tool))
    params = database.connect_params
    command = [tool, "--no-owner", "--dbname", database.database,
               "--host", str(params.get("host") or "127.0.0.1"),
               "--port", str(params.get("port") or 5432),
               "--username", str(params.get("user") or "postgres")]
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return command, env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise DomainError(Msg("%(tool)s 失败：%(reason)s", tool=Path(command[0]).name,
                              reason=reason[-1] if reason else str(done.returncode)))


def backup(path: str | Path) -> Path:
    """Write the whole database to `path` (PostgreSQL custom format, or an SQLite file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgres():
        command, env = _pg_command("pg_dump", db.obj)
        _run([*command, "--format=custom", "--file", str(path)], env)
        return path
    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    try:
        db.connection().backup(target)
    finally:
        target.close()
    return path


def restore(path: str | Path) -> None:
    """Replace the whole database by the backup at `path` (made by `backup` on the same
    backend). Every table is replaced, so what was written since the backup is lost."""
    path = Path(path)
    if not path.is_file():
        raise DomainError(Msg("备份文件「%(path)s」不存在", path=str(path)))
    if is_postgres():
        command, env = _pg_command("pg_restore", db.obj)
        if not db.is_closed():
            db.close()  # pg_restore --clean drops tables this connection may hold locks on
        _run([*command, "--clean", "--if-exists", "--single-transaction", str(path)], env)
        return
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise DomainError(Msg("「%(path)s」不是 SQLite 备份文件", path=str(path)))
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(db.connection())
    finally:
        source.close()
