"""Benchmark: the promotion pages and API on the province of `eligibility.py`.

The same data as tests/bench/eligibility.py (30,000 mediators, N cases, ~1M attendance
records at 1M cases, grades, complaints; reference date 2025-07-01), then through the Flask
test client:

- `api mediator ms`: median of 21 `GET /api/v1/mediators/<工号>?as_of=2025-07-01` with a
  Bearer token, for an administrator and for the mediator's county manager (the scope check),
  each of 5 mediators; the first answer of each is checked against `eligibility().as_dict()`;
- `open round (web) s`: `POST /admin/rounds/open/` for the province as the administrator (the
  snapshot with its evidence, the redirect, the flash with the counts), median of 2;
- `round page ms`: median of 7 renders of the round's page (the administrator's).

    python -m tests.bench.promotion_web --cases 1000000       # PostgreSQL (BENCH_PG_URL)
    python -m tests.bench.promotion_web --url sqlite:////tmp/p.db --cases 100000
    python -m tests.bench.promotion_web --cases 1000000 --keep postgresql://postgres@127.0.0.1/elig
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import tempfile
import time

from network.dates import local_today
from tests.bench.eligibility import D, prepare, run


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def measure(url: str, cases: int, keep: bool = False) -> dict:
    from admin.app import create_app
    from network.models import Organization
    from network.tree import ancestors
    from org.accounts import create_user, issue_token
    from org.models import Mediator, User
    from promotion.eligibility import eligibility
    from promotion.models import PromotionRound

    net, out = prepare(url, cases, keep)
    rng = random.Random(7)
    ids = [n for room in net["staff"].values() for n, _ in room]
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "KEEP_DB_OPEN": True})
    admin = User.get_or_none(User.username == "bench") or create_user(
        {"username": "bench", "role": "admin", "password": "bench-pass-1"}, actor=None)
    client = app.test_client()
    sample = [Mediator.get_by_id(n) for n in rng.sample(ids, 5)]
    county = [o for o in ancestors(sample[0].station) if o.level == 2][0]
    manager = User.get_or_none(User.username == "county") or create_user(
        {"username": "county", "role": "manager", "password": "bench-pass-1",
         "organization": county.code}, actor=None)
    for who, user in (("admin", admin), ("county", manager)):
        headers = {"Authorization": f"Bearer {issue_token(user, actor='bench')}"}
        people = sample if who == "admin" else sample[:1]
        figures = []
        for person in people:
            path = f"/api/v1/mediators/{person.staff_no}?as_of={D.isoformat()}"
            body = client.get(path, headers=headers).get_json()
            expected = eligibility(person, D).as_dict()
            assert {k: body[k] for k in expected} == expected, person.staff_no

            def call(path=path, headers=headers):
                assert client.get(path, headers=headers).status_code == 200

            figures.append(median_ms(call, 21))
        out[f"api mediator ({who}) ms"] = statistics.median(figures)
    with client.session_transaction() as session:
        session["_user_id"] = str(admin.id)
        session["_fresh"] = True
    province = Organization.get(Organization.code == net["province"][2])
    counter = iter(range(100))
    openings = []
    for _ in range(2):
        page = client.get("/admin/rounds/").get_data(as_text=True)
        # the open-round form's token (the navbar's log-out form comes first)
        token = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[-1]
        data = {"csrf_token": token, "name": f"基准轮次{next(counter)}",
                "reference_date": D.isoformat(),
                "deadline": (local_today() + dt.timedelta(days=14)).isoformat(),
                "effective_date": (local_today() + dt.timedelta(days=60)).isoformat(),
                "notice_days": "5", "organization": province.code}
        t = time.perf_counter()
        response = client.post("/admin/rounds/open/", data=data)
        openings.append(time.perf_counter() - t)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    out["open round (web) s"] = statistics.median(openings)
    round_ = PromotionRound.select().order_by(PromotionRound.id.desc()).first()
    out["snapshot rows"] = round_.snapshots.count()

    def round_page():
        assert client.get(f"/admin/rounds/{round_.id}/").status_code == 200

    out["round page ms"] = median_ms(round_page, 7)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--url", default="", help="an empty database (default: a PostgreSQL "
                                                  "database created and dropped here)")
    parser.add_argument("--keep", metavar="URL", default="",
                        help="the kept database of eligibility.py --keep (same URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PORTAL_INSTANCE", tmp)
        results = run(args, measure)
    print(f"\n{args.cases:,} cases, reference date {D}")
    for key, value in results.items():
        print(f"{key:40}{value:>14,.1f}")


if __name__ == "__main__":
    main()
