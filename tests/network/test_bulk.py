"""The bulk writer the imports stream into: rows land, and a database refusal reaches the
caller as peewee's error after the helper thread has stopped; the look-up of many key pairs
and the additions to kept counts."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import peewee as pw
import pytest

from evaluation.imports import INSERTED
from evaluation.models import Case
from network import bulk
from network.db import db, is_postgres


def case_row(case_no: str, station_id: int, mediator_id: int) -> tuple:
    stamp = dt.datetime(2024, 5, 1, 9, 30)
    return (case_no, station_id, mediator_id, dt.date(2024, 5, 1), None, "信用卡",
            Decimal("12.50"), None, "open", "offline", "当事人申请\t(tab)", False, None, stamp,
            stamp)


def stream(sink: bulk.Inserter, prefix: str, count: int, station_id: int,
           mediator_id: int) -> None:
    """`count` cases numbered `prefix`-00000… added to the sink."""
    for i in range(count):
        sink.add(case_row(f"{prefix}-{i:05d}", station_id, mediator_id))


def test_rows_of_several_pages_land_with_their_values(network, make_mediator):
    mediator = make_mediator(network["room1"])
    room = network["room1"].id
    with db.atomic():
        with bulk.Inserter(Case, INSERTED) as sink:
            stream(sink, "P", bulk.PAGE * 5 + 7, room, mediator.id)
    assert sink.count == Case.select().count() == bulk.PAGE * 5 + 7
    case = Case.get(Case.case_no == "P-00003")
    assert case.amount_involved == Decimal("12.50") and case.source == "当事人申请\t(tab)"
    assert case.received == dt.date(2024, 5, 1) and case.closed is None
    assert not any(t.name == "bulk-copy" for t in threading.enumerate())


def test_ordered_rows_land_sorted_run_by_run(network, make_mediator, monkeypatch):
    """`order_by`: the rows reach the table sorted by the key (ids in that order). On
    PostgreSQL run by run, the runs in the order they were added, the rows still held at
    `close` written too; on SQLite all at once at `close`."""
    monkeypatch.setattr(bulk, "RUN", 4)
    mediator = make_mediator(network["room1"])
    rooms = [network["room2"].id, network["room1"].id]
    days = [dt.date(2024, 5, d) for d in (9, 3, 7, 1, 8, 2)]
    with db.atomic():
        with bulk.Inserter(Case, INSERTED, order_by=("station", "received")) as sink:
            for i, day in enumerate(days):
                row = list(case_row(f"O-{i}", rooms[i % 2], mediator.id))
                row[3] = day
                sink.add(row)
    stored = [(c.station_id, c.received.day) for c in Case.select().order_by(Case.id)]
    room2, room1 = rooms
    # run 1: rows 0-3 (room2 9, room1 3, room2 7, room1 1); run 2: rows 4-5 (room2 8, room1 2)
    first, second = [(room2, 9), (room1, 3), (room2, 7), (room1, 1)], [(room2, 8), (room1, 2)]
    if is_postgres():
        assert stored == sorted(first) + sorted(second)
    else:
        assert stored == sorted(first + second)
    assert sink.count == 6


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


def test_bulk_rows_are_stored_exactly_as_the_orm_stores_them(network, make_mediator):
    """The writer formats dates, datetimes and amounts itself on SQLite (and for COPY): the
    stored values must be those of an ordinary save, or range queries on text dates and
    amount sums would treat the two kinds of row differently."""
    mediator = make_mediator(network["room1"])
    room = network["room1"].id
    row = case_row("B-1", room, mediator.id)
    closed = (*row[:4], dt.date(2024, 5, 20), *row[5:7], Decimal("7.05"), "success",
              *row[9:13], dt.datetime(2024, 5, 1, 9, 30, 0, 123456),
              dt.datetime(2024, 5, 1, 9, 30))
    with db.atomic():
        bulk.insert(Case, INSERTED, [closed])
    Case.create(**dict(zip(INSERTED, (("O-1",) + closed[1:]), strict=True)))
    names = ", ".join(f'"{Case._meta.fields[n].column_name}"' for n in INSERTED[3:])
    stored = db.execute_sql(f'SELECT {names} FROM "mediation_case" ORDER BY "case_no"').fetchall()
    assert len(stored) == 2 and stored[0] == stored[1]
    assert Case.get(Case.case_no == "B-1").created_at == dt.datetime(2024, 5, 1, 9, 30, 0, 123456)
    assert Case.select().where(Case.closed.between(dt.date(2024, 5, 20),
                                                   dt.date(2024, 5, 20))).count() == 2


def test_the_gil_is_handed_over_faster_only_while_a_copy_runs(network, make_mediator):
    """On PostgreSQL the COPY thread gets the GIL back within 0.5 ms while it runs; the
    interpreter's own interval comes back afterwards, also after a refused write."""
    import sys

    from network.db import is_postgres

    mediator = make_mediator(network["room1"])
    room = network["room1"].id
    before = sys.getswitchinterval()
    seen = []
    with db.atomic():
        with bulk.Inserter(Case, INSERTED) as sink:
            stream(sink, "G", bulk.PAGE * 3, room, mediator.id)
            seen.append(sys.getswitchinterval())
    assert sys.getswitchinterval() == before
    assert seen == [bulk.COPY_SWITCH_INTERVAL if is_postgres() else before]
    with pytest.raises(pw.IntegrityError):
        with db.atomic():
            with bulk.Inserter(Case, INSERTED) as sink:
                stream(sink, "G", bulk.PAGE * 3, room, mediator.id)  # the same: refused
    assert sys.getswitchinterval() == before


