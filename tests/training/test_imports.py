"""Session and attendance imports: real CSV (UTF-8 with BOM) and XLSX files, all-or-nothing,
per-row Chinese errors, scope, re-import by key."""
from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

from tests.training.conftest import at
from training.imports import import_attendance, import_sessions
from training.models import Attendance, Course, Session

SESSION_HEADER = "场次编号,课程名称,培训类型,主办机构编码,开始时间,结束时间,学时,地点,主讲人,容量"


def write_csv(tmp_path, name, lines):
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def write_xlsx(tmp_path, name, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def errors_of(result):
    return [(e.row, e.column, str(e.message)) for e in result.errors]


def test_sessions_csv_creates_then_updates_by_key(tmp_path, training_ref, network):
    path = write_csv(tmp_path, "sessions.csv", [
        SESSION_HEADER,
        "PX-1,金融纠纷调解实务,年度培训,QD-02,2026-03-10 09:00,2026-03-10 12:00,3,三楼会议室,王老师,40",
        "PX-2,岗前必修课,岗前培训,QD-11,2026-04-01 14:00,2026-04-01 16:30,2.5,线上,李老师,100",
    ])
    result = import_sessions(path, actor="t", scope=None)
    assert errors_of(result) == []
    assert result.counts() == {"total": 2, "created": 2, "updated": 0, "unchanged": 0}
    px1 = Session.get(Session.code == "PX-1")
    assert px1.start == at("2026-03-10 09:00") and px1.end == at("2026-03-10 12:00")
    assert (px1.hours, px1.minutes, px1.capacity, px1.venue, px1.trainers) == (
        Decimal("3.0"), 180, 40, "三楼会议室", "王老师")
    assert (px1.host.code, px1.kind.name, px1.course.name) == ("QD-02", "年度培训", "金融纠纷调解实务")
    assert Course.get(Course.name == "岗前必修课").kind.name == "岗前培训"

    assert import_sessions(path, actor="t", scope=None).counts()["unchanged"] == 2
    path = write_csv(tmp_path, "sessions2.csv", [
        SESSION_HEADER,
        "PX-1,金融纠纷调解实务,年度培训,QD-02,2026-03-10 09:00,2026-03-10 12:00,3,五楼报告厅,王老师,40",
    ])
    result = import_sessions(path, actor="t", scope=None)
    assert result.counts() == {"total": 1, "created": 0, "updated": 1, "unchanged": 0}
    again = Session.get(Session.code == "PX-1")
    assert again.venue == "五楼报告厅" and again.sequence == px1.sequence + 1


def test_sessions_file_with_bad_rows_imports_nothing(tmp_path, training_ref, network):
    path = write_csv(tmp_path, "bad.csv", [
        SESSION_HEADER,
        "PX-1,课程A,年度培训,QD-02,2026-03-10 09:00,2026-03-10 12:00,3,,,40",
        "PX-2,课程B,茶话会,QD-02,2026-03-10 09:00,2026-03-10 12:00,1.3,,,40",
        "PX-3,课程C,年度培训,XX-99,2026-03-10 12:00,2026-03-10 09:00,2,,,0",
        "PX-4,课程D,年度培训,QD-02,2026/3/10 9点,2026-03-10 12:00,2,,,10",
        "PX-1,课程A,年度培训,QD-02,2026-03-10 09:00,2026-03-10 12:00,3,,,40",
    ])
    result = import_sessions(path, actor="t", scope=None)
    assert errors_of(result) == [
        (3, "培训类型", "培训类型应为：岗前培训、年度培训、专题讲座、案例分析、交流座谈、线上课程"),
        (3, "学时", "学时应为大于0的0.5的整数倍"),
        (4, "主办机构编码", "机构「XX-99」不存在"),
        (4, "结束时间", "结束时间应晚于开始时间"),
        (4, "容量", "容量应为正整数"),
        (5, "开始时间", "时间格式应为 YYYY-MM-DD HH:MM"),
        (6, "场次编号", "场次编号「PX-1」在文件中重复（第2行已有）"),
    ]
    assert Session.select().count() == 0 and Course.select().count() == 0


def test_sessions_import_is_scoped(tmp_path, training_ref, network, make_session):
    make_session(code="PX-9", host=network["huangdao"])
    path = write_csv(tmp_path, "scoped.csv", [
        SESSION_HEADER,
        "PX-1,课程A,年度培训,QD-02-01,2026-03-10 09:00,2026-03-10 12:00,3,,,40",
        "PX-2,课程A,年度培训,QD-11,2026-03-10 09:00,2026-03-10 12:00,3,,,40",
        "PX-9,课程A,年度培训,QD-02,2026-03-10 09:00,2026-03-10 12:00,3,,,40",
    ])
    result = import_sessions(path, actor="t", scope=network["shinan"])
    assert errors_of(result) == [
        (3, "主办机构编码", "超出管辖范围：机构「QD-11」不在「市南区工作站」之下"),
        (4, "场次编号", "超出管辖范围：场次「PX-9」不在「市南区工作站」之下"),
    ]
    assert Session.get(Session.code == "PX-9").host_id == network["huangdao"].id
    assert not Session.select().where(Session.code == "PX-1").exists()


@pytest.fixture
def roll(make_session, make_mediator, network):
    session = make_session(code="PX-1", start="2026-03-10 09:00", end="2026-03-10 12:00",
                           hours="3", host=network["shinan"])
    other = make_session(code="PX-2", host=network["huangdao"])
    people = {no: make_mediator(network["room1"], staff_no=no) for no in ("M1", "M2", "M3")}
    people["H1"] = make_mediator(network["room3"], staff_no="H1")
    return session, other, people


ATTENDANCE_HEADER = ["场次编号", "调解员工号", "出勤情况", "实到分钟"]


def test_attendance_xlsx_credits_hours(tmp_path, roll):
    session, _, people = roll
    path = write_xlsx(tmp_path, "attendance.xlsx", [
        ATTENDANCE_HEADER,
        ["PX-1", "M1", "出席", None],
        ["PX-1", "M2", "迟到", 100],  # 3 × 100/180 = 1.67 → 1.5
        ["PX-1", "M3", "请假", None],
    ])
    result = import_attendance(path, actor="t", scope=None)
    assert errors_of(result) == []
    assert result.counts() == {"total": 3, "created": 3, "updated": 0, "unchanged": 0}
    credited = {a.mediator.staff_no: a.credited for a in Attendance.select()}
    assert credited == {"M1": Decimal("3.0"), "M2": Decimal("1.5"), "M3": Decimal("0.0")}
    # re-import: M3 came after all, 早退 after 60 minutes → 1.0
    path = write_xlsx(tmp_path, "attendance2.xlsx", [
        ATTENDANCE_HEADER, ["PX-1", "M1", "出席", None], ["PX-1", "M3", "早退", 60]])
    result = import_attendance(path, actor="t", scope=None)
    assert result.counts() == {"total": 2, "created": 0, "updated": 1, "unchanged": 1}
    assert Attendance.get(Attendance.mediator == people["M3"].id).credited == Decimal("1.0")


def test_attendance_errors_and_scope(tmp_path, roll):
    path = write_csv(tmp_path, "bad.csv", [
        "场次编号,调解员工号,出勤情况,实到分钟",
        "PX-1,M1,出席,",
        "PX-1,M2,迟到,",
        "PX-1,M3,睡觉,",
        "PX-404,M9,出席,",
        "PX-1,M1,缺席,",
        "PX-1,H1,早退,999",
    ])
    result = import_attendance(path, actor="t", scope=None)
    assert errors_of(result) == [
        (3, "实到分钟", "迟到或早退须填写实到分钟"),
        (4, "出勤情况", "出勤情况应为：出席、迟到、早退、缺席、请假"),
        (5, "场次编号", "场次「PX-404」不存在"),
        (5, "调解员工号", "调解员「M9」不存在"),
        (6, "场次编号", "场次编号+调解员工号「PX-1 / M1」在文件中重复（第2行已有）"),
        (7, "实到分钟", "实到分钟应在1到180之间（场次计划时长）"),
    ]
    assert Attendance.select().count() == 0
    # 市南's coordinator: 黄岛's session refused, 黄岛's mediator reads as unknown
    path = write_csv(tmp_path, "scoped.csv", [
        "场次编号,调解员工号,出勤情况,实到分钟", "PX-2,M1,出席,", "PX-1,H1,出席,",
        "PX-1,M1,出席,"])
    result = import_attendance(path, actor="t", scope=roll[2]["M1"].station.parent)
    assert errors_of(result) == [
        (2, "场次编号", "超出管辖范围：场次「PX-2」不在「市南区工作站」之下"),
        (3, "调解员工号", "调解员「H1」不存在"),
    ]
    assert Attendance.select().count() == 0


def test_attendance_mix_of_new_changed_and_unchanged_records(tmp_path, roll):
    """Re-import by key: one record changes (hours credited again, audited old → new), one
    stays as it was (not written again), two are new; the kept figures follow."""
    from network.models import AuditLog
    from tests.training.test_rollup import counted, counted_totals, kept, participants_ok, totals

    session, _, people = roll
    path = write_csv(tmp_path, "first.csv", [
        "场次编号,调解员工号,出勤情况,实到分钟", "PX-1,M1,出席,", "PX-1,M2,迟到,120"])
    assert import_attendance(path, actor="first", scope=None).ok
    path = write_csv(tmp_path, "second.csv", [
        "场次编号,调解员工号,出勤情况,实到分钟",
        "PX-1,M1,出席,",        # as it was
        "PX-1,M2,早退,60",      # 3 × 60/180 = 1.0 (was 3 × 120/180 = 2.0)
        "PX-1,M3,出席,",        # new, 3.0
        "PX-2,M3,缺席,",        # new, nothing credited
    ])
    result = import_attendance(path, actor="second", scope=None)
    assert errors_of(result) == []
    assert result.counts() == {"total": 4, "created": 2, "updated": 1, "unchanged": 1}
    records = {(a.session.code, a.mediator.staff_no): (a.status, a.minutes, a.credited,
                                                        a.recorded_by)
               for a in Attendance.select()}
    assert records == {
        ("PX-1", "M1"): ("present", None, Decimal("3.0"), "first"),
        ("PX-1", "M2"): ("left_early", 60, Decimal("1.0"), "second"),
        ("PX-1", "M3"): ("present", None, Decimal("3.0"), "second"),
        ("PX-2", "M3"): ("absent", None, Decimal("0.0"), "second"),
    }
    changed = AuditLog.select().where(AuditLog.table == "attendance",
                                      AuditLog.actor == "second", AuditLog.action == "update")
    assert [(a.object_repr, json.loads(a.changes), a.org_path) for a in changed] == [
        ("PX-1/M2", {"status": ["late", "left_early"], "minutes": [120, 60]},
         session.host.path)]
    assert AuditLog.select().where(AuditLog.table == "attendance", AuditLog.actor == "second",
                                   AuditLog.action == "import").count() == 1
    # M1 3.0 + M2 1.0 + M3 3.0 at PX-1; nothing credited at PX-2
    assert [(s.code, s.participants) for s in Session.select().order_by(Session.code)] == [
        ("PX-1", 3), ("PX-2", 0)]
    assert kept() == counted() and totals() == counted_totals() and participants_ok()


def test_attendance_changed_to_nothing_credited_leaves_no_empty_year_row(tmp_path, roll):
    """A mediator's only credited record turned 缺席: their year rows go, as a recompute
    would leave them out, and the session's count drops."""
    from tests.training.test_rollup import counted, counted_totals, kept, participants_ok, totals
    from training.models import YearHours, YearTotal

    _, _, people = roll
    path = write_csv(tmp_path, "a.csv", ["场次编号,调解员工号,出勤情况,实到分钟",
                                         "PX-1,M1,出席,", "PX-1,M2,出席,"])
    assert import_attendance(path, actor="t", scope=None).ok
    path = write_csv(tmp_path, "b.csv", ["场次编号,调解员工号,出勤情况,实到分钟",
                                         "PX-1,M1,缺席,"])
    assert import_attendance(path, actor="t", scope=None).counts()["updated"] == 1
    assert not YearHours.select().where(YearHours.mediator == people["M1"].id).exists()
    assert not YearTotal.select().where(YearTotal.mediator == people["M1"].id).exists()
    assert YearTotal.get(YearTotal.mediator == people["M2"].id).participations == 1
    assert Session.get(Session.code == "PX-1").participants == 1
    assert kept() == counted() and totals() == counted_totals() and participants_ok()


def test_large_attendance_file_with_one_bad_row_writes_nothing(tmp_path, make_session,
                                                               make_mediator, network):
    """More rows than the bulk writer's pages (they reach the table while later rows are
    checked): a bad last row still leaves no record, no count, no year row."""
    from network.bulk import PAGE
    from training.models import YearHours

    people = [make_mediator(network["room1"], staff_no=f"N{i:02d}") for i in range(50)]
    sessions = [make_session(code=f"B-{k:02d}") for k in range(PAGE * 3 // 50 + 1)]
    lines = ["场次编号,调解员工号,出勤情况,实到分钟"]
    lines += [f"{s.code},{p.staff_no},出席," for s in sessions for p in people]
    lines.append("B-00,NOBODY,出席,")
    result = import_attendance(write_csv(tmp_path, "big.csv", lines), actor="t", scope=None)
    assert errors_of(result) == [(len(lines), "调解员工号", "调解员「NOBODY」不存在")]
    assert Attendance.select().count() == 0 and YearHours.select().count() == 0
    assert all(s.participants == 0 for s in Session.select())
    # the same file without its bad row: every record, counted
    result = import_attendance(write_csv(tmp_path, "good.csv", lines[:-1]), actor="t",
                               scope=None)
    assert result.ok and result.created == len(lines) - 2 == Attendance.select().count()
    assert all(s.participants == 50 for s in Session.select())


def test_attendance_preview_writes_nothing(tmp_path, roll):
    path = write_csv(tmp_path, "a.csv", ["场次编号,调解员工号,出勤情况,实到分钟",
                                         "PX-1,M1,出席,"])
    result = import_attendance(path, actor="t", scope=None, dry_run=True)
    assert result.ok and result.counts()["created"] == 1
    assert Attendance.select().count() == 0
    assert Session.get(Session.code == "PX-1").participants == 0


def test_sessions_import_reports_calendar_warnings(tmp_path, training_ref, network):
    """Warnings, not errors: row 2 falls on a holiday, row 4 books 李老师 while row 3 (earlier
    in the same file) holds him; row 3 itself was alone when it was read. Everything imports."""
    from training.models import WorkDay

    WorkDay.get_or_create(day="2026-10-01", defaults={"is_workday": False, "name": "国庆节"})
    holiday = WorkDay.get(WorkDay.day == "2026-10-01").name
    path = write_csv(tmp_path, "sessions.csv", [
        SESSION_HEADER,
        "PX-1,调解实务,年度培训,QD-02,2026-10-01 09:00,2026-10-01 12:00,3,三楼会议室,王老师,40",
        "PX-2,调解实务,年度培训,QD-02,2026-03-10 09:00,2026-03-10 12:00,3,三楼会议室,李老师,40",
        "PX-3,金融法规,专题讲座,QD-11,2026-03-10 10:00,2026-03-10 11:00,1,五楼,李老师,40",
    ])
    result = import_sessions(path, actor="t", scope=None)
    assert errors_of(result) == [] and result.created == 3
    assert [(w.row, str(w.message)) for w in result.warnings] == [
        (2, f"2026-10-01是法定节假日（{holiday}）"), (4, "主讲人「李老师」同时段已有场次「PX-2」")]
    assert Session.select().count() == 3
    # re-imported unchanged: nothing new to look at
    assert import_sessions(path, actor="t", scope=None).warnings == []


def test_attendance_of_a_session_not_begun_is_refused(tmp_path, roll, make_session):
    """Typed ahead, a record would credit hours (and allow a certificate) for a session that
    may never take place: refused in the import as in the form, a per-row message."""
    from training.attendance import record_attendance

    session, _, people = roll
    later = make_session(code="PX-LATER", start="2030-05-06 09:00", end="2030-05-06 12:00",
                         hours="3", host=session.host)
    path = write_csv(tmp_path, "ahead.csv", [
        "场次编号,调解员工号,出勤情况,实到分钟", "PX-1,M1,出席,", "PX-LATER,M2,出席,"])
    result = import_attendance(path, actor="t", scope=None)
    assert errors_of(result) == [
        (3, "场次编号", "场次「PX-LATER」尚未开始（2030-05-06 09:00），不能登记出勤")]
    assert Attendance.select().count() == 0
    with pytest.raises(Exception, match="尚未开始"):
        record_attendance(later, people["M2"], "出席", actor="t", scope=None)
    # once it has begun (the clock given), the same record is taken
    record_attendance(later, people["M2"], "出席", actor="t", scope=None,
                      at=at("2030-05-06 09:00"))
    assert Attendance.get().credited == Decimal("3.0")


def test_the_attendance_guide_names_the_required_columns():
    """The template's 说明 sheet said 必填 否 for every column, 场次编号 and 工号 included."""
    from training.imports import ATTENDANCE

    assert {g["column"]: g["required"] for g in ATTENDANCE.guide()} == {
        "场次编号": True, "调解员工号": True, "出勤情况": True, "实到分钟": False}
