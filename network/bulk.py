"""Writing many rows at once, for the imports (cases, attendance), the rollups and the
benchmark generator. Here in network, below the domain packages, so that each may use it
(evaluation and training may not import each other).

peewee's insert_many builds every parameter through the query compiler (~8,000 rows/s on
PostgreSQL here), which would cap a 100k-row import at well over ten seconds. These helpers
convert values once (inserts: none, the rows hold typed values), then hand the rows to the
driver: PostgreSQL COPY (inserts) or psycopg2's page-wise execution, SQLite `executemany`.
They run on the connection of the current transaction, so an all-or-nothing import stays
all-or-nothing.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import json
import queue
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import peewee as pw

from network.db import db, is_postgres, planner

PAGE = 1000
# Rows an ordered Inserter sorts at a time on PostgreSQL: long enough that a large table's
# indexes take each run a few leaf pages per key, short enough that the server indexes one
# run while the next is checked (runs of 10k, 25k and 50k measured alike at 1M and 10M).
RUN = 25_000
# what runs a statement on PostgreSQL: db.execute_sql, or an Inserter's `execute` (in order
# behind its rows)
Runner = Callable[[str, Sequence[Any]], Any]
_STAGES = itertools.count(1)

# While a COPY thread runs, the interpreter hands the GIL over every 0.5 ms instead of 5 ms.
# The thread needs the GIL back after each call into the driver, and the checking thread
# keeps it for a whole switch interval: 100k rows spent 3.1 s in COPY calls the server ran
# in 1.9 s (psql), and the import ran at ~17–20k rows/s instead of ~22k (tests/bench).
COPY_SWITCH_INTERVAL = 0.0005
_switching = threading.Lock()
_copying = 0
_saved_interval = 0.005


def _copy_started() -> None:
    global _copying, _saved_interval
    with _switching:
        if _copying == 0:
            _saved_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved_interval, COPY_SWITCH_INTERVAL))
        _copying += 1


def _copy_ended() -> None:
    global _copying
    with _switching:
        _copying -= 1
        if _copying == 0:
            sys.setswitchinterval(_saved_interval)


def _first(pair: tuple) -> Any:
    return pair[0]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(model: type[pw.Model], fields: Sequence[str]) -> tuple[list[pw.Field], str]:
    meta_fields = [model._meta.fields[name] for name in fields]
    return meta_fields, ", ".join(_quote(f.column_name) for f in meta_fields)


def _converted(meta_fields: list[pw.Field], rows: Iterable[Sequence[Any]]):
    converters = [f.db_value for f in meta_fields]
    for row in rows:
        yield tuple(conv(value) for conv, value in zip(converters, row, strict=True))


def _escaped(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    return text


def _copy_formatter(field: pw.Field):
    """The COPY text of one column's values (NULL as \\N), chosen once per column: a row of an
    import is then formatted with one call per value, without asking each value its type."""
    if isinstance(field, pw.BooleanField):
        def fmt(v):
            return "\\N" if v is None else ("t" if v else "f")
    elif isinstance(field, (pw.DateField, pw.DateTimeField)):
        def fmt(v):
            return "\\N" if v is None else _iso(v)
    elif isinstance(field, (pw.IntegerField, pw.ForeignKeyField, pw.DecimalField,
                            pw.FloatField)):
        def fmt(v):
            return "\\N" if v is None else str(v)
    else:
        def fmt(v):
            return "\\N" if v is None else _escaped(v if type(v) is str else str(v))
    return fmt


@functools.lru_cache(maxsize=4096)
def _iso(value: dt.date) -> str:
    """Dates and datetimes as sqlite3's own default adapters write them (PostgreSQL reads the
    same). Remembered: an import's dates are a few hundred days, and its stamp is the same on
    every row (100k rows, 400k values: ~0.15 s less)."""
    return value.isoformat(" ") if isinstance(value, dt.datetime) else value.isoformat()


def _sqlite_texts(meta_fields: list[pw.Field]) -> list[tuple[int, Any]]:
    """(position, formatter) of the columns whose values sqlite3 would otherwise adapt through
    a Python callback per value (dates, datetimes, Decimals): done here in one loop, the text
    stored is the same and 100k rows insert ~1.4 s sooner."""
    out = []
    for i, field in enumerate(meta_fields):
        if isinstance(field, (pw.DateField, pw.DateTimeField)):
            out.append((i, _iso))
        elif isinstance(field, pw.DecimalField):
            out.append((i, str))  # the adapter peewee registers for Decimal
    return out


def insert(model: type[pw.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in the order of `fields`); returns the count.

    Values must already be of the fields' Python types (ids for foreign keys, dates,
    Decimals, bools): the hot path of an import skips `db_value`, which would only return
    them unchanged."""
    with Inserter(model, fields) as sink:
        for row in rows:
            sink.add(row)
    return sink.count


