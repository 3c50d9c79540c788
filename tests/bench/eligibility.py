"""Benchmark: the eligibility snapshot of a province when a promotion round opens.

The province of `generate.py` (30,000 mediators, N cases 2023–2025) plus what eligibility
reads besides the cases: a grade history for every mediator but the 未定级 ones, ~1M
attendance records (each county holds one three-hour session a month, of alternating kinds;
each of its ~200 mediators attends with probability 0.9, a tenth of them late), and 2,000
complaints (half upheld). Reference date 2025-07-01.

Measured: `eligibility_many` over the province (median of 3), `open_round` (the snapshot with
its evidence, written to the table; median of 3, each round its own), and `eligibility` of
one mediator (median of 21, the per-mediator figure the API wraps). Before timing, 50
mediators' set-based answers are checked against their one-by-one answers.

    python -m tests.bench.eligibility --cases 1000000          # PostgreSQL (BENCH_PG_URL)
    python -m tests.bench.eligibility --url sqlite:////tmp/e.db --cases 100000
    python -m tests.bench.eligibility --cases 1000000 --keep postgresql://postgres@127.0.0.1/elig
        # generates into elig_1000000 once; later runs (and promotion_web's) measure it again
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
from urllib.parse import urlsplit, urlunsplit

from network.dates import local_today
from network.db import db, is_postgres, open_database

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
D = dt.date(2025, 7, 1)
MONTHS = [(y, m) for y in (2023, 2024, 2025) for m in range(1, 13)]


def build_grades(mediator_ids: list[int]) -> dict:
    """Every mediator but one in twenty gets an initial grading (一级 … 四级)."""
    from network import bulk
    from network.models import now
    from org.models import GradeChange

    stamp = now()
    rows, grades = [], {}
    for n in mediator_ids:
        bucket = n % 20
        if bucket == 0:
            grades["none"] = grades.get("none", 0) + 1
            continue
        grade = "4" if bucket <= 12 else "3" if bucket <= 16 else "2" if bucket <= 18 else "1"
        grades[grade] = grades.get(grade, 0) + 1
        since = dt.date(2022, 1, 1) + dt.timedelta(days=n % 1100)
        rows.append((n, grade, since, "initial", "", "", "bench", stamp, None, "", ""))
    bulk.insert(GradeChange, ["mediator", "grade", "effective", "reason", "doc_no", "note",
                              "recorded_by", "recorded_at", "reverted_at", "reverted_by",
                              "revert_reason"], rows)
    return grades


def build_training(net: dict, rng: random.Random) -> int:
    """A session a month per county, and its mediators' attendance; returns the records."""
    from network import bulk
    from network.dates import SHANGHAI
    from network.models import now
    from training.hours import credit
    from training.models import Attendance, Course, Session, TrainingKind

    kinds = {k.code: k.id for k in TrainingKind.select()}
    order = ["pre_service", "annual", "lecture", "case_study", "seminar", "online"]
    courses = {code: Course.create(name=f"基准课程{code}", kind=kinds[code]).id
               for code in order}
    stamp = now()
    staff_by_county: dict[int, list[int]] = {}
    county_of_room = {room[0]: room[1].strip("/").split("/")[2] for room in net["rooms"]}
    for room_id, people in net["staff"].items():
        staff_by_county.setdefault(int(county_of_room[room_id]), []).extend(
            n for n, _ in people)
    sessions = []
    for c, county in enumerate(net["counties"]):
        for i, (year, month) in enumerate(MONTHS):
            code = order[(c + i) % len(order)]
            start = dt.datetime(year, month, 10 + c % 10, 9, 0, tzinfo=SHANGHAI)
            sessions.append({
                "code": f"B{c:03d}-{year}{month:02d}", "course": courses[code],
                "kind": kinds[code], "host": county[0], "start": start,
                "end": start + dt.timedelta(hours=3), "start_day": start.date(),
                "minutes": 180, "hours": Decimal("3"), "capacity": 1000, "booked": 0,
                "status": "finished", "created_at": stamp, "updated_at": stamp})
    with db.atomic():
        for at in range(0, len(sessions), 500):
            Session.insert_many(sessions[at:at + 500]).execute()
    by_code = dict(Session.select(Session.code, Session.id).tuples())
    full = credit("present", Decimal("3"), None, 180)
    records = 0
    with db.atomic(), bulk.Inserter(Attendance, ["session", "mediator", "status", "minutes",
                                                 "credited", "recorded_by",
                                                 "recorded_at"]) as sink:
        for c, county in enumerate(net["counties"]):
            people = staff_by_county.get(county[0], [])
            for year, month in MONTHS:
                session_id = by_code[f"B{c:03d}-{year}{month:02d}"]
                for n in people:
                    if rng.random() >= 0.9:
                        continue
                    if rng.random() < 0.1:
                        minutes = rng.randrange(60, 180)
                        sink.add((session_id, n, "late", minutes,
                                  credit("late", Decimal("3"), minutes, 180), "bench", stamp))
                    else:
                        sink.add((session_id, n, "present", None, full, "bench", stamp))
                    records += 1
    return records


