"""The partitioning trial of issue 17: the case table as it is, and partitioned by year of
受理日期, side by side on the same rows.

    python -m tests.bench.partition_trial --rows 10000000 \
        --url postgresql://postgres@127.0.0.1:5432/partition_trial [--keep] [--repeat 5]

PostgreSQL only. It creates its own database (dropped at the end unless --keep; with --keep an
existing one is reused, so a 10M run generates its rows once) holding two copies of a
province's ledger: `case_plain`, with the columns and indexes of `mediation_case` as the
migrations leave it, and `case_part`, the same rows in one partition per year of `received`.
The partitioned copy differs where PostgreSQL requires it: its primary key is (id, received)
and 案件编号 can only be unique together with `received` (docs/scaling.md says what that costs
the import and the forms). The rows are made in SQL (10 years, 3,000 units, 30,000
mediators, 15 % still open), without the other tables: the trial compares the table's two
shapes, not the portal's pages (tests/bench/run.py does that).

Each statement is one the portal runs on the case table (the case list's first page, a scoped
page, a county's year count, a 案件编号 look-up, a station's open cases, the rebuild's grouped
pass over ten years, an import of 100,000 new cases sorted as evaluation.imports inserts them):
warmed once, then the median of --repeat runs of each shape, alternating, so that both see the
same load. The import runs in a transaction that is rolled back. It prints one table; the
figures go into tests/bench/README.md by hand with the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg2

YEARS = range(2016, 2027)
UNITS = 3000
MEDIATORS = 30000

COLUMNS = """
    id integer NOT NULL, case_no varchar(40) NOT NULL, station_id integer NOT NULL,
    mediator_id integer NOT NULL, received date NOT NULL, closed date,
    dispute_type varchar(20) NOT NULL, amount_involved numeric(14,2) NOT NULL,
    agreed_amount numeric(14,2), result varchar(10) NOT NULL, method varchar(10) NOT NULL,
    source varchar(20), judicial_confirmed boolean NOT NULL, fulfilment varchar(10),
    created_at timestamp NOT NULL, updated_at timestamp NOT NULL"""

# the indexes of mediation_case after the migrations (`\\d mediation_case`), by shape
INDEXES = {
    "case_plain": ["CREATE UNIQUE INDEX {t}_no ON {t} (case_no)",
                   "ALTER TABLE {t} ADD PRIMARY KEY (id)"],
    "case_part": ["CREATE UNIQUE INDEX {t}_no ON {t} (case_no, received)",
                  "ALTER TABLE {t} ADD PRIMARY KEY (id, received)"],
}
COMMON_INDEXES = [
    "CREATE INDEX {t}_mediator ON {t} (mediator_id)",
    "CREATE INDEX {t}_station_mix ON {t} (station_id, received, dispute_type, source)",
    "CREATE INDEX {t}_no_prefix ON {t} (case_no text_pattern_ops)",
    "CREATE INDEX {t}_open ON {t} (station_id, received) WHERE result = 'open'",
    "CREATE INDEX {t}_received_id ON {t} (received, id)",
    "CREATE INDEX {t}_station_closed ON {t} (station_id, closed, result)",
]

ROWS_SQL = """
SELECT g AS id, 'SD' || lpad(g::text, 10, '0') AS case_no,
       1 + (hashint4(g) & 2147483647) % {units} AS station_id,
       1 + (hashint4(g + 1) & 2147483647) % {mediators} AS mediator_id,
       r.received,
       CASE WHEN o.open THEN NULL
            ELSE LEAST(r.received + (g % 90), DATE '2026-11-30') END AS closed,
       (ARRAY['借贷','保险','理财','信用卡','其他'])[1 + g % 5] AS dispute_type,
       (g % 100000) * 10.00 AS amount_involved,
       CASE WHEN o.open THEN NULL ELSE (g % 50000) * 10.00 END AS agreed_amount,
       CASE WHEN o.open THEN 'open' WHEN g % 10 < 7 THEN 'success' ELSE 'failure' END
           AS result,
       (ARRAY['现场','线上'])[1 + g % 2] AS method,
       (ARRAY['法院委派','当事人申请','金融机构'])[1 + g % 3] AS source,
       g % 4 = 0 AS judicial_confirmed, NULL::varchar AS fulfilment,
       now()::timestamp AS created_at, now()::timestamp AS updated_at
FROM generate_series({first}, {last}) AS g,
     LATERAL (SELECT DATE '2016-01-01' + ((hashint4(g + 2) & 2147483647) % 3980) AS received) r,
     LATERAL (SELECT (hashint4(g + 3) & 2147483647) % 100 < 15 AS open) o
