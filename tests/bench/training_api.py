"""Training through the web layer (issue 14): `GET /api/v1/training/coverage` and
`/api/v1/training/hours` on the province of tests/bench/training.py (30,000 mediators, three
years of sessions, ~1,000,000 attendance records), called through the Flask app with a bearer
token like a client would, medians of 5; and the attendance import (`import attendance`)
rate in rows/s on a file of new records.

    python -m tests.bench.training_api --backends postgresql --import-rows 20000
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from network.db import db, open_database

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


def measure(url: str, import_rows: int, folder: Path) -> dict:
    from admin.app import create_app
    from org.accounts import create_user, issue_token
    from tests.bench.generate import build_network
    from training.imports import import_attendance
    from training.models import Attendance

    os.environ["DATABASE_URL"] = url
    app = create_app({"DATABASE_URL": url, "KEEP_DB_OPEN": True})
    open_database(url)
    db.connect(reuse_if_open=True)
    from admin.schema import upgrade

    upgrade()
    figures = {}
    t = time.perf_counter()
    with db.atomic():
        net = build_network()
        figures["attendance records"] = build_training(net)
    figures["generate s"] = round(time.perf_counter() - t, 1)
    admin = create_user({"username": "bench", "role": "admin", "password": "Bench-Pass-1"},
                        actor=None)
    headers = {"Authorization": f"Bearer {issue_token(admin, actor='bench')}"}
    client = app.test_client()

    def get(path):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    places = {"province": net["province"][2], "city": net["cities"][0][2],
              "county": net["counties"][0][2]}
    for label, code in places.items():
        path = f"/api/v1/training/coverage?station={code}&year=2025"
        body = get(path)
        figures[f"API coverage {label} ms"] = round(median_ms(lambda p=path: get(p)), 1)
        figures[f"coverage {label}"] = (f"{body['population']} / {body['met']} / "
                                        f"{body['sessions']} / {body['participant_times']}")
    staff_no = next(iter(net["staff"].values()))[0][1]
    path = f"/api/v1/training/hours?mediator={staff_no}&year=2025"
    figures["API hours one mediator ms"] = round(median_ms(lambda: get(path)), 1)
    before = Attendance.select().count()
    source = attendance_file(net, import_rows, folder)
    t = time.perf_counter()
    result = import_attendance(source, actor="bench", scope=None)
    seconds = time.perf_counter() - t
    assert result.ok, [str(e) for e in result.errors[:5]]
    added = Attendance.select().count() - before
    figures["import rows"] = f"{import_rows} ({added} new)"
    figures["import rows/s"] = round(import_rows / seconds)
    db.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument("--import-rows", type=int, default=20000)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                results[backend] = measure(f"sqlite:///{Path(folder) / 'bench.db'}",
                                           args.import_rows, Path(folder))
            else:
                from tests.conftest import pg_scratch_database

                base = os.environ.get("BENCH_PG_URL",
                                      "postgresql://postgres@127.0.0.1:5432/bench")
                with pg_scratch_database(base, f"trainweb{os.getpid()}") as url:
                    results[backend] = measure(url, args.import_rows, Path(folder))
    names = list(next(iter(results.values())))
    print("| figure | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in names:
        print(f"| {name} | " + " | ".join(str(r[name]) for r in results.values()) + " |")


if __name__ == "__main__":
    main()