class Inserter:
    """Rows inserted while they are still being produced (`add`), all written by `close`.

    On PostgreSQL a helper thread runs one COPY per page on the transaction's connection, so
    the server parses, checks and indexes one page while Python checks the next rows: the
    import's two halves overlap on two cores. One COPY per page, not one for the stream: the
    server checks foreign keys once a statement ends (after-row triggers), which for a single
    COPY of 100k rows was ~2.5 s of checks left to wait for after the last row. The caller
    must not use the connection between the first `add` and `close`. On SQLite, which runs in
    this process, pages of `executemany` as they fill (a writing thread would wait for the GIL
    at every row).
    """

    def __init__(self, model: type[pw.Model], fields: Sequence[str], table: str | None = None,
                 *, order_by: Sequence[str] = ()):
        """`table`: another (quoted) table with the model's columns, e.g. a scratch copy.

        `order_by` (field names): the rows reach the table sorted by those fields, so that a
        large table's indexes take them clustered, a few leaf pages per key (station, day)
        instead of one random page per row (at 10M cases the random order made the import's
        cost per row grow with the table). On PostgreSQL a run of `RUN` rows at a time is
        sorted here (no None in those fields), and the server indexes one run while the next
        is checked; a scratch table sorted once at `close` left the whole insert to wait for
        the last row. On SQLite the scratch table is the quicker way: the engine sorts and
        inserts in C, where sorting runs here cost its import ~10 % (tests/bench/README.md)."""
        meta_fields, columns = _columns(model, fields)
        table = table or _quote(model._meta.table_name)
        self._order = [list(fields).index(name) for name in order_by] if is_postgres() else []
        self._run: list = []  # (key, row) of the run being gathered, when ordered
        self._final = None
        if order_by and not is_postgres():
            stage = _quote(f"stage_{model._meta.table_name}_{next(_STAGES)}")
            order = ", ".join(_quote(model._meta.fields[n].column_name) for n in order_by)
            db.execute_sql(f"CREATE TEMP TABLE {stage} AS SELECT {columns} FROM {table} "
                           "WHERE 1 = 0")
            self._final = (f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} "
                           f"ORDER BY {order}", f"DROP TABLE {stage}")
            table = stage
        self.count = 0
        self._page: list = []
        self._cursor = db.cursor()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._pages: queue.Queue = queue.Queue(maxsize=8)  # None ends the stream
        if is_postgres():
            self._formats = [_copy_formatter(f) for f in meta_fields]
            self._sql = f"COPY {table} ({columns}) FROM STDIN"
        else:
            self._formats = None
            self._texts = _sqlite_texts(meta_fields)
            marks = ", ".join("?" for _ in meta_fields)
            self._sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"

    def add(self, row: Sequence[Any]) -> None:
        self.count += 1
        if self._order:
            self._run.append((tuple(row[i] for i in self._order), row))
            if len(self._run) >= RUN:
                self._write_run()
            return
        self._add(row)

    def _write_run(self) -> None:
        run, self._run = self._run, []
        run.sort(key=_first)
        for _, row in run:
            self._add(row)

    def _add(self, row: Sequence[Any]) -> None:
        if self._formats is not None:
            self._page.append("\t".join([f(v) for f, v in zip(self._formats, row, strict=True)]))
        else:
            if self._texts:
                row = list(row)
                for i, fmt in self._texts:
                    if row[i] is not None:
                        row[i] = fmt(row[i])
            self._page.append(row)
        if len(self._page) >= PAGE * 2:
            self._flush()

    def _flush(self) -> None:
        if self._run:
            self._write_run()
        page, self._page = self._page, []
        if not page:
            return
        if self._formats is None:  # SQLite: a writing thread would wait for the GIL per row
            with pw.__exception_wrapper__:  # the driver's errors as peewee's, as for queries
                self._cursor.executemany(self._sql, page)
            return
        self._writer().put("\n".join(page) + "\n")

    def _writer(self) -> queue.Queue:
        if self._thread is None:
            self._thread = threading.Thread(target=self._copy, name="bulk-copy", daemon=True)
            _copy_started()
            self._thread.start()
        return self._pages

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a statement after the rows added so far, on the transaction's connection. On
        PostgreSQL the writing thread runs it, queued behind the pages: an import prepares
        its next statements (the kept figures) while the server still takes the rows,
        instead of first waiting for them (tests/bench/README.md)."""
        self._flush()
        if self._formats is None:
            db.execute_sql(sql, params)
        else:
            self._writer().put((sql, params))

    def _copy(self) -> None:
        while (page := self._pages.get()) is not None:
            if self._error is not None:
                continue  # take what the producer still sends, up to its end
            if isinstance(page, tuple):  # a statement queued by `execute`
                try:
                    self._cursor.execute(*page)
                except BaseException as exc:
                    self._error = exc
                continue
            try:
                # one read of the whole page: psycopg2 reads 8 KiB at a time by default, each
                # read taking the GIL back from the thread that checks rows
                self._cursor.copy_expert(self._sql, io.StringIO(page), size=len(page) + 1)
            except BaseException as exc:  # raised again by close(), in the producing thread
                self._error = exc

    def _end(self) -> None:
        if self._thread is not None:
            self._pages.put(None)
            self._thread.join()
            self._thread = None
            _copy_ended()

    def close(self) -> None:
        """Write what is left and wait for the database; raises its error, if any."""
        self._flush()
        self._end()
        if self._error is not None:
            error, self._error = self._error, None
            with pw.__exception_wrapper__:
                raise error
        if self._final is not None:
            final, self._final = self._final, None
            for sql in final:
                db.execute_sql(sql)

    def abandon(self) -> None:
        """Stop without the rows still held (the transaction is being rolled back)."""
        self._page = []
        self._run = []
        self._end()

    def __enter__(self) -> Inserter:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()


def _array_text(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal ('{…}') of plain values: sent as one text parameter and
    cast, where psycopg2 would send a Python list as ARRAY[…] with a literal per element,
    which the server parses as an expression each (20,000 pairs: ~3× the time)."""
    values = list(values)
    if all(type(v) in _NUMBERS for v in values):  # the usual column: ids, counts, sums
        return "{" + ",".join(map(str, values)) + "}"
    items = []
    for v in values:
        if v is None:
            items.append("NULL")
        elif type(v) is str:
            items.append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif isinstance(v, bool):
            items.append("t" if v else "f")
        elif isinstance(v, (dt.date, dt.datetime)):
            items.append('"' + _iso(v) + '"')
        else:
            items.append(str(v))
    return "{" + ",".join(items) + "}"


