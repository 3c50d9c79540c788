"""`flask import stations|mediators FILE` and `flask import template`: exit codes and output."""
from __future__ import annotations

from network.imports import STATION_COLUMNS
from network.models import Organization
from org.imports import MEDIATOR_COLUMNS
from org.models import Mediator
from tests.conftest import id_number
from tests.network.test_station_import import station, write_sheet
from tests.org.test_mediator_import import person
from tests.training.conftest import make_session, training_ref  # noqa: F401


def test_station_import_success_prints_counts(runner, kinds, tmp_path):
    rows = [station("QD", "青岛市中心", "市级", kind="调解中心"),
            station("QD-02", "市南区工作站", "县级", "QD")]
    path = write_sheet(tmp_path / "orgs.xlsx", list(STATION_COLUMNS), rows)
    result = runner.invoke(args=["import", "stations", str(path)])
    assert result.exit_code == 0, result.output
    assert "共 2 行，新增 2，更新 0，无变化 0" in result.stdout
    assert Organization.select().count() == 2

    again = runner.invoke(args=["import", "stations", str(path)])
    assert again.exit_code == 0
    assert "新增 0，更新 0，无变化 2" in again.stdout
    assert Organization.select().count() == 2


def test_failed_import_exits_non_zero_with_row_errors_on_stderr(runner, network, tmp_path):
    rows = [person("M001", "张三", "男", id_number(seq="01")),
            person("M002", "李四", "男", id_number(seq="02", gender="F"), mobile="12345")]
    path = write_sheet(tmp_path / "people.csv", list(MEDIATOR_COLUMNS), rows)
    result = runner.invoke(args=["import", "mediators", str(path)])
    assert result.exit_code == 1
    assert "第3行 [性别]：性别与身份证号不符" in result.stderr
    assert "第3行 [手机号]：手机号应为11位" in result.stderr
    assert "发现 2 处错误，未导入任何数据" in result.stderr
    assert "导入完成" not in result.stdout
    assert Mediator.select().count() == 0


def test_scope_option(runner, network, tmp_path):
    rows = [person("M001", "张三", "男", id_number(seq="01"), station="QD-11-01")]
    path = write_sheet(tmp_path / "people.csv", list(MEDIATOR_COLUMNS), rows)
    refused = runner.invoke(args=["import", "mediators", str(path), "--scope", "QD-02"])
    assert refused.exit_code == 1
    assert "第2行 [所属机构编码]：超出管辖范围" in refused.stderr
    unknown = runner.invoke(args=["import", "mediators", str(path), "--scope", "NOPE"])
    assert unknown.exit_code == 2 and "NOPE" in unknown.stderr
    allowed = runner.invoke(args=["import", "mediators", str(path), "--scope", "QD-11"])
    assert allowed.exit_code == 0 and Mediator.select().count() == 1


