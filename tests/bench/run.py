"""The benchmark of issue 4, in one run, SQLite and PostgreSQL side by side.

For each backend: a fresh database (SQLite file in a temporary directory; PostgreSQL database
`bench_<pid>` created and dropped), migrated, filled by tests/bench/generate.py, then:
- /api/v1/kpis median latency (Flask test client, Bearer token) for the province, a city, a
  county and a room over three years, against kpis_direct (one SQL aggregate over the cases);
- the city dashboard page's median render time (when the "dashboard" endpoint exists);
- SQL statements per case-list page at page sizes 20 and 100;
- the province admin's pages over HTTP (home, warnings, case list, case search, nominations)
  and the process's peak memory (resource.getrusage);
- cases imported per second: a 100,000-row CSV through network.tabular + evaluation.imports,
  then (to leave the ledger as generated) the imported cases deleted and `stats rebuild` timed.

    python -m tests.bench.run                  # 1,000,000 cases
    python -m tests.bench.run --cases 100000   # quicker
    python -m tests.bench.run --cases 20000,1000000 --backends postgresql   # sizes side by side
    python -m tests.bench.run --cases 1000000 --keep postgresql://postgres@127.0.0.1/bench
        # generate once into bench_1000000 (kept), rerun the measurements on it later
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from network.db import db

# Three years: whole months (rollups only), and cut mid-month (edge days from the cases);
# and a rolling year to 2025-12-01, as API callers ask for "the last 365 days" (December
# 2024's rollup minus its first day, plus 1 December 2025: kpis.plan_range).
RANGES = {"": (dt.date(2023, 1, 1), dt.date(2025, 12, 31)),
          " edges": (dt.date(2023, 1, 16), dt.date(2025, 12, 15)),
          " rolling": (dt.date(2024, 12, 2), dt.date(2025, 12, 1))}
FROM, TO = RANGES[""]
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def median_ms(fn, repeat: int) -> float:
    fn()  # warm caches and the query planner
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


class StatementCounter(logging.Handler):
    """Counts the statements peewee logs (every query goes through its DEBUG logger)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


def count_statements(fn) -> int:
    logger = logging.getLogger("peewee")
    handler, level = StatementCounter(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        fn()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.count


RESULT_TEXT = {"success": "调解成功", "failure": "调解不成功", "withdrawn": "撤回", "open": "调解中"}
FULFILMENT_TEXT = {"done": "已履行", "partial": "部分履行", "none": "未履行", None: ""}


def import_rows(net: dict, rows: int, seed: int = 99):
    """The rows of a case import file (CASE_COLUMNS order): a year of the province's cases,
    received in 2025, all new (案件编号 IMP-…). Dates and amounts stay typed, as a bureau's
    own spreadsheet would hold them; the CSV writer turns them into text."""
    from .generate import case_values

    rng = random.Random(seed)
    codes = {room[0]: room[2] for room in net["rooms"]}
    for i in range(rows):
        v = case_values(rng, net, f"IMP-{i + 1:07d}", first=dt.date(2025, 1, 1), days=365)
        yield [v[0], codes[v[1][0]], v[2], v[3], v[4] or "", v[5], v[6], v[7] or "",
               RESULT_TEXT[v[8]], "线上" if v[9] == "online" else "线下", v[10] or "",
               "是" if v[11] else "否", FULFILMENT_TEXT[v[12]]]


def import_file(net: dict, rows: int, folder: Path) -> Path:
    from evaluation.imports import CASE_COLUMNS
    from network.tabular import write_csv

    path = folder / "cases.csv"
    path.write_bytes(write_csv(list(CASE_COLUMNS), list(import_rows(net, rows))))
    return path


def peak_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def page_ms(client, url: str) -> float:
    """A page's render time: the median of 5 after a warm-up, or one render when it takes
    seconds (the old warnings page took minutes at 1M cases)."""
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    t = time.perf_counter()
    get()
    first = (time.perf_counter() - t) * 1000
    return first if first > 2000 else median_ms(get, 5)


# The province admin's pages whose time must not grow with the ledger (issue 17).
PAGES = {"home": "/admin/", "warnings": "/admin/warnings/", "case list": "/admin/cases/",
         "case list p50": "/admin/cases/?page=50", "case search": "/admin/cases/?search=GEN-00001",
         "case search SD": "/admin/cases/?search=SD",
         "case filter": "/admin/cases/?flt0_0=信用卡", "nominations":
         "/admin/nominations/?period=2025"}


def measure(url: str, cases: int, import_rows: int, folder: Path, keep: bool = False) -> dict:
    from admin.app import create_app
    from admin.schema import upgrade
    from evaluation.imports import import_cases
    from evaluation.kpis import kpis, kpis_direct
    from evaluation.models import Case
    from evaluation.rollups import rebuild
    from network.db import open_database
    from network.models import Organization
    from org.accounts import create_user, issue_token
    from org.models import User

    from .generate import generate, load_network

    open_database(url)
    upgrade()
    out: dict = {}
    if keep and Case.select().exists():
        net = load_network()
        if Case.select().where(Case.case_no.startswith("IMP-")).exists():  # an interrupted run
            Case.delete().where(Case.case_no.startswith("IMP-")).execute()
            rebuild()
    else:
        t = time.perf_counter()
        net = generate(cases)
        out["generate s"] = time.perf_counter() - t
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "KEEP_DB_OPEN": True})
    user = User.get_or_none(User.username == "bench") or create_user(
        {"username": "bench", "role": "admin", "password": "bench-pass-1"}, actor=None)
    token = issue_token(user, actor="bench")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    places = {"province": net["province"][2], "city": net["cities"][0][2],
              "county": net["counties"][0][2], "room": net["rooms"][0][2]}
    query = f"from={FROM.isoformat()}&to={TO.isoformat()}"
    for suffix, (start, end) in RANGES.items():
        for label, code in places.items():
            org = Organization.get(Organization.code == code)
            assert kpis(org, start, end) == kpis_direct(org, start, end), label
            name = label + suffix

            def api(code=code, start=start, end=end):
                response = client.get(f"/api/v1/kpis?station={code}&from={start.isoformat()}"
                                      f"&to={end.isoformat()}", headers=headers)
                assert response.status_code == 200, response.data

            def direct(org=org, start=start, end=end):
                kpis_direct(org, start, end)

            out[f"api {name} ms"] = median_ms(api, 21)
            out[f"direct {name} ms"] = median_ms(direct, 5)
            out[f"ratio {name}"] = out[f"direct {name} ms"] / out[f"api {name} ms"]

    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    if "dashboard.index" in app.view_functions:
        city = places["city"]

        def dashboard():
            response = client.get(f"/admin/dashboard/?org={city}&period=custom&{query}")
            assert response.status_code == 200, response.status_code

        out["dashboard city ms"] = median_ms(dashboard, 7)
        out["dashboard city 3y ms"] = page_ms(
            client, f"/admin/dashboard/?org={city}&period=custom&{query}")
    else:
        print("note: no dashboard endpoint yet; dashboard timing skipped")
    for name, page_url in PAGES.items():
        out[f"{name} ms"] = page_ms(client, page_url)
    out["peak memory MB"] = peak_mb()
    for size in (20, 100):
        def page(size=size):
            response = client.get(f"/admin/cases/?page_size={size}")
            assert response.status_code == 200, response.status_code

        page()
        out[f"list statements @{size}"] = count_statements(page)

    path = import_file(net, import_rows, folder)
    t = time.perf_counter()
    result = import_cases(path, actor="bench", scope=None)
    seconds = time.perf_counter() - t
    assert result.ok and result.created == import_rows, [str(e) for e in result.errors[:5]]
    out["import rows/s"] = import_rows / seconds
    org = Organization.get(Organization.code == places["province"])
    assert kpis(org, FROM, TO) == kpis_direct(org, FROM, TO), "after import"
    # leave the ledger as generated (for --keep), then time `stats rebuild` over it
    with db.atomic():
        Case.delete().where(Case.case_no.startswith("IMP-")).execute()
    t = time.perf_counter()
    rebuild()
    out["stats rebuild s"] = time.perf_counter() - t
    out["peak memory MB"] = max(out["peak memory MB"], peak_mb())
    db.close()
    return out


