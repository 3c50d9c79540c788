"""`flask import stations|mediators FILE` and `flask import template`: exit codes and output."""
from __future__ import annotations

from network.imports import STATION_COLUMNS
from network.models import Organization
from org.imports import MEDIATOR_COLUMNS
from org.models import Mediator
from tests.conftest import id_number
from tests.network.test_station_import import station, write_sheet
from tests.org.test_mediator_import import person


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
