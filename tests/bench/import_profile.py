"""Where the case import's time goes, on a kept bench database (issue 17).

Imports the bench's 100,000-row file (`run.import_file`) through `import_cases`, inside an
outer transaction that is rolled back at the end, so the ledger stays as generated and runs
can repeat and alternate. Prints the seconds of each phase: the look-ups, the rows (read,
checked, streamed: COPY runs beside them), the wait for the last COPY pages, each statement
of the rollup sums, the rest. Variants, each in the same rolled-back transaction:

    --drop INDEX   (repeatable) an index dropped first (PostgreSQL's DDL is transactional)
    --before SQL   (repeatable) any statement first, e.g. a foreign key dropped:
                   --before "ALTER TABLE mediation_case DROP CONSTRAINT mediation_case_station_id_fkey"
    --explain      EXPLAIN ANALYZE the rollup statements instead of only timing them
    --profile      cProfile of the whole import (top 25 by cumulative time)

    python -m tests.bench.import_profile --url postgresql://postgres@127.0.0.1/perf17_1000000
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from network.db import db, is_postgres


class _Undo(Exception):
    pass


def _timed(times: dict, label: str, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            times[label] += time.perf_counter() - t
    return wrapper


def _statement_label(sql: str) -> str | None:
    head = " ".join(sql.split())[:60]
    for table in ("day_rollup", "mix_rollup", "rollup"):
        if head.startswith(f'INSERT INTO "{table}"'):
            return f"sum {table}"
    return None


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) the database server's backend has used: under a shared
    machine's load, wall-clock figures swing with other work, CPU time much less."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profile(url: str, rows: int, drops: list[str], explain: bool, prof: bool,
            before: list[str] = ()) -> dict:
    from evaluation import imports, rollups
    from evaluation.imports import import_cases
    from network import bulk
    from network.db import open_database

    from .generate import load_network
    from .run import import_file

    open_database(url)
    net = load_network()
    times: dict[str, float] = defaultdict(float)
    patches = [(imports, "PreloadedLookups", None),
               (bulk.Inserter, "close", "copy wait"),
               (rollups, "add_cases", "rollup sums (all)"),
               (rollups, "apply_spread", "changed-case deltas"),
               (bulk, "update", "updates"), ]
    saved = []
    for owner, name, label in patches:
        original = getattr(owner, name)
        saved.append((owner, name, original))
        if name == "PreloadedLookups":
            class Timed(original):
                def __init__(self, *a, **k):
                    t = time.perf_counter()
                    super().__init__(*a, **k)
                    times["look-ups"] += time.perf_counter() - t
            setattr(owner, name, Timed)
        else:
            setattr(owner, name, _timed(times, label, original))
    real = db.obj
    execute = real.execute_sql
    plans: list[str] = []

    def execute_sql(sql, params=None, *a, **k):
        label = _statement_label(sql)
        if label is None:
            return execute(sql, params, *a, **k)
        t = time.perf_counter()
        try:
            if explain and is_postgres():
                plan = execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params, *a, **k).fetchall()
                plans.append(label + "\n" + "\n".join(r[0] for r in plan))
                return None
            return execute(sql, params, *a, **k)
        finally:
            times[label] += time.perf_counter() - t

    real.execute_sql = execute_sql
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PORTAL_INSTANCE", str(Path(tmp) / "instance"))
        path = import_file(net, rows, Path(tmp))
        profiler = cProfile.Profile() if prof else None
        try:
            with db.atomic():
                for index in drops:
                    db.execute_sql(f"DROP INDEX IF EXISTS {index}")
                for sql in before:
                    db.execute_sql(sql)
                backend = (db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
                           if is_postgres() else None)
                server0 = _backend_cpu(backend) if backend else 0.0
                cpu0 = time.process_time()
                t = time.perf_counter()
                if profiler:
                    profiler.enable()
                result = import_cases(path, actor="bench", scope=None)
                if profiler:
                    profiler.disable()
                times["total"] = time.perf_counter() - t
                times["python cpu"] = time.process_time() - cpu0
                if backend:
                    times["server cpu"] = _backend_cpu(backend) - server0
                assert result.ok and result.created == rows, [str(e) for e in result.errors[:5]]
                raise _Undo
        except _Undo:
            pass
        finally:
            del real.execute_sql
            for owner, name, original in saved:
                setattr(owner, name, original)
    times["rows/s"] = rows / times["total"]
    for plan in plans:
        print(plan, "\n")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    db.close()
    return dict(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--drop", action="append", default=[])
    parser.add_argument("--before", action="append", default=[])
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    out = profile(args.url, args.rows, args.drop, args.explain, args.profile, args.before)
    print(f"load average {os.getloadavg()[0]:.2f}; dropped: {', '.join(args.drop) or 'none'}"
          + "".join(f"; {sql}" for sql in args.before))
    for key, value in out.items():
        print(f"{key:28}{value:>12,.2f}")


if __name__ == "__main__":
    main()
