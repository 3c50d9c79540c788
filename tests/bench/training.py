"""Training benchmark: coverage and credited hours at province scale (issue 14).

The province of `generate.py` (30,000 mediators in 3,000 rooms, 150 counties, 16 cities), with
three years of sessions (2023–2025: 1,000 a year, hosted by the counties and cities) and
~1,000,000 attendance records (each mediator ~11 a year; 70 % 出席, 10 % 迟到, 5 % 早退,
10 % 缺席, 5 % 请假), written in bulk. Measured on PostgreSQL (and SQLite), medians of 5:

- `coverage` for 2025 of the province, a city, a county and a room (training.coverage);
- `credited_hours` of all 30,000 mediators for 2025 at once (what promotion asks), and with
  kinds=[pre_service] over everything before 2026.

    python -m tests.bench.training                       # both backends
    python -m tests.bench.training --backends postgresql
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from network.db import db, is_postgres, open_database

SESSIONS_PER_YEAR = 1000
YEARS = (2023, 2024, 2025)
STATUSES = ["present"] * 14 + ["late"] * 2 + ["left_early"] + ["absent"] * 2 + ["leave"]


def build_training(net: dict, seed: int = 7) -> int:
    """Sessions and attendance, valid by construction; returns the number of records."""
    from network import bulk
    from network.models import now
    from training import rollup
    from training.hours import credit
    from training.models import Attendance, Course, Session, TrainingKind

    rng = random.Random(seed)
    kinds = dict(TrainingKind.select(TrainingKind.code, TrainingKind.id).tuples())
    course = Course.create(name="基准课程", kind=kinds["annual"])
    hosts = [c[0] for c in net["cities"]] + [c[0] for c in net["counties"]]
    stamp = now()
    rows, session_id = [], 0
    for year in YEARS:
        for k in range(SESSIONS_PER_YEAR):
            session_id += 1
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            start = dt.datetime.combine(day, dt.time(1, 0))  # 09:00 in Shanghai, as UTC
            kind = kinds["pre_service"] if k % 10 == 0 else kinds["annual"]
            rows.append((session_id, f"B{year}-{k:04d}", course.id, kind, rng.choice(hosts),
                         start, start + dt.timedelta(hours=2), day, 120, Decimal("2.0"), 400,
                         0, "finished", "讲师", "会议室", "", "", "", False, False, "", 0, 0,
                         stamp, stamp))
    bulk.insert(Session, ["id", "code", "course", "kind", "host", "start", "end", "start_day",
                          "minutes", "hours", "capacity", "booked", "status", "trainers",
                          "venue", "online_link", "audience_grades", "audience_employment",
                          "mandatory", "needs_approval", "cancel_reason", "sequence", "participants",
                          "created_at", "updated_at"], rows)
    mediators = [n for room in net["staff"].values() for n, _ in room]
    count = 0
    for year_index, _ in enumerate(YEARS):
        first = year_index * SESSIONS_PER_YEAR + 1
        records = []
        for mediator in mediators:
            for session in rng.sample(range(first, first + SESSIONS_PER_YEAR), 11):
                status = rng.choice(STATUSES)
                minutes = rng.randrange(30, 120) if status in ("late", "left_early") else None
                records.append((session, mediator, status, minutes,
                                credit(status, Decimal("2"), minutes, 120), "bench", stamp))
        bulk.insert(Attendance, ["session", "mediator", "status", "minutes", "credited",
                                 "recorded_by", "recorded_at"], records)
        count += len(records)
    if is_postgres():
        db.execute_sql("SELECT setval(pg_get_serial_sequence('training_session', 'id'), "
                       "(SELECT MAX(id) FROM training_session))")
        db.execute_sql("ANALYZE")
    rollup.rebuild()  # the figures the write paths keep, here for the bulk-loaded rows
    if is_postgres():
        db.execute_sql("ANALYZE")
    return count


def median_ms(fn, repeat: int = 5) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(url: str) -> dict:
    from admin.schema import upgrade
    from network.models import Organization
    from org.models import Mediator
    from tests.bench.generate import build_network
    from training.coverage import coverage
    from training.hours import credited_hours
    from training.models import PRE_SERVICE

    open_database(url)
    db.connect(reuse_if_open=True)
    upgrade()
    figures = {}
    t = time.perf_counter()
    with db.atomic():
        net = build_network()
        figures["attendance records"] = build_training(net)
    figures["generate s"] = round(time.perf_counter() - t, 1)
    places = {"province": net["province"][2], "city": net["cities"][0][2],
              "county": net["counties"][0][2], "room": net["rooms"][0][2]}
    for label, code in places.items():
        org = Organization.get(Organization.code == code)
        result = coverage(org, 2025)
        figures[f"coverage {label} ms"] = round(median_ms(lambda o=org: coverage(o, 2025)), 1)
        figures[f"coverage {label}"] = f"{result.population} / {result.met} / {result.sessions}"
    ids = [m for (m,) in Mediator.select(Mediator.id).tuples()]
    window = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    figures["credited_hours 30k ids ms"] = round(median_ms(
        lambda: credited_hours(ids, *window)), 1)
    figures["credited_hours pre-service ever ms"] = round(median_ms(
        lambda: credited_hours(ids, None, dt.date(2025, 12, 31), kinds=[PRE_SERVICE])), 1)
    db.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                results[backend] = measure(f"sqlite:///{Path(folder) / 'bench.db'}")
            else:
                from tests.conftest import pg_scratch_database

                base = os.environ.get("BENCH_PG_URL",
                                      "postgresql://postgres@127.0.0.1:5432/bench")
                with pg_scratch_database(base, f"training{os.getpid()}") as url:
                    results[backend] = measure(url)
    names = list(next(iter(results.values())))
    print("| figure | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in names:
        print(f"| {name} | " + " | ".join(str(r[name]) for r in results.values()) + " |")


if __name__ == "__main__":
    main()