"""

QUERIES = {
    "case list, first page": (
        "SELECT id, case_no FROM {t} ORDER BY received DESC, id DESC LIMIT 50", None),
    "case list, a city's page (300 units)": (
        "SELECT id, case_no FROM {t} WHERE station_id = ANY(%s) "
        "ORDER BY received DESC, id DESC LIMIT 50", "city"),
    "count, a county's year 2025 (30 units)": (
        "SELECT count(*) FROM {t} WHERE station_id = ANY(%s) "
        "AND received BETWEEN '2025-01-01' AND '2025-12-31'", "county"),
    "look-up by 案件编号": ("SELECT id FROM {t} WHERE case_no = %s", "case_no"),
    "one station's open cases": (
        "SELECT count(*) FROM {t} WHERE station_id = %s AND result = 'open'", "station"),
    "rebuild pass (10 years, by unit and month)": (
        "SELECT count(*) FROM (SELECT station_id, "
        "CAST(date_trunc('month', received::timestamp) AS DATE), count(*) FROM {t} "
        "GROUP BY 1, 2) s", None),
}


def connect(url: str):
    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


def admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def ensure_database(url: str, keep: bool) -> bool:
    """True when the rows are already there (a kept database)."""
    name = urlsplit(url).path.lstrip("/")
    server = connect(admin_url(url))  # psycopg2's `with connection` would open a transaction
    try:
        cur = server.cursor()
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone():
            if keep:
                existing = connect(url)
                try:
                    c = existing.cursor()
                    c.execute("SELECT to_regclass('case_part') IS NOT NULL")
                    return bool(c.fetchone()[0])
                finally:
                    existing.close()
            cur.execute(f'DROP DATABASE "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
        return False
    finally:
        server.close()


def drop_database(url: str) -> None:
    server = connect(admin_url(url))
    try:
        server.cursor().execute(f'DROP DATABASE "{urlsplit(url).path.lstrip("/")}"')
    finally:
        server.close()


def generate(cur, rows: int) -> None:
    step = 1_000_000
    cur.execute(f"CREATE TABLE case_plain ({COLUMNS})")
    cur.execute(f"CREATE TABLE case_part ({COLUMNS}) PARTITION BY RANGE (received)")
    for year in YEARS:
        cur.execute(f"CREATE TABLE case_part_{year} PARTITION OF case_part "
                    f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')")
    for first in range(1, rows + 1, step):
        last = min(first + step - 1, rows)
        cur.execute("INSERT INTO case_plain " + ROWS_SQL.format(
            first=first, last=last, units=UNITS, mediators=MEDIATORS))
        print(f"  {last:,} rows", flush=True)
    cur.execute("INSERT INTO case_part SELECT * FROM case_plain")
    for table in ("case_plain", "case_part"):
        for sql in INDEXES[table] + COMMON_INDEXES:
            cur.execute(sql.format(t=table))
        cur.execute(f"VACUUM ANALYZE {table}")


def timed(cur, sql: str, params) -> float:
    t = time.perf_counter()
    cur.execute(sql, params)
    cur.fetchall()
    return (time.perf_counter() - t) * 1000


def import_ms(cur, table: str, first_id: int, rows: int) -> float:
    """100,000 new cases of 2026, inserted in (station, received) order like the import."""
    cur.execute("BEGIN")
    try:
        cur.execute("CREATE TEMPORARY TABLE staging ON COMMIT DROP AS "
                    + ROWS_SQL.format(first=first_id, last=first_id + rows - 1, units=UNITS,
                                      mediators=MEDIATORS).replace(
                        "DATE '2016-01-01' + ((hashint4(g + 2) & 2147483647) % 3980)",
                        "DATE '2026-01-01' + ((hashint4(g + 2) & 2147483647) % 330)"))
        t = time.perf_counter()
        cur.execute(f"INSERT INTO {table} SELECT * FROM staging ORDER BY station_id, received")
        return (time.perf_counter() - t) * 1000
    finally:
        cur.execute("ROLLBACK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/partition_trial")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()

    t = time.perf_counter()
    have = ensure_database(args.url, args.keep)
    connection = connect(args.url)
    cur = connection.cursor()
    if not have:
        print(f"generating {args.rows:,} rows twice …", flush=True)
        generate(cur, args.rows)
        print(f"generated in {time.perf_counter() - t:.0f} s", flush=True)
    cur.execute("SELECT count(*), max(id) FROM case_plain")
    count, max_id = cur.fetchone()
    params = {"city": (list(range(1, 301)),), "county": (list(range(1, 31)),),
              "case_no": (f"SD{count // 2:010d}",), "station": (7,)}
    results: dict[str, dict[str, list[float]]] = {}
    for name, (sql, key) in QUERIES.items():
        shapes = {"case_plain": [], "case_part": []}
        for table in shapes:  # warm
            timed(cur, sql.format(t=table), params.get(key))
        for _ in range(args.repeat):
            for table, times in shapes.items():
                times.append(timed(cur, sql.format(t=table), params.get(key)))
        results[name] = shapes
    name = f"import {args.import_rows:,} new cases (rolled back)"
    results[name] = {"case_plain": [], "case_part": []}
    for i in range(max(1, args.repeat // 2)):
        for table, times in results[name].items():
            times.append(import_ms(cur, table, max_id + 1 + i * args.import_rows,
                                   args.import_rows))
    cur.execute("SELECT pg_total_relation_size('case_plain'), "
                "(SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                "WHERE inhparent = 'case_part'::regclass)")
    plain_bytes, part_bytes = cur.fetchone()
    print(f"\n{count:,} cases, load average {os.getloadavg()[0]:.1f}; median ms of "
          f"{args.repeat} (import: of {max(1, args.repeat // 2)})")
    print("| statement | plain ms | partitioned ms | partitioned / plain |")
    print("|---|---:|---:|---:|")
    for name, shapes in results.items():
        plain, part = (statistics.median(shapes[k]) for k in ("case_plain", "case_part"))
        print(f"| {name} | {plain:,.1f} | {part:,.1f} | {part / plain:.2f} |")
    print(f"| size with indexes, MB | {plain_bytes / 2**20:,.0f} | {part_bytes / 2**20:,.0f} | "
          f"{part_bytes / plain_bytes:.2f} |")
    connection.close()
    if not args.keep:
        drop_database(args.url)


if __name__ == "__main__":
    main()