def test_select_pairs_finds_exactly_the_rows_of_the_pairs_given(network, make_mediator):
    """More pairs than one statement takes: each existing pair once, unknown pairs nothing."""
    from org.models import Mediator

    people = [make_mediator(network["room1"]).id for _ in range(3)]
    rooms = [network["room1"].id, network["room2"].id]
    with db.atomic():
        bulk.insert(Case, INSERTED, [case_row(f"K-{i}", rooms[i % 2], people[i % 3])
                                     for i in range(12)])
    stored = {(c.station_id, c.mediator_id): [] for c in Case.select()}
    for c in Case.select():
        stored[(c.station_id, c.mediator_id)].append(c.case_no)
    asked = [(room, person) for room in rooms for person in people[:2]]
    asked += [(room, 10**6 + k) for k in range(6000) for room in rooms[:1]]  # nobody
    found = bulk.select_pairs(Case, (Case.station, Case.mediator), asked,
                              [Case.station, Case.mediator, Case.case_no])
    assert sorted(found) == sorted((s, m, no) for (s, m), nos in stored.items()
                                   if m in people[:2] for no in nos)
    assert len(found) == 8  # 12 cases, a third of them by the person not asked for
    assert bulk.select_pairs(Case, (Case.station, Case.mediator), [], [Case.id]) == []
    assert Mediator.select().count() == 3


def test_add_moves_kept_counts_by_differences(network, make_mediator):
    mediator = make_mediator(network["room1"])
    with db.atomic():
        bulk.insert(Case, INSERTED, [case_row(f"A-{i}", network["room1"].id, mediator.id)
                                     for i in range(3)])
    first, second, _ = (c.id for c in Case.select().order_by(Case.case_no))
    with db.atomic():
        bulk.add(Case, ["amount_involved"], [(first, (Decimal("2.50"),)),
                                             (second, (Decimal("-10.00"),))])
    bulk.add(Case, ["amount_involved"], [])
    assert [c.amount_involved for c in Case.select().order_by(Case.case_no)] == [
        Decimal("15.00"), Decimal("2.50"), Decimal("12.50")]


def test_among_matches_like_in_with_any_number_of_values(network, make_mediator):
    from org.models import Mediator

    people = [make_mediator(network["room1"], staff_no=f"W{i}") for i in range(3)]
    asked = ["W0", "W2", "没有", "it's"] + [f"X{i}" for i in range(40000)]
    found = Mediator.select(Mediator.staff_no).where(bulk.among(Mediator.staff_no, asked))
    assert sorted(found.tuples()) == [("W0",), ("W2",)]
    ids = Mediator.select(Mediator.id).where(bulk.among(Mediator.id, [people[1].id]))
    assert [m.id for m in ids] == [people[1].id]
    assert not Mediator.select().where(bulk.among(Mediator.id, [])).exists()


