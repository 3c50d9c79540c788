"""Fixtures for an empty database on either backend, the app, logged-in clients, factories.

DATABASE_URL picks the backend, as for the portal. For PostgreSQL the suite never touches the
database named in the URL: it creates its own `<name>_t<pid>` on the same server and drops it
at the end, so pointing the tests at a real database cannot wipe it.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from stdnum.cn import ric

from network.db import db, is_postgres, open_database

TEST_SECRET = "test-secret-key"


def _pg_admin(url: str):
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                            user=parts.username or "postgres", password=parts.password,
                            dbname="postgres")
    conn.autocommit = True
    return conn


@contextmanager
def pg_scratch_database(url: str, suffix: str):
    """A new PostgreSQL database `<name>_<suffix>` beside the one in `url`; yields its URL and
    drops it afterwards (also when other connections are still open)."""
    parts = urlsplit(url)
    name = f"{(parts.path.strip('/') or 'portal')}_{suffix}"
    conn = _pg_admin(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres_url(url):
        with pg_scratch_database(url, f"t{os.getpid()}") as test_url:
            yield test_url
            if not db.is_closed():
                db.close()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database(database_url, tmp_path_factory):
    """The migrated schema (built from the migrations, never from create_tables), holding only
    what the migrations seed (reference data such as the organisation kinds)."""
    os.environ["PORTAL_INSTANCE"] = str(tmp_path_factory.mktemp("instance"))
    open_database(database_url)
    from admin.schema import upgrade

    upgrade()
    SEEDED.clear()
    SEEDED.update(snapshot_tables())
    return db


# Every row the migrations left, table by table, taken once after upgrade() and put back after
# each test's truncation: a test starts from what a fresh install holds, whatever a migration
# seeds (nothing here names a table, so a new data migration needs no change to this file).
SEEDED: dict[str, tuple[list[str], list[tuple]]] = {}


def _tables() -> list[str]:
    return [t for t in db.get_tables() if t != "migratehistory"]


def snapshot_tables() -> dict[str, tuple[list[str], list[tuple]]]:
    """(column names, rows) of every non-empty table."""
    out = {}
    for table in _tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
        rows = cursor.fetchall()
        if rows:
            out[table] = ([c[0] for c in cursor.description], rows)
    return out


def _restore_seeded() -> None:
    for table, (columns, rows) in SEEDED.items():
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join([db.param] * len(columns))
        db.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        if is_postgres():  # serial columns continue after the restored ids
            for column in columns:
                sequence = db.execute_sql("SELECT pg_get_serial_sequence(%s, %s)",
                                          (table, column)).fetchone()[0]
                if sequence:
                    db.execute_sql(f'SELECT setval(%s, (SELECT MAX("{column}") FROM '
                                   f'"{table}"))', (sequence,))


def _truncate() -> None:
    tables = _tables()
    if is_postgres():
        db.execute_sql("TRUNCATE {} RESTART IDENTITY CASCADE".format(
            ", ".join(f'"{t}"' for t in tables)))
    else:
        db.execute_sql("PRAGMA foreign_keys = OFF")
        for table in tables:
            db.execute_sql(f'DELETE FROM "{table}"')
        if "sqlite_sequence" in [r[0] for r in db.execute_sql(
                "SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")]:
            db.execute_sql("DELETE FROM sqlite_sequence")
        db.execute_sql("PRAGMA foreign_keys = ON")
    with db.atomic():
        _restore_seeded()


@pytest.fixture(autouse=True)
def clean_db(request):
    """Every test starts from a freshly migrated database: empty tables but for the rows the
    migrations seed (only when it uses the database)."""
    yield
    if "database" in request.fixturenames:
        db.connect(reuse_if_open=True)
        _truncate()


@pytest.fixture(scope="session")
def app(database, database_url):
    from admin.app import create_app

    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})


@pytest.fixture
def client(app, database):
    return app.test_client()


@pytest.fixture
def runner(app, database):
    return app.test_cli_runner()


# --- factories ----------------------------------------------------------------------------------

@pytest.fixture
def server_behind_shanghai():
    """The process's clock in a zone 23 hours behind UTC (POSIX TZ signs are inverted), so
    that dt.date.today() is a day or two before Shanghai's whatever the hour the test runs:
    what a UTC server sees from 16:00 UTC, without waiting for it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "LAG+23"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def kinds(database):
    """The organisation kinds: seeded by migration 010, so this only names the dependency
    (and keeps working if a test emptied the table)."""
    from network.models import DEFAULT_KINDS
    from network.services import ensure_kinds

    ensure_kinds(DEFAULT_KINDS)


@pytest.fixture
def make_org(database, kinds):
    """make_org("QD", level=1) / make_org("QD-02", parent=city) — level follows the parent."""
    from network.services import create_org

    def make(code, parent=None, level=None, name=None, kind=None, **extra):
        if level is None:
            level = 1 if parent is None else parent.level + 1
        default_kind = {0: "调解中心", 1: "调解中心", 2: "调解工作站", 3: "调解工作室"}[level]
        return create_org({"code": code, "name": name or f"机构{code}", "level": level,
                           "parent": parent, "kind": kind or default_kind, **extra},
                          actor="test", scope=None)

    return make