def _pg_admin():
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    return conn


def machine_ms() -> float:
    """A fixed piece of pure Python (sorting 200,000 ints by a key), median of 5: printed
    beside the figures so that runs on different machines can be compared (the same code
    measured 1.6-2x apart between two sessions' machines)."""
    data = list(range(200_000))
    return median_ms(lambda: sorted(data, key=lambda x: -x), 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="1000000",
                        help="one size or several, comma-separated: ratios to the first")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--keep", metavar="URL",
                        help="a database to generate into once and measure again later (one "
                             "per size: `_<cases>` is added to its name); sets the backend")
    args = parser.parse_args()
    sizes = [int(n) for n in args.cases.split(",")]
    backends = ([("postgresql" if args.keep.startswith("postgres") else "sqlite")]
                if args.keep else args.backends.split(","))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ.setdefault("PORTAL_INSTANCE", str(folder / "instance"))
        for cases in sizes:
            for backend in backends:
                results[(backend, cases)] = _run(backend, cases, args, folder)
    columns = [(b, n) for n in sizes for b in backends]
    print(f"\nmachine: {os.cpu_count()} cores, reference {machine_ms():.1f} ms "
          f"(tests/bench/run.py machine_ms), load average {os.getloadavg()[0]:.2f}")
    print(f"import of {args.import_rows:,} rows; ranges "
          + "; ".join(f"{k or 'whole'}: {a} … {b}" for k, (a, b) in RANGES.items()))
    heads = [f"{b[:6]} {n:,}" for b, n in columns]
    if len(sizes) > 1:
        heads += [f"{b[:6]} ×{sizes[-1] // sizes[0]}" for b in backends]
    print(f"{'':26}" + "".join(f"{h:>17}" for h in heads))
    keys = list(dict.fromkeys(k for r in results.values() for k in r))
    for key in keys:
        cells = [results[c].get(key, float("nan")) for c in columns]
        if len(sizes) > 1:  # how much slower the largest size is than the smallest
            cells += [results[(b, sizes[-1])].get(key, float("nan"))
                      / results[(b, sizes[0])].get(key, float("nan")) for b in backends]
        print(f"{key:26}" + "".join(f"{v:>17,.1f}" for v in cells))


def _sized(url: str, cases: int) -> str:
    if url.startswith("sqlite"):
        return url[:-3] + f"_{cases}.db" if url.endswith(".db") else f"{url}_{cases}"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{cases}"))


def _run(backend: str, cases: int, args, folder: Path) -> dict:
    if args.keep:
        url = _sized(args.keep, cases)
        if backend == "postgresql":
            name = urlsplit(url).path.strip("/")
            conn = _pg_admin()
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{name}"')
            conn.close()
        return measure(url, cases, args.import_rows, folder, keep=True)
    if backend == "sqlite":
        path = folder / f"bench_{cases}.db"
        try:
            return measure(f"sqlite:///{path}", cases, args.import_rows, folder)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    name = f"bench_{os.getpid()}_{cases}"
    conn = _pg_admin()
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        url = urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))
        return measure(url, cases, args.import_rows, folder)
    finally:
        if not db.is_closed():
            db.close()
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


if __name__ == "__main__":
    main()
