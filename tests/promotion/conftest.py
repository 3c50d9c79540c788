"""Promotion fixtures: the seeded ladder and training reference rows, sessions, attendance."""
from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def grade_ladder(database):
    """What migration 013 seeds (the suite truncates every table between tests)."""
    from org.grades import ladder, seed_ladder

    seed_ladder()
    return ladder()


@pytest.fixture
def training_ref(database):
    from training.reference import seed

    seed(database.obj)


@pytest.fixture
def attend(training_ref, network):
    """attend(mediator, "2024-07-01 09:00", hours="3", kind="年度培训", status="出席"):
    a three-hour session starting then, and the mediator's attendance at it."""
    from training.attendance import record_attendance
    from training.sessions import create_session

    counter = {"n": 0}

    def make(mediator, start, hours="3", kind="年度培训", status="出席", minutes=None):
        counter["n"] += 1
        day, time = start.split(" ")
        hour = int(time[:2])
        session = create_session({
            "code": f"P{counter['n']:03d}", "course": "调解技巧", "kind": kind,
            "host": network["city"], "start": start, "end": f"{day} {hour + 3:02d}:00",
            "hours": Decimal(hours), "capacity": 30}, actor="test", scope=None)
        return record_attendance(session, mediator, status, minutes, actor="test", scope=None)

    return make
