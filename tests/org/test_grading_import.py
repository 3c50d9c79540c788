"""Mediator import: the optional 专业等级 / 定级日期 columns record the initial grading."""
from __future__ import annotations

import datetime as dt

import pytest

from network.audit import AuditLog
from network.dates import local_today
from org.grades import change_grade, history, standing
from org.imports import MEDIATOR_COLUMNS, MEDIATORS, import_mediators
from org.models import GradeChange, Mediator
from tests.network.test_station_import import write_sheet
from tests.org.test_mediator_import import GOOD

BASE = [h for h in MEDIATOR_COLUMNS if h not in ("专业等级", "定级日期")]
HEADERS = [*BASE, "专业等级", "定级日期"]
DAY = dt.date(2024, 1, 1)
TOMORROW = object()


def run(path, scope=None):
    return import_mediators(path, actor="importer", scope=scope)


def graded(row, grade, day):
    return [*row, grade, day]


def test_file_without_the_grading_columns_still_imports(tmp_path, network):
    result = run(write_sheet(tmp_path / "p.csv", BASE, GOOD))
    assert result.errors == [] and result.created == 3
    assert GradeChange.select().count() == 0


def test_initial_grading_from_the_file(tmp_path, network):
    rows = [graded(GOOD[0], "三级", "2023-07-01"), graded(GOOD[1], "未定级", ""),
            graded(GOOD[2], "", "")]
    result = run(write_sheet(tmp_path / "p.csv", HEADERS, rows))
    assert result.errors == [] and result.created == 3
    zhang = Mediator.get(staff_no="M001")
    assert standing(zhang, DAY) == ("3", dt.date(2023, 7, 1))
    entry = history(zhang)[0]
    assert (entry.reason, entry.recorded_by) == ("initial", "importer")
    assert standing(Mediator.get(staff_no="M002"), DAY) == ("none", None)
    assert standing(Mediator.get(staff_no="M003"), DAY) == ("none", None)
    log = AuditLog.get(AuditLog.table == "grade_change")
    assert log.actor == "importer" and log.changes_dict["grade"] == "三级"


@pytest.mark.parametrize("grade, day, column, text", [
    ("三级", "", "定级日期", "定级日期必填"),
    ("未定级", "2023-07-01", "定级日期", "应为空"),
    ("", "2023-07-01", "定级日期", "应为空"),
    ("五级", "2023-07-01", "专业等级", "专业等级应为"),
    ("三级", "2023-02-30", "定级日期", "YYYY-MM-DD"),
    ("三级", TOMORROW, "定级日期", "不能晚于今天"),
])
def test_bad_grading_refuses_the_file(tmp_path, network, grade, day, column, text):
    if day is TOMORROW:  # judged when the test runs: a suite may cross midnight after collection
        day = (local_today() + dt.timedelta(days=1)).isoformat()
    rows = [graded(GOOD[0], "四级", "2023-01-01"), graded(GOOD[1], grade, day)]
    result = run(write_sheet(tmp_path / "p.csv", HEADERS, rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert text in str(result.errors[0].message)
    assert Mediator.select().count() == 0 and GradeChange.select().count() == 0


def test_reimport_keeps_history_and_refuses_a_different_grade(tmp_path, network):
    rows = [graded(GOOD[0], "四级", "2022-03-01")]
    path = write_sheet(tmp_path / "p.csv", HEADERS, rows)
    assert run(path).created == 1
    zhang = Mediator.get(staff_no="M001")
    # the same file again: nothing new
    result = run(path)
    assert (result.unchanged, GradeChange.select().count()) == (1, 1)
    change_grade(zhang, "3", "2023-07-01", "promotion", actor="hr", scope=None)
    result = run(path)  # the old file names 四级 while 三级 is in force
    assert [(e.row, e.column) for e in result.errors] == [(2, "专业等级")]
    assert "三级，2023-07-01起" in str(result.errors[0].message)
    assert [c.grade for c in history(zhang)] == ["4", "3"]


def test_grading_an_existing_ungraded_mediator_counts_as_update(tmp_path, network):
    run(write_sheet(tmp_path / "p.csv", BASE, GOOD[:1]))
    result = run(write_sheet(tmp_path / "q.csv", HEADERS,
                             [graded(GOOD[0], "二级", "2021-09-01")]))
    assert (result.errors, result.updated, result.unchanged) == ([], 1, 0)
    assert standing(Mediator.get(staff_no="M001"), DAY) == ("2", dt.date(2021, 9, 1))


def test_dry_run_grades_nobody(tmp_path, network):
    path = write_sheet(tmp_path / "p.csv", HEADERS, [graded(GOOD[0], "四级", "2022-03-01")])
    result = import_mediators(path, actor="importer", scope=None, dry_run=True)
    assert result.ok and result.created == 1
    assert GradeChange.select().count() == 0


def test_template_carries_the_grading_columns():
    assert MEDIATORS.headers[-2:] == ["专业等级", "定级日期"]
    assert all(len(row) == len(MEDIATORS.headers) for row in MEDIATORS.examples)