_NUMBERS = frozenset({int, Decimal, float})
# the array type each kind of field travels as (the table casts on the way in); the order
# matters, subclasses first
_PG_ARRAYS = ((pw.BigAutoField, "bigint"), (pw.BigIntegerField, "bigint"),
              (pw.SmallIntegerField, "smallint"), (pw.IntegerField, "integer"),
              (pw.DecimalField, "numeric"), (pw.FloatField, "double precision"),
              (pw.DateTimeField, "timestamp"), (pw.DateField, "date"),
              (pw.BooleanField, "boolean"))


def _pg_type(field: pw.Field) -> str:
    if isinstance(field, pw.ForeignKeyField):
        field = field.rel_field
    return next((name for kind, name in _PG_ARRAYS if isinstance(field, kind)), "text")


def _unnest(meta_fields: list[pw.Field], columns: list[list[Any]]) -> tuple[str, list[str]]:
    """`unnest(%s::type[], …)` over the given columns' values, with its parameters: many rows
    as one statement with a parameter per column, not per value."""
    sql = ", ".join(f"%s::{_pg_type(f)}[]" for f in meta_fields)
    return f"unnest({sql})", [_array_text(values) for values in columns]


def _many(sql: str, rows: list[tuple]) -> None:
    """Run one parameterised statement for every row (`%s` placeholders), on SQLite."""
    db.cursor().executemany(sql.replace("%s", "?"), rows)