def build_complaints(mediator_ids: list[int], rng: random.Random) -> None:
    from network import bulk
    from network.models import now
    from org.models import Complaint

    stamp = now()
    rows = [(rng.choice(mediator_ids), dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1000)),
             i % 2 == 0, "基准投诉", "bench", stamp, stamp) for i in range(2000)]
    bulk.insert(Complaint, ["mediator", "filed_on", "upheld", "summary", "recorded_by",
                            "created_at", "updated_at"], rows)


def median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def prepare(url: str, cases: int, keep: bool = False) -> tuple[dict, dict]:
    """Open `url` and fill it with the province (or, with `keep` and a filled database, reuse
    it: the rounds of earlier runs are dropped). Returns (network, figures of the build)."""
    from admin.schema import upgrade
    from evaluation.models import Case
    from org.grades import seed_ladder
    from promotion.models import PromotionRound
    from tests.bench.generate import generate, load_network
    from training.reference import seed

    open_database(url)
    upgrade()
    out: dict = {}
    if keep and Case.select().exists():
        with db.atomic():
            PromotionRound.delete().where(PromotionRound.name.startswith("基准轮次")).execute()
        return load_network(), out
    seed_ladder()
    seed(db.obj)
    rng = random.Random(7)
    t = time.perf_counter()
    net = generate(cases)
    out["generate cases s"] = time.perf_counter() - t
    t = time.perf_counter()
    ids = [n for room in net["staff"].values() for n, _ in room]
    with db.atomic():
        print("grades:", build_grades(ids))
    out["attendance records"] = build_training(net, rng)
    with db.atomic():
        build_complaints(ids, rng)
    if is_postgres():
        db.execute_sql("ANALYZE")
    out["generate grades/training s"] = time.perf_counter() - t
    return net, out


def measure(url: str, cases: int, keep: bool = False) -> dict:
    from network.models import Organization
    from network.tree import subtree_ids
    from org.models import Mediator
    from promotion.eligibility import eligibility, eligibility_many
    from promotion.rounds import Actor, open_round

    net, out = prepare(url, cases, keep)
    rng = random.Random(7)
    ids = [n for room in net["staff"].values() for n, _ in room]
    province = Organization.get(Organization.code == "SD")
    people = Mediator.select().where(Mediator.station.in_(subtree_ids(province)))

    sample = [Mediator.get_by_id(n) for n in rng.sample(ids, 50)]
    many = eligibility_many(people, D)
    for person in sample:
        assert many[person.id] == eligibility(person, D), person.staff_no
    out["mediators"] = len(many)
    out["eligible"] = sum(1 for e in many.values() if e.eligible)
    out["eligibility province s"] = median_s(lambda: eligibility_many(people, D), 3)
    counter = iter(range(100))

    def opening():
        open_round({"name": f"基准轮次{next(counter)}", "reference_date": D,
                    "deadline": local_today() + dt.timedelta(days=14),
                    "effective_date": local_today() + dt.timedelta(days=60),
                    "notice_days": 5, "organization": province},
                   actor=Actor("bench", None))

    out["open round (snapshot + evidence) s"] = median_s(opening, 3)
    one = sample[0]
    out["eligibility one mediator ms"] = median_s(lambda: eligibility(one, D), 21) * 1000
    return out


def _pg_admin():
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    return conn


def kept(url: str, cases: int) -> str:
    """The database of `--keep URL` for a size (created when missing)."""
    parts = urlsplit(url)
    name = f"{parts.path.strip('/')}_{cases}"
    conn = _pg_admin()
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def run(args, measure_fn) -> dict:
    """One measurement on `--url`, on the kept database of `--keep`, or on a PostgreSQL
    database created and dropped here."""
    if args.keep:
        return measure_fn(kept(args.keep, args.cases), args.cases, keep=True)
    if args.url:
        return measure_fn(args.url, args.cases)
    name = f"bench_elig_{os.getpid()}"
    conn = _pg_admin()
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        return measure_fn(urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}")), args.cases)
    finally:
        if not db.is_closed():
            db.close()
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--url", default="", help="an empty database (default: a PostgreSQL "
                                                  "database created and dropped here)")
    parser.add_argument("--keep", metavar="URL", default="",
                        help="a PostgreSQL database to generate into once and measure again "
                             "later (`_<cases>` is added to its name)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PORTAL_INSTANCE", tmp)
        results = run(args, measure)
    print(f"\n{args.cases:,} cases, reference date {D}")
    for key, value in results.items():
        print(f"{key:40}{value:>14,.1f}")


if __name__ == "__main__":
    main()
