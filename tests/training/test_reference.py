"""A fresh install has the training reference data: migration 011 seeds it, idempotently."""
from __future__ import annotations

import datetime as dt

from tests.test_migrations import router, scratch_database  # noqa: F401 (fixture)
from training.reference import official_days, seed


def _rows(database, sql):
    return database.execute_sql(sql).fetchall()


def test_migration_seeds_kinds_requirements_and_calendar(scratch_database):  # noqa: F811
    router(scratch_database).run()
    kinds = _rows(scratch_database, "SELECT code, name FROM training_kind ORDER BY sort_order")
    assert [name for _, name in kinds] == ["岗前培训", "年度培训", "专题讲座", "案例分析",
                                           "交流座谈", "线上课程"]
    requirements = dict(_rows(scratch_database, "SELECT kind, hours FROM training_requirement "
                                                "WHERE grade IS NULL"))
    assert {k: float(v) for k, v in requirements.items()} == {"annual": 20.0,
                                                              "pre_service": 10.0}
    days = {str(day): (bool(workday), name) for day, workday, name in _rows(
        scratch_database, "SELECT day, is_workday, name FROM work_day")}
    assert days["2026-10-01"] == (False, "国庆节")
    assert days["2020-01-25"] == (False, "春节")
    # 2026-01-04 (a Sunday) was worked in exchange for the New Year holiday
    assert days["2026-01-04"] == (True, "元旦调休")
    assert "2026-03-04" not in days  # an ordinary Wednesday has no row
    assert not any(day.startswith("2027") for day in days)  # no notice for 2027 yet

    # again: nothing doubles, and an admin's correction survives
    count = len(days)
    scratch_database.execute_sql("UPDATE work_day SET name = '春节（改）' WHERE day = '2020-01-25'")
    seed(scratch_database)
    assert len(_rows(scratch_database, "SELECT id FROM work_day")) == count
    assert len(_rows(scratch_database, "SELECT id FROM training_kind")) == 6
    assert len(_rows(scratch_database, "SELECT id FROM training_requirement")) == 2
    assert _rows(scratch_database, "SELECT name FROM work_day WHERE day = '2020-01-25'") == [
        ("春节（改）",)]


def test_years_without_a_notice_give_no_days():
    assert official_days(range(2027, 2030)) == []
    year = official_days(range(2026, 2027))
    assert (dt.date(2026, 10, 10), True, "国庆节调休") in year  # a Saturday worked
    assert (dt.date(2026, 10, 1), False, "国庆节") in year


def test_rollup_migration_fills_from_recorded_attendance(scratch_database):  # noqa: F811
    """Attendance recorded before migration 015: its figures are there after the upgrade."""
    router(scratch_database).run("011_training")
    db_ = scratch_database
    mark = db_.param
    stamp = "2026-01-01 00:00:00"

    def insert(table, **values):
        columns = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join(mark for _ in values)
        db_.execute_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))
        return db_.execute_sql(f"SELECT MAX(id) FROM {table}").fetchone()[0]

    kind = db_.execute_sql("SELECT id FROM org_kind ORDER BY id").fetchone()[0]  # seeded
    org = insert("organization", code="QD", name="青岛", level=1, kind_id=kind, status="active",
                 path="/1/", created_at=stamp, updated_at=stamp)
    people = [insert("mediator", staff_no=f"M{n}", name="张三", gender="M",
                     id_number=f"37020219800101{n:03d}X", employment="part", status="on",
                     station_id=org, created_at=stamp, updated_at=stamp) for n in (1, 2)]
    annual, lecture = (db_.execute_sql(f"SELECT id FROM training_kind WHERE code = {mark}",
                                       (code,)).fetchone()[0] for code in ("annual", "lecture"))
    course = insert("course", name="课程", kind_id=annual, description="", created_at=stamp)

    def session(code, day, kind_id, status="finished"):
        return insert("training_session", code=code, course_id=course, kind_id=kind_id,
                      host_id=org, trainers="", venue="", online_link="",
                      start=f"{day} 01:00:00", end=f"{day} 03:00:00", start_day=day,
                      minutes=120, hours=2, capacity=10, booked=0, audience_grades="",
                      audience_employment="", mandatory=False, needs_approval=False,
                      status=status, cancel_reason="", sequence=0, created_at=stamp,
                      updated_at=stamp)

    s1 = session("S1", "2025-12-31", annual)
    s2 = session("S2", "2026-01-02", annual)
    s3 = session("S3", "2026-02-02", lecture)
    s4 = session("S4", "2026-03-02", annual, status="cancelled")
    for session_id, mediator, credited in [(s1, people[0], 2), (s2, people[0], 2),
                                           (s2, people[1], 0), (s3, people[0], 1.5),
                                           (s3, people[1], 2), (s4, people[1], 2)]:
        insert("attendance", session_id=session_id, mediator_id=mediator,
               status="present" if credited == 2 else "late", minutes=None,
               credited=credited, recorded_by="", recorded_at=stamp)

    router(scratch_database).run()
    participants = dict(db_.execute_sql(
        "SELECT code, participants FROM training_session").fetchall())
    assert participants == {"S1": 1, "S2": 1, "S3": 2, "S4": 1}
    rows = {(m, y, k): (float(h), n) for m, y, k, h, n in db_.execute_sql(
        "SELECT mediator_id, year, kind_id, hours, participations FROM training_year_hours")}
    assert rows == {(people[0], 2025, annual): (2.0, 1), (people[0], 2026, annual): (2.0, 1),
                    (people[0], 2026, lecture): (1.5, 1), (people[1], 2026, lecture): (2.0, 1)}
    totals = {(m, y): (float(h), n) for m, y, h, n in db_.execute_sql(
        "SELECT mediator_id, year, hours, participations FROM training_year_total")}
    assert totals == {(people[0], 2025): (2.0, 1), (people[0], 2026): (3.5, 2),
                      (people[1], 2026): (2.0, 1)}
    # the new column came without rebuilding the table (which would cascade to attendance)
    assert db_.execute_sql("SELECT COUNT(*) FROM attendance").fetchone()[0] == 6
    r = router(scratch_database)
    r.rollback()
    assert db_.execute_sql("SELECT COUNT(*) FROM attendance").fetchone()[0] == 6