def test_unreadable_or_missing_file(runner, kinds, tmp_path):
    bad = tmp_path / "orgs.xlsx"
    bad.write_bytes(b"not a workbook")
    result = runner.invoke(args=["import", "stations", str(bad)])
    assert result.exit_code == 1 and "Excel 文件已损坏" in result.stderr
    missing = runner.invoke(args=["import", "stations", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2


def test_templates_written_by_the_cli_import_cleanly(runner, tmp_path):
    """No `kinds` fixture: the kinds the template names come with the schema (migration 010)."""
    for kind, name, rows in (("stations", "s.xlsx", 2), ("mediators", "m.csv", 1),
                             ("cases", "c.xlsx", 1)):
        out = tmp_path / name
        made = runner.invoke(args=["import", "template", kind, str(out)])
        assert made.exit_code == 0 and out.exists()
        imported = runner.invoke(args=["import", kind, str(out)])
        assert imported.exit_code == 0, imported.output
        assert f"新增 {rows}" in imported.stdout
    assert Mediator.get(staff_no="M0001").station.code == "QD-EX-01"
    wrong = runner.invoke(args=["import", "template", "stations", str(tmp_path / "t.ods")])
    assert wrong.exit_code == 2


def test_progress_bar_only_on_a_terminal(runner, kinds, tmp_path, monkeypatch):
    from admin import cli

    rows = [station("QD", "青岛市中心", "市级", kind="调解中心")]
    path = write_sheet(tmp_path / "orgs.csv", list(STATION_COLUMNS), rows)
    piped = runner.invoke(args=["import", "stations", str(path)])
    assert "导入中" not in piped.stdout
    monkeypatch.setattr(cli, "_on_terminal", lambda: True)
    watched = runner.invoke(args=["import", "stations", str(path)])
    assert watched.exit_code == 0
    assert "导入中" in watched.stdout and "无变化 1" in watched.stdout


SESSION_ROW = "PX-1,调解实务,年度培训,QD-02,2026-10-01 09:00,2026-10-01 12:00,3,三楼会议室,王老师,40"


def test_sessions_import_through_the_cli(runner, network, training_ref, tmp_path):  # noqa: F811
    from tests.training.test_imports import SESSION_HEADER, write_csv
    from training.models import Session, WorkDay

    WorkDay.get_or_create(day="2026-10-01", defaults={"is_workday": False, "name": "国庆节"})
    path = write_csv(tmp_path, "sessions.csv", [SESSION_HEADER, SESSION_ROW])
    result = runner.invoke(args=["import", "sessions", str(path)])
    assert result.exit_code == 0, result.output
    assert "提醒：第2行：2026-10-01是法定节假日" in result.stdout  # a warning, not a refusal
    assert "导入完成（培训场次）：共 1 行，新增 1，更新 0，无变化 0" in result.stdout
    assert Session.get(Session.code == "PX-1").host.code == "QD-02"
    outside = write_csv(tmp_path, "hd.csv", [SESSION_HEADER, SESSION_ROW.replace(
        "PX-1", "PX-2").replace("QD-02", "QD-11")])
    refused = runner.invoke(args=["import", "sessions", str(outside), "--scope", "QD-02"])
    assert refused.exit_code == 1 and "第2行 [主办机构编码]：超出管辖范围" in refused.stderr
    assert not Session.select().where(Session.code == "PX-2").exists()


def test_attendance_import_through_the_cli(runner, network, make_session,  # noqa: F811
                                           make_mediator, tmp_path):
    from tests.training.test_imports import write_csv
    from training.models import Attendance

    session = make_session(code="PX-9", host=network["shinan"], start="2026-03-02 09:00",
                           end="2026-03-02 12:00", hours="3")
    make_mediator(network["room1"], staff_no="M001")
    make_mediator(network["room3"], staff_no="M003")
    header = "场次编号,调解员工号,出勤情况,实到分钟"
    path = write_csv(tmp_path, "att.csv", [header, "PX-9,M001,迟到,120"])
    result = runner.invoke(args=["import", "attendance", str(path), "--scope", "QD-02"])
    assert result.exit_code == 0, result.output
    assert "导入完成（培训出勤）：共 1 行，新增 1" in result.stdout
    record = Attendance.get(Attendance.session == session.id)
    assert record.credited == 2  # 3 × 120/180
    bad = write_csv(tmp_path, "bad.csv", [header, "PX-9,M003,出席,", "PX-9,NOPE,出席,"])
    refused = runner.invoke(args=["import", "attendance", str(bad), "--scope", "QD-02"])
    assert refused.exit_code == 1
    # a mediator outside the scope is answered like an unknown 工号
    assert "第2行 [调解员工号]：调解员「M003」不存在" in refused.stderr
    assert "第3行 [调解员工号]：调解员「NOPE」不存在" in refused.stderr
    assert "发现 2 处错误" in refused.stderr
    assert Attendance.select().count() == 1
