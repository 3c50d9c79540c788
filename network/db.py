"""One database object for every model, bound at start-up from DATABASE_URL.

SQLite (WAL, foreign keys on) is the embedded default; PostgreSQL is production. Both go
through the same models and the same migrations.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import peewee
from playhouse.db_url import connect

db = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000,
    # WAL makes NORMAL safe (a power cut may lose the last commits, never corrupts the file)
    # and saves a sync per commit.
    "synchronous": "normal",
    # Up to 64 MiB of pages per connection instead of 2 MiB, allocated only as used: a large
    # import then updates its indexes in memory instead of spilling pages to the WAL and
    # reading them back (100k cases into a 100k ledger: the inserts took 4.7 s, then 2.4 s).
    "cache_size": -64 * 1024,
}


def N_(text: str) -> str:
    """Mark a domain label for translation without importing Babel here.

    The web layer passes these labels through gettext; `pybabel extract -k N_` finds them.
    """
    return text


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


def open_database(url: str) -> peewee.Database:
    """Connect the proxy to the database named by `url` and return the real database."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        database = connect(url, pragmas=SQLITE_PRAGMAS)
    else:
        database = connect(url)
    db.initialize(database)
    return database


def is_postgres() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)


def id_list(field: peewee.Field) -> peewee.Node:
    """An aggregate: the group's values of the integer `field` as one text, "3,1,2" (in no
    particular order; `split_ids` sorts). A province's ~300,000 evidence ids come back as
    30,000 texts, one a mediator, instead of 300,000 rows for Python to group."""
    if is_postgres():
        return peewee.fn.string_agg(field.cast("text"), ",").coerce(False)
    return peewee.fn.group_concat(field).coerce(False)


def split_ids(text: str | None) -> list[int]:
    """The ids of an `id_list` text, in ascending order."""
    return sorted(map(int, text.split(","))) if text else []


def prefix_match(field: peewee.Field, prefix: str) -> peewee.Expression:
    """`field` starts with `prefix`, written so that each backend can use a plain index.

    SQLite uses its index for GLOB (case-sensitive) but not for LIKE; PostgreSQL uses a
    `text_pattern_ops` index for LIKE. peewee renders its LIKE operator as GLOB on SQLite, so
    only the wildcard differs. Prefixes here are digits and slashes: nothing to escape.
    """
    return field % (prefix + ("*" if not is_postgres() else "%"))


def text_prefix(field: peewee.Field, text: str) -> peewee.Expression:
    """`field` starts with `text` as a user typed it: prefix_match with the wildcards of
    `text` taken literally (a `[` class for GLOB, a backslash for LIKE). Case-sensitive on
    both backends, so both answer the same and each can use its index."""
    if is_postgres():
        escaped = re.sub(r"([\\%_])", r"\\\1", text)
        return field % (escaped + "%")
    return field % (re.sub(r"([*?\[])", r"[\1]", text) + "*")


def locked(query: peewee.ModelSelect) -> peewee.ModelSelect:
    """`query` with its rows locked to the end of the transaction on PostgreSQL (FOR UPDATE):
    a service reads what is stored now before it writes, not what a page loaded. SQLite has
    no row locks; its writers take turns anyway."""
    return query.for_update() if is_postgres() else query


@contextmanager
def planner(settings: dict[str, str]) -> Iterator[None]:
    """PostgreSQL planner settings for the statements inside, then set back to what they were
    (for the rest of the transaction: set_config(…, true) lasts until its end). Nothing on
    SQLite."""
    if not is_postgres():
        yield
        return
    names = list(settings)
    before = db.execute_sql("SELECT " + ", ".join("current_setting(%s)" for _ in names),
                            names).fetchone()
    pairs = [x for name in names for x in (name, settings[name])]
    db.execute_sql("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names), pairs)
    try:
        yield
    finally:
        db.execute_sql("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                       [x for name, value in zip(names, before, strict=True)
                        for x in (name, value)])