def _set_by_key(model: type[pw.Model], fields: Sequence[str],
                rows: Iterable[tuple[int, Sequence[Any]]], adding: bool,
                run: Runner | None = None) -> None:
    """`update` and `add`: on PostgreSQL one UPDATE … FROM unnest(…) per call (keys must be
    distinct), on SQLite a statement per row through executemany."""
    meta_fields, _ = _columns(model, fields)
    pk = model._meta.primary_key
    table = _quote(model._meta.table_name)
    rows = list(rows)
    if not rows:
        return
    values = list(_converted(meta_fields, (row_values for _, row_values in rows)))
    keys = [pk.db_value(key) for key, _ in rows]
    if is_postgres():
        source, params = _unnest([*meta_fields, pk],
                                 [*(list(c) for c in zip(*values, strict=True)), keys])
        names = [_quote(f.column_name) for f in meta_fields]
        assignments = ", ".join(
            f"{n} = {table}.{n} + d.{n}" if adding else f"{n} = d.{n}" for n in names)
        key = _quote(pk.column_name)
        (run or db.execute_sql)(f"UPDATE {table} SET {assignments} FROM {source} "
                       f"AS d({', '.join(names)}, {key}) WHERE {table}.{key} = d.{key}",
                       params)
        return
    assignments = ", ".join(
        f"{_quote(f.column_name)} = {_quote(f.column_name)} + %s" if adding
        else f"{_quote(f.column_name)} = %s" for f in meta_fields)
    _many(f"UPDATE {table} SET {assignments} WHERE {_quote(pk.column_name)} = %s",
          [(*converted, key) for converted, key in zip(values, keys, strict=True)])


