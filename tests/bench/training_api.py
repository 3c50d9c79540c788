"""Training through the web layer (issue 14): `GET /api/v1/training/coverage` and
`/api/v1/training/hours` on the province of tests/bench/training.py (30,000 mediators, three
years of sessions, ~1,000,000 attendance records), called through the Flask app with a bearer
token like a client would, medians of 5; and the attendance import (`import attendance`)
rate in rows/s on a file of new records.

    python -m tests.bench.training_api --backends postgresql --import-rows 20000

Generating the province takes minutes. `--keep URL` generates it once into that database
(PostgreSQL, or a SQLite file) and measures a fresh copy of it on every run (`CREATE DATABASE
… TEMPLATE`, or a copy of the file), so that the import always meets the same data:

    python -m tests.bench.training_api --import-rows 20000 \
        --keep postgresql://postgres@127.0.0.1:5432/bench_training
"""
from __future__ import annotations

import argparse
import cProfile
import os
import random
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peewee as pw

from network.db import db, is_postgres, open_database

from .training import build_training, median_ms


def attendance_file(net: dict, rows: int, folder: Path) -> Path:
    """New records for 2025's first sessions: each mediator at most once per session."""
    from network.tabular import write_csv
    from training.imports import ATTENDANCE_COLUMNS
    from training.models import Session

    rng = random.Random(5)
    staff = [no for room in net["staff"].values() for _, no in room]
    sessions = [code for (code,) in Session.select(Session.code)
                .where(Session.code.startswith("B2025-")).order_by(Session.code).tuples()]
    body, used = [], set()
    while len(body) < rows:
        pair = (rng.choice(sessions), rng.choice(staff))
        if pair in used:
            continue
        used.add(pair)
        status = rng.choice(["出席"] * 8 + ["迟到", "缺席"])
        body.append([pair[0], pair[1], status, "90" if status == "迟到" else ""])
    path = folder / "attendance.csv"
    path.write_bytes(write_csv(list(ATTENDANCE_COLUMNS), body))
    return path


def generate(url: str) -> dict:
    """The province and its training into the (migrated) database at `url`."""
    from admin.schema import upgrade
    from tests.bench.generate import build_network

    open_database(url)
    db.connect(reuse_if_open=True)
    upgrade()
    figures = {}
    t = time.perf_counter()
    with db.atomic():
        net = build_network()
        figures["attendance records"] = build_training(net)
    figures["generate s"] = round(time.perf_counter() - t, 1)
    db.close()
    return {"net": net, "figures": figures}