def test_update_writes_each_value_as_given_quotes_and_nulls_included(network, make_mediator):
    """On PostgreSQL the values travel as array literals: a text with quotes, backslashes,
    braces, commas and tabs, an empty text, a NULL date and a datetime must land unchanged."""
    mediator = make_mediator(network["room1"])
    with db.atomic():
        bulk.insert(Case, INSERTED, [case_row(f"U-{i}", network["room1"].id, mediator.id)
                                     for i in range(3)])
    ids = [c.id for c in Case.select().order_by(Case.case_no)]
    odd = 'a"b\\c{d,e}NULL\tf'  # 17 of the column's 20
    stamp = dt.datetime(2024, 6, 2, 8, 15, 30)
    with db.atomic():
        bulk.update(Case, ["source", "closed", "updated_at"],
                    [(ids[0], (odd, None, stamp)), (ids[1], ("", dt.date(2024, 6, 1), stamp))])
    first, second, third = Case.select().order_by(Case.case_no)
    assert (first.source, first.closed, first.updated_at) == (odd, None, stamp)
    assert (second.source, second.closed) == ("", dt.date(2024, 6, 1))
    assert third.source == "当事人申请\t(tab)" and third.updated_at != stamp


def test_upsert_add_inserts_new_keys_and_adds_to_existing_ones(network):
    """Two calls over the same month rows: the second adds to the first's counts (a negative
    amount included) and inserts the key the first did not have."""
    from evaluation.models import Rollup
    from evaluation.rollups import COUNTS

    units = [network["room1"].id, network["room2"].id]
    may, june = dt.date(2024, 5, 1), dt.date(2024, 6, 1)
    rest = [0] * (len(COUNTS) - 2)  # the counts after received and closed
    assert COUNTS[:2] == ("received", "closed")
    with db.atomic():
        bulk.upsert_add(Rollup, ["organization", "month"], COUNTS,
                        [(units[0], may, 3, 1, *rest), (units[1], may, 2, 0, *rest)])
        bulk.upsert_add(Rollup, ["organization", "month"], COUNTS,
                        [(units[0], may, 1, -1, *rest), (units[0], june, 5, 4, *rest)])
    stored = {(r.organization_id, r.month): (r.received, r.closed) for r in Rollup.select()}
    assert stored == {(units[0], may): (4, 0), (units[1], may): (2, 0),
                      (units[0], june): (5, 4)}


def test_statements_given_to_an_inserter_run_after_its_rows(network, make_mediator):
    """`execute` queues a statement behind the rows added so far: it sees them; a refused
    statement is raised by close as peewee's error and the writing thread is gone."""
    mediator = make_mediator(network["room1"])
    room = network["room1"].id
    with db.atomic():
        with bulk.Inserter(Case, INSERTED) as sink:
            stream(sink, "E", bulk.PAGE * 3 + 5, room, mediator.id)
            sink.execute(*Case.update(source="后").where(Case.case_no >= "E-03000").sql())
    assert Case.select().where(Case.source == "后").count() == 5
    with pytest.raises(pw.IntegrityError):
        with db.atomic():
            with bulk.Inserter(Case, INSERTED) as sink:
                sink.add(case_row("F-1", room, mediator.id))
                sink.execute(*Case.update(case_no="E-00001").sql())
    assert not any(t.name == "bulk-copy" for t in threading.enumerate())
    assert Case.select().count() == bulk.PAGE * 3 + 5



def test_insert_select_copies_every_value_and_sets_the_planner_back(network, make_mediator):
    """The rebuild's INSERT … SELECT (on PostgreSQL a COPY out and a COPY in): a tab, a
    backslash, quotes and NULLs arrive as they left, and the parallel settings of the read
    last only for it."""
    mediator = make_mediator(network["room1"])
    odd = list(case_row("ODD", network["room1"].id, mediator.id))
    odd[5] = 'back\\slash "quoted"'  # 纠纷类型
    fields = [f for f in Case._meta.sorted_fields if f.name != "id"]

    def setting() -> str | None:
        if not is_postgres():
            return None
        return db.execute_sql("SELECT current_setting('parallel_setup_cost')").fetchone()[0]

    with db.atomic():
        with bulk.Inserter(Case, INSERTED) as sink:
            stream(sink, "C", 3, network["room1"].id, mediator.id)
            sink.add(tuple(odd))
        before = setting()
        copied = [Case.case_no.concat("-copy") if f is Case.case_no else f for f in fields]
        bulk.insert_select(Case, fields, Case.select(*copied).order_by(Case.case_no))
        assert setting() == before
    rows = {c.case_no: tuple(getattr(c, f.name) for f in fields[1:]) for c in Case.select()}
    assert len(rows) == 8
    for case_no in ("C-00000", "C-00002", "ODD"):
        assert rows[f"{case_no}-copy"] == rows[case_no]
    assert rows["ODD-copy"][4] == 'back\\slash "quoted"' and rows["ODD-copy"][3] is None
