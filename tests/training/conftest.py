"""Training fixtures: the seeded reference rows, and a session factory."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from network.dates import SHANGHAI


@pytest.fixture
def training_ref(database):
    """The kinds, requirements and calendar migration 011 seeds (the suite truncates every
    table between tests; the seed skips what is already there)."""
    from training.reference import seed

    seed(database.obj)


def at(text: str) -> dt.datetime:
    """'2026-03-02 09:00' as an aware Asia/Shanghai time."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.fixture
def make_session(training_ref, network):
    from training.sessions import create_session

    counter = {"n": 0}

    def make(start="2026-03-02 09:00", end="2026-03-02 12:00", hours="3", host=None,
             kind="年度培训", capacity=30, course="调解技巧", **extra):
        counter["n"] += 1
        data = {"code": extra.pop("code", f"S{counter['n']:03d}"), "course": course,
                "kind": kind, "host": host or network["city"], "start": start, "end": end,
                "hours": Decimal(hours), "capacity": capacity, **extra}
        return create_session(data, actor="test", scope=None)

    return make