def server_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend of this connection has used, when the server runs on
    this machine (its /proc entry): with the process's own, what an import costs whatever the
    machine's load, where the wall clock measures the competition too."""
    if not is_postgres():
        return None
    (pid,) = db.execute_sql("SELECT pg_backend_pid()").fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, import_rows: int, folder: Path, generated: dict | None = None,
            profile: str | None = None) -> dict:
    """The figures on the database at `url`: generated here, or (`generated` None) a copy of
    a kept one, whose network is read back."""
    from admin.app import create_app
    from admin.schema import upgrade
    from org.accounts import create_user, issue_token
    from org.models import User
    from tests.bench.generate import load_network
    from training.imports import import_attendance
    from training.models import Attendance

    os.environ["DATABASE_URL"] = url
    app = create_app({"DATABASE_URL": url, "KEEP_DB_OPEN": True})
    open_database(url)
    db.connect(reuse_if_open=True)
    upgrade()  # a kept copy may predate this branch's migrations
    if generated is None:
        net, figures = load_network(), {"attendance records": Attendance.select().count()}
    else:
        net, figures = generated["net"], dict(generated["figures"])
    admin = User.get_or_none(User.username == "bench") or create_user(
        {"username": "bench", "role": "admin", "password": "Bench-Pass-1"}, actor=None)
    headers = {"Authorization": f"Bearer {issue_token(admin, actor='bench')}"}
    client = app.test_client()

    def get(path):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    places = {"province": net["province"][2], "city": net["cities"][0][2],
              "county": net["counties"][0][2]}

    def coverage_figures(suffix: str) -> None:
        for label, code in places.items():
            path = f"/api/v1/training/coverage?station={code}&year=2025"
            body = get(path)
            figures[f"API coverage {label}{suffix} ms"] = round(
                median_ms(lambda p=path: get(p)), 1)
            figures[f"coverage {label}{suffix}"] = (
                f"{body['population']} / {body['met']} / {body['sessions']} / "
                f"{body['participant_times']}")

    coverage_figures("")
    # the same with per-grade requirements: every mediator graded (一级…四级 by id), 四级
    # owing 16 h and 一级 24 h; rolled back afterwards so the kept copy stays as generated
    with db.atomic() as graded:
        from org.models import GradeChange, Mediator
        from training.requirements import set_requirement

        if not GradeChange.select().exists():
            GradeChange.insert_from(
                Mediator.select(Mediator.id, pw.Cast(pw.fn.MOD(Mediator.id, 4) + 1, "VARCHAR"),
                                pw.Value("2020-01-01"), pw.Value("initial"), pw.Value(""),
                                pw.Value(""), pw.Value("bench"), pw.SQL("CURRENT_TIMESTAMP"),
                                pw.Value(""), pw.Value("")),
                [GradeChange.mediator, GradeChange.grade, GradeChange.effective,
                 GradeChange.reason, GradeChange.doc_no, GradeChange.note,
                 GradeChange.recorded_by, GradeChange.recorded_at, GradeChange.reverted_by,
                 GradeChange.revert_reason]).execute()
            if is_postgres():  # statistics of the history as a real one would have them
                db.execute_sql("ANALYZE grade_change")
        set_requirement("annual", "16", grade="4", actor="bench")
        set_requirement("annual", "24", grade="1", actor="bench")
        coverage_figures(", graded")
        graded.rollback()
    staff_no = next(iter(net["staff"].values()))[0][1]
    path = f"/api/v1/training/hours?mediator={staff_no}&year=2025"
    figures["API hours one mediator ms"] = round(median_ms(lambda: get(path)), 1)
    before = Attendance.select().count()
    source = attendance_file(net, import_rows, folder)
    profiler = cProfile.Profile() if profile else None
    server = server_cpu()
    cpu, t = time.process_time(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = import_attendance(source, actor="bench", scope=None)
    seconds = time.perf_counter() - t
    figures["import cpu s, this process"] = round(time.process_time() - cpu, 2)
    if server is not None:
        figures["import cpu s, PostgreSQL backend"] = round(server_cpu() - server, 2)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    assert result.ok, [str(e) for e in result.errors[:5]]
    added = Attendance.select().count() - before
    figures["import rows"] = f"{import_rows} ({added} new)"
    figures["import rows/s"] = round(import_rows / seconds)
    db.close()
    return figures


@contextmanager
def kept_copy(keep: str, folder: Path):
    """A fresh copy of the kept database (generated first when it holds nothing yet)."""
    if keep.startswith("sqlite"):
        source = Path(keep.removeprefix("sqlite:///"))
        if not source.exists():
            generate(keep)
        copy = folder / "kept-copy.db"
        shutil.copyfile(source, copy)
        yield f"sqlite:///{copy}"
        return
    from tests.conftest import _pg_admin

    parts = urlsplit(keep)
    name = parts.path.strip("/")
    conn = _pg_admin(keep)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            fresh = cur.fetchone() is None
            if fresh:
                cur.execute(f'CREATE DATABASE "{name}"')
        if fresh:
            generated = generate(keep)
            print(f"generated {name}: {generated['figures']}")
        copy = f"{name}_run{os.getpid()}"
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            cur.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        try:
            yield urlunsplit(parts._replace(path=f"/{copy}"))
        finally:
            if not db.is_closed():
                db.close()
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument("--import-rows", type=int, default=20000)
    parser.add_argument("--keep", metavar="URL",
                        help="generate once into this database (PostgreSQL URL or sqlite:///"
                             "file) and measure a fresh copy of it; sets the backend")
    parser.add_argument("--profile", metavar="FILE",
                        help="write a cProfile of the import to FILE (pstats format)")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        if args.keep:
            backend = "postgresql" if args.keep.startswith("postgres") else "sqlite"
            with kept_copy(args.keep, Path(folder)) as url:
                results[backend] = measure(url, args.import_rows, Path(folder),
                                           profile=args.profile)
        for backend in [] if args.keep else args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite:///{Path(folder) / 'bench.db'}"
                results[backend] = measure(url, args.import_rows, Path(folder),
                                           generate(url), args.profile)
            else:
                from tests.conftest import pg_scratch_database

                base = os.environ.get("BENCH_PG_URL",
                                      "postgresql://postgres@127.0.0.1:5432/bench")
                with pg_scratch_database(base, f"trainweb{os.getpid()}") as url:
                    results[backend] = measure(url, args.import_rows, Path(folder),
                                               generate(url), args.profile)
    names = list(next(iter(results.values())))
    print("| figure | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in names:
        print(f"| {name} | " + " | ".join(str(r[name]) for r in results.values()) + " |")


if __name__ == "__main__":
    main()