@pytest.fixture
def network(make_org):
    """A small city: QD → (QD-02 → QD-02-01, QD-02-02), (QD-11 → QD-11-01)."""
    city = make_org("QD", name="青岛市中心")
    shinan = make_org("QD-02", parent=city, name="市南区工作站")
    huangdao = make_org("QD-11", parent=city, name="黄岛区工作站")
    return {
        "city": city,
        "shinan": shinan,
        "huangdao": huangdao,
        "room1": make_org("QD-02-01", parent=shinan, name="中山路工作室"),
        "room2": make_org("QD-02-02", parent=shinan, name="八大峡工作室"),
        "room3": make_org("QD-11-01", parent=huangdao, name="黄岛工作室"),
    }


def id_number(region="370202", born="19800101", seq="12", gender="M") -> str:
    """A valid 身份证号 with the given parts (gender digit chosen to match)."""
    digit = "1" if gender == "M" else "2"
    body = f"{region}{born}{seq}{digit}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def make_mediator(database):
    from org.services import create_mediator

    counter = {"n": 0}

    def make(station, staff_no=None, name="张三", gender="M", **extra):
        counter["n"] += 1
        n = counter["n"]
        data = {"staff_no": staff_no or f"T{n:04d}", "name": name, "gender": gender,
                "id_number": id_number(seq=f"{n % 100:02d}", gender=gender),
                "mobile": f"1380000{n:04d}", "station": station,
                "joined": dt.date(2022, 1, 1), **extra}
        return create_mediator(data, actor="test", scope=None)

    return make


PASSWORD = "Passw0rd!"


@pytest.fixture
def make_user(database):
    from org.accounts import create_user

    def make(username, role="manager", organization=None, mediator=None, password=PASSWORD):
        return create_user({"username": username, "role": role, "organization": organization,
                            "mediator": mediator, "password": password}, actor=None)

    return make


def csrf_token(client, url="/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, username, password=PASSWORD):
        self.token = csrf_token(self.client)
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": self.token})

    def post(self, url, data=None, **kwargs):
        """POST a form with the session's CSRF token added."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.token or csrf_token(self.client))
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


# --- cases: the factory and the hand-counted ledger the KPI tests count against -------------

@pytest.fixture
def make_case(database):
    from evaluation.services import create_case

    counter = {"n": 0}

    def make(station, mediator, received, closed=None, result="调解中", amount="1000.00",
             agreed=None, method="线下", judicial="否", fulfilment=None, case_no=None,
             dispute_type="信用卡", source="当事人申请"):
        counter["n"] += 1
        return create_case({
            "case_no": case_no or f"C{counter['n']:05d}", "station": station,
            "mediator": mediator, "received": received, "closed": closed,
            "dispute_type": dispute_type, "amount_involved": amount, "agreed_amount": agreed,
            "result": result, "method": method, "source": source,
            "judicial_confirmed": judicial, "fulfilment": fulfilment,
        }, actor="test", scope=None)

    return make


@pytest.fixture
def ledger(network, make_mediator, make_case):
    """Seven cases of Q1 2024 (days = 结案日期 − 受理日期):

    case  station    受理     结案     result  method  标的      协议     确认 履行    days
    A     QD-02-01   01-10   01-20   成功    线上    10000.00  8000.00  是   已履行   10
    B     QD-02-01   01-15   02-05   不成功  线下     5000.50  -        否   -        21
    C     QD-02-02   01-31   02-01   撤回    线下     2000.00  -        否   -         1
    D     QD-02-02   02-10   -       调解中  线下     3000.00  -        否   -         -
    E     QD-11-01   02-03   03-04   成功    线下     1000.25  1000.25  否   -        30
    F     QD-02-01   02-20   02-25   成功    线上      600.00   500.00  是   部分履行  5
    G     QD-02      03-10   03-12   成功    线下      100.00    50.00  否   未履行    2
    """
    d = dt.date
    m1 = make_mediator(network["room1"])
    m2 = make_mediator(network["room2"])
    m3 = make_mediator(network["room3"])
    m4 = make_mediator(network["shinan"])
    cases = {
        "A": make_case(network["room1"], m1, d(2024, 1, 10), d(2024, 1, 20), "调解成功",
                       "10000.00", "8000.00", "线上", "是", "已履行"),
        "B": make_case(network["room1"], m1, d(2024, 1, 15), d(2024, 2, 5), "调解不成功",
                       "5000.50"),
        "C": make_case(network["room2"], m2, d(2024, 1, 31), d(2024, 2, 1), "撤回", "2000.00"),
        "D": make_case(network["room2"], m2, d(2024, 2, 10), None, "调解中", "3000.00"),
        "E": make_case(network["room3"], m3, d(2024, 2, 3), d(2024, 3, 4), "调解成功",
                       "1000.25", "1000.25"),
        "F": make_case(network["room1"], m1, d(2024, 2, 20), d(2024, 2, 25), "调解成功",
                       "600.00", "500.00", "线上", "是", "部分履行"),
        "G": make_case(network["shinan"], m4, d(2024, 3, 10), d(2024, 3, 12), "调解成功",
                       "100.00", "50.00", "线下", "否", "未履行"),
    }
    return {**network, "cases": cases, "mediators": [m1, m2, m3, m4]}
