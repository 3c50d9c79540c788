"""The demo's training year: what the coordinator and the mediator logins find on their home
pages on a first start (sessions held, hours credited, certificates, this week's session,
sign-ups waiting for approval), made through the training services like a coordinator's
clicks, so every figure on those pages comes from the code that keeps them in production.

Dated from the day of the first start: six sessions held earlier this year (on fixed
shares of the time since 15 January; in January, of the last three months), one
this week (today or the next working day, else the last one: its attendance then waits to be
recorded) and one in ten days (the next working day from there) that needs approval.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from network.dates import SHANGHAI
from network.models import Organization
from network.tree import in_subtree
from org.models import Mediator
from training.attendance import record_attendance
from training.certificates import issue_for_session
from training.enrolment import enrol_many, sign_up
from training.models import (
    ABSENT,
    ANNUAL,
    CASE_STUDY,
    FINISHED,
    LATE,
    LECTURE,
    OPEN,
    PRE_SERVICE,
    PRESENT,
    Session,
    TrainingKind,
)
from training.sessions import create_session, update_session
from training.workcalendar import is_workday

ACTOR = "demo"
# (code suffix, course, kind code, host, hours, start hour, end hour, capacity, share of the
# year so far, the mediator login attends). A mediator present at the two 岗前培训 days has the
# 10 pre-service hours 四级 asks for; the city's two and their county's one make the annual 20.
# The mediator login was at the first day and the city's 年度培训 only: 6 of 10 pre-service
# hours, 14 of 20 for the year, so their home shows what is still to do.
HELD = [
    ("01", "新任调解员岗前培训（一）", PRE_SERVICE, "QD", "6", 9, 16, 120, 0.10, True),
    ("02", "新任调解员岗前培训（二）", PRE_SERVICE, "QD", "6", 9, 16, 120, 0.12, False),
    ("03", "金融纠纷调解实务", ANNUAL, "QD", "8", 9, 17, 120, 0.30, True),
    ("04", "调解员职业道德与纪律", LECTURE, "QD", "6", 9, 16, 120, 0.50, False),
    ("05", "金融消费纠纷典型案例评析", CASE_STUDY, "QD-02", "6", 9, 16, 40, 0.70, False),
    ("06", "保险理赔纠纷调解要点", CASE_STUDY, "QD-11", "6", 9, 16, 40, 0.85, False),
]
FIRST_MEDIATOR = "M0001"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _workday(day: dt.date) -> dt.date:
    """`day`, or the working day before it (the work calendar: weekends and holidays)."""
    while not is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def this_week_day(today: dt.date) -> dt.date:
    """A working day of this week (Monday to Sunday) for the coordinator's 本周场次: today or
    the next one, else the last one before today."""
    monday = today - dt.timedelta(days=today.weekday())
    week = [monday + dt.timedelta(days=n) for n in range(7)]
    ahead = [day for day in week if day >= today and is_workday(day)]
    behind = [day for day in week if day < today and is_workday(day)]
    return ahead[0] if ahead else behind[-1] if behind else today


def held_days(today: dt.date) -> list[dt.date]:
    """The working days of HELD, in order, each `share` of the way from 15 January to today
    (in January, of the last three months); never two on one day."""
    start = dt.date(today.year, 1, 15)
    if (today - start).days < 30:
        start = today - dt.timedelta(days=90)
    days: list[dt.date] = []
    for *_, share, _first in HELD:
        day = _workday(start + dt.timedelta(days=int((today - start).days * share)))
        while days and day <= days[-1]:
            day += dt.timedelta(days=1)
            while not is_workday(day):
                day += dt.timedelta(days=1)
        days.append(day)
    return days


def _kind_name(code: str) -> str:
    return TrainingKind.get(TrainingKind.code == code).name


def _audience(host: Organization) -> list[Mediator]:
    """Mediators on post in the host's subtree, the mediator login first."""
    people = list(Mediator.select().join(Organization, on=(Mediator.station == Organization.id))
                  .where(in_subtree(Organization.path, host), Mediator.status == "on")
                  .order_by(Mediator.staff_no))
    return sorted(people, key=lambda m: m.staff_no != FIRST_MEDIATOR)


def load_training(rng: random.Random, today: dt.date) -> None:
    year = today.year
    for (suffix, course, kind, host_code, hours, begin, end, capacity, _share, first), day in zip(
            HELD, held_days(today), strict=True):
        host = Organization.get(Organization.code == host_code)
        session = create_session({
            "code": f"PX-{year}-{suffix}", "course": course, "kind": _kind_name(kind),
            "host": host, "start": _at(day, begin), "end": _at(day, end),
            "hours": Decimal(hours), "capacity": capacity, "status": OPEN,
            "venue": f"{host.name}培训室", "trainers": "市中心培训讲师组"}, actor=ACTOR, scope=None)
        people = [m for m in _audience(host)[:capacity] if first or m.staff_no != FIRST_MEDIATOR]
        enrol_many(session, people, actor=ACTOR, scope=None)
        minutes = (end - begin) * 60
        for mediator in people:
            roll = 1.0 if mediator.staff_no == FIRST_MEDIATOR else rng.random()
            if roll < 0.08:
                record_attendance(session, mediator, ABSENT, actor=ACTOR, scope=None)
            elif roll < 0.15:
                record_attendance(session, mediator, LATE, minutes - 60, actor=ACTOR, scope=None)
            else:
                record_attendance(session, mediator, PRESENT, actor=ACTOR, scope=None)
        update_session(session, {"status": FINISHED}, actor=ACTOR, scope=None)
        issue_for_session(session, actor=ACTOR, scope=None, today=today)
    city = Organization.get(Organization.code == "QD")
    day = this_week_day(today)
    this_week = create_session({
        "code": f"PX-{year}-07", "course": "调解文书制作", "kind": _kind_name(LECTURE),
        "host": city, "start": _at(day, 14), "end": _at(day, 17), "hours": Decimal("3"),
        "capacity": 40, "status": OPEN, "venue": "市中心二楼会议室",
        "trainers": "市中心培训讲师组"}, actor=ACTOR, scope=None)
    enrol_many(this_week, _audience(city)[:32], actor=ACTOR, scope=None)
    later = today + dt.timedelta(days=10)
    while not is_workday(later):
        later += dt.timedelta(days=1)
    upcoming = create_session({
        "code": f"PX-{year}-08", "course": "线上调解平台操作", "kind": _kind_name(ANNUAL),
        "host": city, "start": _at(later, 9), "end": _at(later, 12), "hours": Decimal("3"),
        "capacity": 30, "status": OPEN, "needs_approval": True,
        "enrol_deadline": _at(later - dt.timedelta(days=1), 18), "venue": "线上",
        "trainers": "市中心培训讲师组"}, actor=ACTOR, scope=None)
    for mediator in _audience(city)[-2:]:  # two sign-ups for the coordinator to approve
        sign_up(upcoming, mediator, actor=mediator.staff_no)


def has_training() -> bool:
    return Session.select().exists()
