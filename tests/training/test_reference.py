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
