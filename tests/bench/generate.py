"""A province for the benchmark: 16 cities, 150 counties, 3,000 rooms, 30,000 mediators and
(by default) 1,000,000 cases over 2023–2025, written straight to the tables in bulk.

This is a fixture generator, not the path under test: rows are valid by construction (each
case's mediator serves its room from 2020 on), so they skip the import's checks. The rollups
are then built by `evaluation.rollups.rebuild()`, the same function `flask stats rebuild` runs.

    python -m tests.bench.generate --url sqlite:////tmp/bench.db --cases 100000
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from decimal import Decimal

from network.db import db, is_postgres

CITIES, COUNTIES, ROOMS, MEDIATORS_PER_ROOM = 16, 150, 3000, 10
FIRST_DAY, DAYS = dt.date(2023, 1, 1), 3 * 365 + 1  # 2023-01-01 … 2025-12-31
RESULTS = ["success"] * 55 + ["failure"] * 20 + ["withdrawn"] * 10 + ["open"] * 15
TYPES = ["个人贷款", "小微企业贷款", "信用卡", "保险理赔", "道路交通保险", "理财产品", "其他"]
SOURCES = ["法院委派", "金融机构申请", "当事人申请", "投诉转办", "其他", None]
FULFILMENTS = ["done", "done", "partial", "none", None]
SERVING_SINCE = dt.date(2020, 1, 1)


def _id_number(n: int) -> str:
    from stdnum.cn import ric

    body = f"{370202 + n // 1000}{1970 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body)


def build_network() -> dict:
    """Organisations (ids assigned here so paths are known), mediators and assignments."""
    from network import bulk
    from network.models import DEFAULT_KINDS, Organization, now
    from network.services import ensure_kinds
    from org.models import Assignment, Mediator

    ensure_kinds(DEFAULT_KINDS)
    from network.models import OrgKind

    kinds = {k.name: k.id for k in OrgKind.select()}
    stamp = now()
    orgs, next_id = [], 1

    def add(code, name, level, parent, kind):
        nonlocal next_id
        org_id, next_id = next_id, next_id + 1
        path = (parent[1] if parent else "/") + f"{org_id}/"
        orgs.append((org_id, code, name, level, parent[0] if parent else None, kinds[kind],
                     "active", path, stamp, stamp))
        return org_id, path, code

    province = add("SD", "山东省金融纠纷调解中心", 0, None, "调解中心")
    cities = [add(f"SD-{c:02d}", f"第{c}市调解中心", 1, province, "调解中心")
              for c in range(1, CITIES + 1)]
    counties = [add(f"{cities[k % CITIES][2]}-{k:03d}", f"第{k}县调解工作站", 2,
                    cities[k % CITIES], "调解工作站") for k in range(COUNTIES)]
    rooms = [add(f"{counties[r % COUNTIES][2]}-{r:04d}", f"第{r}调解工作室", 3,
                 counties[r % COUNTIES], "调解工作室") for r in range(ROOMS)]
    bulk.insert(Organization, ["id", "code", "name", "level", "parent", "kind", "status",
                               "path", "created_at", "updated_at"], orgs)
    mediators, assignments, staff = [], [], {}
    for r, room in enumerate(rooms):
        for k in range(MEDIATORS_PER_ROOM):
            n = r * MEDIATORS_PER_ROOM + k + 1
            mediators.append((n, f"M{n:06d}", f"调解员{n}", "M" if n % 2 else "F",
                              _id_number(n), "part", "on", room[0], stamp, stamp))
            assignments.append((n, room[0], "resident", True, SERVING_SINCE, None))
            staff.setdefault(room[0], []).append((n, f"M{n:06d}"))
    bulk.insert(Mediator, ["id", "staff_no", "name", "gender", "id_number", "employment",
                           "status", "station", "created_at", "updated_at"], mediators)
    bulk.insert(Assignment, ["mediator", "station", "kind", "is_primary", "start", "end"],
                assignments)
    if is_postgres():
        for table in ("organization", "mediator"):
            db.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT MAX(id) FROM {table}))")
    return {"province": province, "cities": cities, "counties": counties, "rooms": rooms,
            "staff": staff}


def load_network() -> dict:
    """The network of a database `generate` filled earlier (for `run --keep`), in the shape
    build_network returns: (id, path, code) per unit, level by level in creation order."""
    from network.models import Organization
    from org.models import Mediator

    levels: dict[int, list[tuple]] = {}
    for org_id, path, code, level in (Organization.select(Organization.id, Organization.path,
                                                          Organization.code, Organization.level)
                                      .order_by(Organization.id).tuples()):
        levels.setdefault(level, []).append((org_id, path, code))
    staff: dict[int, list[tuple]] = {}
    for n, staff_no, station in (Mediator.select(Mediator.id, Mediator.staff_no, Mediator.station)
                                 .order_by(Mediator.id).tuples()):
        staff.setdefault(station, []).append((n, staff_no))
    return {"province": levels[0][0], "cities": levels[1], "counties": levels[2],
            "rooms": levels[3], "staff": staff}


def case_values(rng: random.Random, net: dict, case_no: str, first: dt.date = FIRST_DAY,
                days: int = DAYS) -> tuple:
    """One valid case received in `days` days from `first`, as (case_no, room, mediator staff
    no, received, closed, type, amount, agreed, result, method, source, judicial, fulfilment)."""
    room = rng.choice(net["rooms"])
    _, staff_no = rng.choice(net["staff"][room[0]])
    received = first + dt.timedelta(days=rng.randrange(days))
    result = rng.choice(RESULTS)
    closed = None if result == "open" else min(
        received + dt.timedelta(days=rng.randrange(90)), first + dt.timedelta(days=days - 1))
    amount = Decimal(rng.randrange(100_00, 500_000_00)) / 100
    succeeded = result == "success"
    agreed = (amount * rng.randrange(30, 101) / 100).quantize(Decimal("0.01")) if succeeded \
        else None
    return (case_no, room, staff_no, received, closed, rng.choice(TYPES), amount, agreed, result,
            rng.choice(["online", "offline"]), rng.choice(SOURCES),
            succeeded and rng.random() < 0.3, rng.choice(FULFILMENTS) if succeeded else None)


def build_cases(net: dict, count: int, seed: int = 1) -> None:
    from evaluation.models import Case
    from network import bulk
    from network.models import now

    rng = random.Random(seed)
    mediator_ids = {staff_no: n for room in net["staff"].values() for n, staff_no in room}
    stamp = now()
    fields = ["case_no", "station", "mediator", "received", "closed", "dispute_type",
              "amount_involved", "agreed_amount", "result", "method", "source",
              "judicial_confirmed", "fulfilment", "created_at", "updated_at"]
    batch = 100_000
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            v = case_values(rng, net, f"GEN-{i + 1:07d}")
            rows.append((v[0], v[1][0], mediator_ids[v[2]], *v[3:], stamp, stamp))
        with db.atomic():
            bulk.insert(Case, fields, rows)


def generate(cases: int) -> dict:
    """Fill an empty, migrated database; returns the network and the seconds each step took."""
    from evaluation import rollups

    timings = {}
    t = time.perf_counter()
    with db.atomic():
        net = build_network()
    timings["network"] = time.perf_counter() - t
    t = time.perf_counter()
    build_cases(net, cases)
    timings["cases"] = time.perf_counter() - t
    t = time.perf_counter()
    if is_postgres():
        db.execute_sql("ANALYZE")
    rollups.rebuild()
    if is_postgres():
        db.execute_sql("ANALYZE")
    timings["rollups"] = time.perf_counter() - t
    return {**net, "timings": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="an empty database (it is migrated)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    from admin.schema import upgrade
    from network.db import open_database

    open_database(args.url)
    upgrade()
    print(generate(args.cases)["timings"])


if __name__ == "__main__":
    main()
