"""The bulk writer the case import streams into: rows land, and a database refusal reaches
the caller as peewee's error after the helper thread has stopped."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import peewee as pw
import pytest

from evaluation import bulk
from evaluation.imports import INSERTED
from evaluation.models import Case
from network.db import db


def case_row(case_no: str, station_id: int, mediator_id: int) -> tuple:
    stamp = dt.datetime(2024, 5, 1, 9, 30)
    return (case_no, station_id, mediator_id, dt.date(2024, 5, 1), None, "信用卡",
            Decimal("12.50"), None, "open", "offline", "当事人申请\t(tab)", False, None, stamp,
            stamp)


def test_rows_of_several_pages_land_with_their_values(network, make_mediator):
    mediator = make_mediator(network["room1"])
    room = network["room1"].id
    with db.atomic():
        with bulk.Inserter(Case, INSERTED) as sink:
            for i in range(bulk.PAGE * 5 + 7):
                sink.add(case_row(f"P-{i:05d}", room, mediator.id))
    assert sink.count == Case.select().count() == bulk.PAGE * 5 + 7
    case = Case.get(Case.case_no == "P-00003")
    assert case.amount_involved == Decimal("12.50") and case.source == "当事人申请\t(tab)"
    assert case.received == dt.date(2024, 5, 1) and case.closed is None
    assert not any(t.name == "bulk-copy" for t in threading.enumerate())


def test_a_refused_row_raises_peewee_error_and_stops_the_writer(network, make_mediator):
    mediator = make_mediator(network["room1"])
    room = network["room1"].id
    with pytest.raises(pw.IntegrityError):
        with db.atomic():
            sink = bulk.Inserter(Case, INSERTED)
            for i in range(bulk.PAGE * 5):
                sink.add(case_row(f"D-{i % (bulk.PAGE * 4):05d}", room, mediator.id))
            sink.close()
    assert not any(t.name == "bulk-copy" for t in threading.enumerate())
    assert Case.select().count() == 0  # the connection still answers, the rows are gone
