"""Writing many rows at once, for the case import, the rollups and the benchmark generator.

peewee's insert_many builds every parameter through the query compiler (~8,000 rows/s on
PostgreSQL here), which would cap a 100k-row import at well over ten seconds. These helpers
convert values once (inserts: none, the rows hold typed values), then hand the rows to the
driver: PostgreSQL COPY (inserts) or psycopg2's page-wise execution, SQLite `executemany`.
They run on the connection of the current transaction, so an all-or-nothing import stays
all-or-nothing.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import peewee as pw

from network.db import db, is_postgres

PAGE = 1000


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(model: type[pw.Model], fields: Sequence[str]) -> tuple[list[pw.Field], str]:
    meta_fields = [model._meta.fields[name] for name in fields]
    return meta_fields, ", ".join(_quote(f.column_name) for f in meta_fields)


def _converted(meta_fields: list[pw.Field], rows: Iterable[Sequence[Any]]):
    converters = [f.db_value for f in meta_fields]
    for row in rows:
        yield tuple(conv(value) for conv, value in zip(converters, row, strict=True))


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    return text


def insert(model: type[pw.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in the order of `fields`); returns the count.

    Values must already be of the fields' Python types (ids for foreign keys, dates,
    Decimals, bools): the hot path of an import skips `db_value`, which would only return
    them unchanged."""
    meta_fields, columns = _columns(model, fields)
    table = _quote(model._meta.table_name)
    count = 0
    cursor = db.cursor()
    if is_postgres():
        buffer = io.StringIO()
        for row in rows:  # _copy_text writes Python values as PostgreSQL reads them
            buffer.write("\t".join(_copy_text(v) for v in row))
            buffer.write("\n")
            count += 1
        buffer.seek(0)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        return count
    marks = ", ".join("?" for _ in meta_fields)
    batch: list[tuple] = []
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    for row in rows:  # sqlite3 adapts dates, datetimes and Decimals as peewee registered
        batch.append(tuple(row))
        if len(batch) >= PAGE * 10:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    return count


def _many(sql: str, rows: list[tuple]) -> None:
    """Run one parameterised statement for every row (`%s` placeholders)."""
    cursor = db.cursor()
    if is_postgres():
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql, rows, page_size=PAGE)
    else:
        cursor.executemany(sql.replace("%s", "?"), rows)


def update(model: type[pw.Model], fields: Sequence[str],
           rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
    """Set `fields` of the rows given as (primary key, values in the order of `fields`)."""
    meta_fields, _ = _columns(model, fields)
    assignments = ", ".join(f"{_quote(f.column_name)} = %s" for f in meta_fields)
    pk = model._meta.primary_key
    sql = (f"UPDATE {_quote(model._meta.table_name)} SET {assignments} "
           f"WHERE {_quote(pk.column_name)} = %s")
    rows = list(rows)
    values = _converted(meta_fields, (row_values for _, row_values in rows))
    data = [(*converted, pk.db_value(key)) for (key, _), converted in zip(rows, values,
                                                                          strict=True)]
    if data:
        _many(sql, data)


def upsert_add(model: type[pw.Model], keys: Sequence[str], counts: Sequence[str],
               rows: list[Sequence[Any]]) -> None:
    """Insert rows of (keys…, counts…), or add the counts to the row with the same keys."""
    meta_fields, columns = _columns(model, [*keys, *counts])
    table = _quote(model._meta.table_name)
    conflict = ", ".join(_quote(f.column_name) for f in meta_fields[:len(keys)])
    adds = ", ".join(f"{_quote(f.column_name)} = {table}.{_quote(f.column_name)} "
                     f"+ excluded.{_quote(f.column_name)}" for f in meta_fields[len(keys):])
    head = f"INSERT INTO {table} ({columns}) VALUES "
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {adds}"
    data = list(_converted(meta_fields, rows))
    if not data:
        return
    if is_postgres():
        # COPY into a scratch table, then one INSERT … SELECT: far quicker than VALUES pages.
        scratch = _quote(f"scratch_{model._meta.table_name}")
        db.execute_sql(f"CREATE TEMP TABLE {scratch} AS SELECT {columns} FROM {table} "
                       f"WITH NO DATA")
        try:
            buffer = io.StringIO("".join("\t".join(_copy_text(v) for v in row) + "\n"
                                         for row in data))
            db.cursor().copy_expert(f"COPY {scratch} ({columns}) FROM STDIN", buffer)
            db.execute_sql(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {scratch}"
                           + tail)
        finally:
            db.execute_sql(f"DROP TABLE IF EXISTS {scratch}")
    else:
        marks = ", ".join("?" for _ in meta_fields)
        db.cursor().executemany(head + f"({marks})" + tail, data)