def update(model: type[pw.Model], fields: Sequence[str],
           rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
    """Set `fields` of the rows given as (primary key, values in the order of `fields`); each
    key at most once."""
    _set_by_key(model, fields, rows, adding=False)


def add(model: type[pw.Model], fields: Sequence[str],
        rows: Iterable[tuple[int, Sequence[Any]]], run: Runner | None = None) -> None:
    """Add to `fields` of the rows given as (primary key, amounts in the order of `fields`),
    each key at most once: kept counts moved by differences, read and written in the same
    statement. `run`: see upsert_add."""
    _set_by_key(model, fields, rows, adding=True, run=run)


def among(field: pw.Field, values: Iterable[Any]) -> pw.Node:
    """`field IN values` as one parameter, however many values: PostgreSQL `= ANY(array)`,
    SQLite `IN (SELECT value FROM json_each(…))`. peewee's `in_` compiles a parameter per
    value (15,000 工号 cost ~0.3 s to compile, in pages under SQLite's limit); both forms
    here still use the field's index. Values are plain ints or strings."""
    values = list(values)
    if is_postgres():
        return pw.NodeList((field, pw.SQL("= ANY(%s)", [values])))
    return pw.NodeList((field, pw.SQL("IN (SELECT value FROM json_each(?))",
                                      [json.dumps(values, ensure_ascii=False)])))


def select_pairs(model: type[pw.Model], keys: tuple[pw.Field, pw.Field],
                 pairs: Iterable[tuple[int, int]], columns: Sequence[pw.Field]) -> list[tuple]:
    """The rows (`columns`, as stored) whose two integer `keys` are one of `pairs`, each pair
    looked up through the index on the two: an import's existing records in a few statements
    instead of one per row. PostgreSQL takes the pairs as two arrays, each probed by a LATERAL
    sub-select (OFFSET 0 keeps it one, else the planner hashes the whole table: 20,000 pairs
    against 1M records, ~3x slower), 5,000 a statement (more would cost enough to start the
    JIT compiler, ~40 ms for nothing). SQLite joins pages of VALUES."""
    pairs = list(pairs)
    table = _quote(model._meta.table_name)
    first, second = (_quote(k.column_name) for k in keys)
    selected = ", ".join(f"t.{_quote(c.column_name)}" for c in columns)
    found: list[tuple] = []
    if is_postgres():
        sql = (f"SELECT {selected} FROM unnest(%s::integer[], %s::integer[]) AS p(a, b) "
               f"CROSS JOIN LATERAL (SELECT * FROM {table} t WHERE t.{first} = p.a "
               f"AND t.{second} = p.b OFFSET 0) t")
        for at in range(0, len(pairs), 5000):
            page = pairs[at:at + 5000]
            found.extend(db.execute_sql(sql, (_array_text([a for a, _ in page]),
                                              _array_text([b for _, b in page]))))
        return found
    for at in range(0, len(pairs), 2500):  # two parameters a pair, within SQLite's limit
        page = pairs[at:at + 2500]
        values = ", ".join("(?, ?)" for _ in page)
        sql = (f"WITH p(a, b) AS (VALUES {values}) SELECT {selected} FROM p "
               f"JOIN {table} t ON t.{first} = p.a AND t.{second} = p.b")
        found.extend(db.execute_sql(sql, [v for pair in page for v in pair]))
    return found


def upsert_add(model: type[pw.Model], keys: Sequence[str], counts: Sequence[str],
               rows: list[Sequence[Any]], run: Runner | None = None) -> None:
    """Insert rows of (keys…, counts…), or add the counts to the row with the same keys.
    Values are typed as for `insert`. `run`, on PostgreSQL, runs the statement instead of
    db.execute_sql: an Inserter's `execute` queues it behind the rows being written."""
    if not rows:
        return
    meta_fields, columns = _columns(model, [*keys, *counts])
    table = _quote(model._meta.table_name)
    conflict = ", ".join(_quote(f.column_name) for f in meta_fields[:len(keys)])
    adds = ", ".join(f"{_quote(f.column_name)} = {table}.{_quote(f.column_name)} "
                     f"+ excluded.{_quote(f.column_name)}" for f in meta_fields[len(keys):])
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {adds}"
    if is_postgres():
        # one statement over arrays: no scratch table (whose lock would last to the end of
        # the transaction, and whose creation and COPY cost more than the arrays)
        source, params = _unnest(meta_fields, [list(c) for c in zip(*rows, strict=True)])
        (run or db.execute_sql)(f"INSERT INTO {table} ({columns}) SELECT * FROM {source}"
                                + tail, params)
    else:
        marks = ", ".join("?" for _ in meta_fields)
        db.cursor().executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})" + tail,
                                rows)


# Parallel workers for a read however cheap the planner thinks it (its default costs keep a
# grouped pass over the cases half serial).
PARALLEL_READ = {"parallel_setup_cost": "0", "parallel_tuple_cost": "0"}


def insert_select(model: type[pw.Model], fields: Sequence[pw.Field], query: pw.Node) -> None:
    """Insert the rows `query` selects into `fields` of `model`'s table, which holds none of
    their keys yet (a rebuild): plain inserts, no conflict check per row.

    On PostgreSQL the rows are read with COPY (query) TO STDOUT and written back with COPY
    FROM STDIN through a scratch file: an INSERT … SELECT never runs its SELECT in parallel
    (PostgreSQL 15), a plain read does. At 10M cases on 2 cores the rebuild's monthly sums
    took 18.2 s as INSERT … SELECT, their read 11.2 s this way, and the whole rebuild
    69.6 → 47.4 s (tests/bench/README.md). Call it inside a transaction: the planner
    settings of the read last until its end.
    """
    if not is_postgres():
        model.insert_from(query, list(fields)).execute()
        return
    sql, params = db.get_sql_context().sql(query).query()
    cursor = db.cursor()
    columns = ", ".join(_quote(f.column_name) for f in fields)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as rows, planner(PARALLEL_READ):
        cursor.copy_expert(cursor.mogrify(f"COPY ({sql}) TO STDOUT", params or ()).decode(),
                           rows)
        rows.seek(0)
        cursor.copy_expert(f"COPY {_quote(model._meta.table_name)} ({columns}) FROM STDIN",
                           rows)
