"""Demo data: a Qingdao-like city network, ~120 mediators, ~1,500 cases, one account per role.

Built through the same services as the portal (so it is audited and obeys every rule) and
idempotent: running it again changes nothing.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from stdnum.cn import ric

from evaluation.models import Case
from evaluation.services import create_case
from network.dates import local_today
from network.db import db
from network.errors import Msg
from network.models import CITY, COMMUNITY, COUNTY, DEFAULT_KINDS, Organization
from network.services import create_org, ensure_kinds
from org.accounts import create_user
from org.models import EDUCATION, POLITICAL, Assignment, Mediator, User
from org.services import create_mediator

from .demo_training import has_training, load_training

ACTOR = "demo"
PASSWORD = "Demo@2026"
DEMO_LOGINS = [
    ("admin", PASSWORD, "系统管理员（全市）"),
    ("shinan", PASSWORD, "管理员（市南区）"),
    ("huangdao", PASSWORD, "管理员（黄岛区）"),
    ("trainer", PASSWORD, "培训管理员（全市中心）"),
    ("m0001", PASSWORD, "调解员"),
]

# The people behind the demo logins (the mediator login shows the mediator's own name).
DEMO_NAMES = {"admin": "王建国", "shinan": "李敏", "huangdao": "张海燕", "trainer": "刘晓东"}

DISTRICTS = [
    ("QD-02", "市南区", "370202", 120.3958, 36.0671, 4),
    ("QD-03", "市北区", "370203", 120.3748, 36.0876, 4),
    ("QD-11", "黄岛区", "370211", 120.1978, 35.9607, 5),
    ("QD-12", "崂山区", "370212", 120.4687, 36.1073, 3),
    ("QD-13", "李沧区", "370213", 120.4328, 36.1451, 3),
    ("QD-14", "城阳区", "370214", 120.3963, 36.3075, 3),
    ("QD-15", "即墨区", "370215", 120.4471, 36.3896, 3),
    ("QD-81", "胶州市", "370281", 120.0335, 36.2644, 2),
    ("QD-83", "平度市", "370283", 119.9600, 36.7868, 2),
    ("QD-85", "莱西市", "370285", 120.5177, 36.8880, 2),
]
ROOM_NAMES = ["中山路社区调解工作室", "八大峡社区调解工作室", "驻法院金融纠纷调解工作室",
              "银行网点调解点", "香港中路社区调解工作室"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红海燕鹏飞晓东慧"
EMPLOYERS = ["中国工商银行青岛分行", "中国建设银行青岛分行", "青岛银行", "中国人保财险青岛分公司",
             "中国人寿青岛分公司", "农商银行", "律师事务所", None]
SPECIALITIES = ["个人贷款", "信用卡", "保险理赔", "道路交通保险", "理财产品", "小微企业贷款"]

CASE_COUNT = 1500
CASE_YEARS = 3
# (纠纷类型, weight, typical 标的金额 in yuan): business loans are larger than card debts.
DISPUTES = [("个人贷款", 26, 40000), ("信用卡", 24, 15000), ("保险理赔", 15, 30000),
            ("道路交通保险", 12, 25000), ("小微企业贷款", 10, 90000), ("理财产品", 8, 50000),
            ("其他", 5, 10000)]
CASE_SOURCES = [("法院委派", 40), ("金融机构申请", 24), ("当事人申请", 20), ("投诉转办", 11),
                ("其他", 5)]
OPEN_SHARE, ONLINE_SHARE = 0.08, 0.30
# Outcomes of concluded cases: about 61% succeed, some are withdrawn.
OUTCOMES = [("调解成功", 61), ("调解不成功", 30), ("撤回", 9)]
FULFILMENT_MIX = [("已履行", 70), ("部分履行", 20), ("未履行", 10)]


def _id_number(rng: random.Random, region: str, gender: str) -> tuple[str, dt.date]:
    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 33))
    seq = rng.randrange(0, 50) * 2 + (1 if gender == "M" else 0)
    body = f"{region}{born:%Y%m%d}{rng.randrange(0, 10)}{seq:02d}"
    return body + ric.calc_check_digit(body + "0"), born


def _quiet(message: Msg) -> None:
    """The default progress report: none."""


def load_demo(progress: Callable[[Msg], None] = _quiet) -> Msg:
    """Create what is missing of the demo; return a one-line summary. `progress` hears each
    step before it starts (the first start takes a while and should say why)."""
    with db.atomic():
        ensure_kinds(DEFAULT_KINDS)
        city = Organization.get_or_none(Organization.code == "QD")
        if city is None:
            progress(Msg("正在创建演示机构和调解员……"))
            city = create_org({"code": "QD", "name": "青岛市金融纠纷调解中心", "level": CITY,
                               "parent": None, "kind": "调解中心", "division_code": "370200",
                               "address": "青岛市市南区东海西路", "phone": "0532-80000000",
                               "founded": dt.date(2019, 6, 1), "longitude": "120.3826",
                               "latitude": "36.0671"}, actor=ACTOR, scope=None)
            rng = random.Random(2026)
            staff = 0
            for code, name, division, lng, lat, rooms in DISTRICTS:
                county = create_org({
                    "code": code, "name": f"{name}金融纠纷调解工作站", "level": COUNTY,
                    "parent": city, "kind": "调解工作站", "division_code": division,
                    "address": f"青岛市{name}", "phone": f"0532-8{rng.randrange(1000000, 9999999)}",
                    "founded": dt.date(2020, rng.randrange(1, 13), 1),
                    "longitude": f"{lng:.4f}", "latitude": f"{lat:.4f}"}, actor=ACTOR, scope=None)
                for i in range(rooms):
                    room_name = ROOM_NAMES[i % len(ROOM_NAMES)]
                    kind = ("驻法院工作室" if "驻法院" in room_name else
                            "银行网点调解点" if "银行" in room_name else "调解工作室")
                    room = create_org({
                        "code": f"{code}-{i + 1:02d}", "name": f"{name}{room_name}",
                        "level": COMMUNITY, "parent": county, "kind": kind,
                        "division_code": division, "address": f"青岛市{name}",
                        "founded": dt.date(2021, rng.randrange(1, 13), 1),
                        "longitude": f"{lng + rng.uniform(-0.05, 0.05):.4f}",
                        "latitude": f"{lat + rng.uniform(-0.05, 0.05):.4f}"},
                        actor=ACTOR, scope=None)
                    for station in ([county] if i == 0 else []) + [room]:
                        for _ in range(rng.randrange(2, 5)):
                            staff += 1
                            gender = rng.choice("MF")
                            number, born = _id_number(rng, division, gender)
                            full = rng.random() < 0.3
                            create_mediator({
                                "staff_no": f"M{staff:04d}",
                                "name": rng.choice(SURNAMES) + "".join(
                                    rng.choice(GIVEN) for _ in range(rng.randrange(1, 3))),
                                "gender": gender, "id_number": number,
                                "mobile": f"13{rng.randrange(0, 10)}{rng.randrange(10**7, 10**8)}",
                                "education": rng.choice(EDUCATION[:4]),
                                "speciality": rng.choice(SPECIALITIES),
                                "political_status": rng.choice(POLITICAL[:1] * 2 + POLITICAL[4:]),
                                "employment": "full" if full else "part",
                                "employer": None if full else rng.choice(EMPLOYERS),
                                "joined": dt.date(2020, 1, 1) + dt.timedelta(
                                    days=rng.randrange(0, 1500)),
                                "status": "on" if rng.random() < 0.95 else "off",
                                "station": station},
                                actor=ACTOR, scope=None,
                                kind=rng.choice(["resident", "resident", "rotating", "on_call"]))
        if not Case.select().exists():
            progress(Msg("正在生成演示案件（约 %(n)d 件）……", n=CASE_COUNT))
            _demo_cases(random.Random(2027), local_today())
        if not has_training():
            progress(Msg("正在生成演示培训场次……"))
            load_training(random.Random(2028), local_today())
        for username, _pw, _label in DEMO_LOGINS:
            if User.get_or_none(User.username == username):
                continue
            progress(Msg("正在创建演示账号 %(username)s……", username=username))
            display_name = DEMO_NAMES.get(username) or Mediator.get(
                Mediator.staff_no == "M0001").name
            data = {"username": username, "password": PASSWORD, "display_name": display_name}
            if username == "admin":
                data.update(role="admin")
            elif username == "trainer":
                data.update(role="trainer", organization="QD")
            elif username == "m0001":
                data.update(role="mediator", mediator="M0001")
            else:
                data.update(role="manager",
                            organization="QD-02" if username == "shinan" else "QD-11")
            create_user(data, actor=None)
    return Msg("演示数据：%(orgs)d 个机构，%(mediators)d 名调解员，%(cases)d 件案件，"
               "%(users)d 个账号", orgs=Organization.select().count(),
               mediators=Mediator.select().count(), cases=Case.select().count(),
               users=User.select().count())


def _pick(rng: random.Random, table):
    return rng.choices([row[0] for row in table], weights=[row[1] for row in table])[0]


def _demo_cases(rng: random.Random, today: dt.date) -> None:
    """~1,500 cases over the last three years, each received by a mediator serving the
    station on that day (after the assignment began), through the ledger's own service.

    Open cases are recent ones (received in the last 90 days); the others last ~16 days on
    average and close no later than today.
    """
    first = today - dt.timedelta(days=365 * CASE_YEARS)
    postings = list(Assignment.select(Assignment.mediator, Assignment.station, Assignment.start)
                    .where(Assignment.end.is_null()).order_by(Assignment.id).tuples())
    mediators = {m.id: m for m in Mediator.select()}
    stations = {o.id: o for o in Organization.select()}
    planned = []
    for _ in range(CASE_COUNT):
        mediator_id, station_id, start = rng.choice(postings)
        is_open = rng.random() < OPEN_SHARE
        earliest = max(first, start, today - dt.timedelta(days=90) if is_open else first)
        span = (today - earliest).days
        received = earliest + dt.timedelta(days=rng.randrange(0, span + 1))
        days = max(1, round(rng.gammavariate(2.0, 8.0)))
        if not is_open and received + dt.timedelta(days=days) > today:
            received = max(earliest, today - dt.timedelta(days=days))
            days = (today - received).days
        planned.append((received, is_open, days, mediator_id, station_id))
    planned.sort(key=lambda row: row[0])
    serial: dict[int, int] = {}
    for received, is_open, days, mediator_id, station_id in planned:
        station = stations[station_id]
        serial[received.year] = serial.get(received.year, 0) + 1
        dispute, _weight, typical = rng.choices(DISPUTES, weights=[d[1] for d in DISPUTES])[0]
        amount = min(round(typical * rng.lognormvariate(0, 0.8), -1), 3_000_000)
        result = "调解中" if is_open else _pick(rng, OUTCOMES)
        success = result == "调解成功"
        create_case({
            "case_no": f"{station.code.split('-')[0]}{received:%Y}{serial[received.year]:05d}",
            "station": station, "mediator": mediators[mediator_id], "received": received,
            "closed": None if is_open else received + dt.timedelta(days=days),
            "dispute_type": dispute, "amount_involved": f"{amount:.2f}",
            "agreed_amount": f"{amount * rng.uniform(0.5, 1.0):.2f}" if success else None,
            "result": result, "method": "线上" if rng.random() < ONLINE_SHARE else "线下",
            "source": _pick(rng, CASE_SOURCES),
            "judicial_confirmed": success and rng.random() < 0.3,
            "fulfilment": _pick(rng, FULFILMENT_MIX) if success else None,
        }, actor=ACTOR, scope=None)
