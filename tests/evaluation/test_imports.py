"""Case import: all rows or none, messages naming row and 案件编号, idempotent re-import."""
from __future__ import annotations

import datetime as dt

import pytest

from evaluation import rollups
from evaluation.imports import CASE_COLUMNS, import_cases
from evaluation.kpis import kpis, kpis_direct
from evaluation.models import Case, Rollup
from network.models import AuditLog
from network.tabular import write_csv, write_xlsx

HEADERS = list(CASE_COLUMNS)
GOOD = [
    # 案件编号 机构 工号 受理 结案 类型 标的 协议 结果 方式 来源 确认 履行
    ["K-1", "QD-02-01", "M-1", "2024-01-05", "2024-01-25", "信用卡", "1000.00", "800.00",
     "调解成功", "线上", "法院委派", "是", "已履行"],
    ["K-2", "QD-02-01", "M-1", "2024-01-10", "2024-02-10", "个人贷款", "2500.50", "",
     "调解不成功", "线下", "当事人申请", "否", ""],
    ["K-3", "QD-11-01", "M-3", "2024-02-01", "", "保险理赔", "300.00", "", "调解中", "线下",
     "", "否", ""],
]


@pytest.fixture
def people(network, make_mediator):
    make_mediator(network["room1"], staff_no="M-1")
    make_mediator(network["room3"], staff_no="M-3")
    return network


def csv_file(tmp_path, rows, name="cases.csv"):
    path = tmp_path / name
    path.write_bytes(write_csv(HEADERS, rows))
    return path


def test_import_creates_cases_and_figures(tmp_path, people):
    result = import_cases(csv_file(tmp_path, GOOD), actor="imp", scope=None)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.total, result.created) == (3, 3)
    # City, January: received K-1 K-2; closed K-1 (success, 1000.00 / 800.00, 20 days).
    jan = kpis(people["city"], dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert (jan["received"], jan["closed"], jan["succeeded"]) == (2, 1, 1)
    assert str(jan["agreed_amount"]) == "800.00" and str(jan["avg_days"]) == "20.0"
    # February: received K-3 (open); closed K-2 (failed, 2500.50, 31 days).
    feb = kpis(people["city"], dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert (feb["received"], feb["closed"], feb["failed"]) == (1, 1, 1)
    assert str(feb["amount_involved"]) == "2500.50"
    assert AuditLog.select().where(AuditLog.action == "import").count() == 1


def test_reimport_is_idempotent_and_updates_by_case_no(tmp_path, people):
    import_cases(csv_file(tmp_path, GOOD), actor="imp", scope=None)
    again = import_cases(csv_file(tmp_path, GOOD), actor="imp", scope=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Case.select().count() == 3
    changed = [row[:] for row in GOOD]
    changed[2][4], changed[2][8], changed[2][7] = "2024-02-20", "调解成功", "150.00"
    third = import_cases(csv_file(tmp_path, changed), actor="imp", scope=None)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    case = Case.get(Case.case_no == "K-3")
    assert case.result == "success" and str(case.agreed_amount) == "150.00"
    incremental = rollups.state()
    rollups.rebuild()
    assert rollups.state() == incremental


def test_reimport_finds_case_numbers_with_quotes_commas_and_backslashes(tmp_path, people):
    """The file's 案件编号 are looked up in one array parameter on PostgreSQL: characters that
    array literals treat specially must still match their stored case."""
    odd = ['K"1', "K,2", "K\\3", "{K4}", "K 5"]
    rows = [[no, *GOOD[0][1:]] for no in odd]
    first = import_cases(csv_file(tmp_path, rows), actor="imp", scope=None)
    assert first.ok and first.created == 5, [str(e) for e in first.errors]
    rows[1][6] = "1200.00"  # 标的金额 of K,2 changes
    again = import_cases(csv_file(tmp_path, rows), actor="imp", scope=None)
    assert again.ok, [str(e) for e in again.errors]
    assert (again.created, again.updated, again.unchanged) == (0, 1, 4)
    assert sorted(c.case_no for c in Case.select()) == sorted(odd)
    assert str(Case.get(Case.case_no == "K,2").amount_involved) == "1200.00"


def bad(row_index: int, column: str, value: str) -> list[list[str]]:
    rows = [row[:] for row in GOOD]
    rows[row_index][HEADERS.index(column)] = value
    return rows


@pytest.mark.parametrize("rows,column,fragment", [
    (bad(0, "机构编码", "NOPE"), "机构编码", "不存在"),
    (bad(0, "调解员工号", "NOPE"), "调解员工号", "不存在"),
    (bad(0, "机构编码", "QD-02-02"), "调解员工号", "未在"),
    (bad(0, "结案日期", "2023-12-31"), "结案日期", "早于受理日期"),
    (bad(0, "协议金额", "1000.01"), "协议金额", "不能高于标的金额"),
    (bad(2, "结案日期", "2024-03-01"), "结案日期", "调解中"),
    (bad(1, "结案日期", ""), "结案日期", "必须填写结案日期"),
    (bad(0, "受理日期", "2024/13/01"), "受理日期", "格式"),
    (bad(0, "标的金额", "1,000.5x"), "标的金额", "格式"),
    (bad(0, "调解结果", "成功了"), "调解结果", "无效"),
    (bad(0, "调解方式", "电话"), "调解方式", "无效"),
    (bad(0, "履行情况", "还清"), "履行情况", "无效"),
    (bad(0, "纠纷类型", "房产"), "纠纷类型", "无效"),
    (bad(0, "司法确认", "未知"), "司法确认", "无效"),
    (GOOD + [GOOD[0]], "案件编号", "重复"),
])
def test_bad_row_imports_nothing(tmp_path, people, rows, column, fragment):
    result = import_cases(csv_file(tmp_path, rows), actor="imp", scope=None)
    assert not result.ok
    error = result.errors[0]
    assert error.column == column and fragment in str(error.message), str(error)
    assert error.row >= 2
    row = rows[error.row - 2]
    assert row[0] in str(error)  # the 案件编号 of the row is named
    assert Case.select().count() == 0 and Rollup.select().count() == 0
    assert AuditLog.select().where(AuditLog.table == "case").count() == 0


def test_row_outside_scope_refused(tmp_path, people):
    result = import_cases(csv_file(tmp_path, GOOD), actor="imp", scope=people["shinan"])
    assert [(e.row, e.column) for e in result.errors] == [(4, "机构编码")]
    assert "K-3" in str(result.errors[0]) and "超出管辖范围" in str(result.errors[0])
    assert Case.select().count() == 0


def test_xlsx_file(tmp_path, people):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(write_xlsx(HEADERS, GOOD))
    result = import_cases(path, actor="imp", scope=None)
    assert result.ok and result.created == 3
    assert str(Case.get(Case.case_no == "K-2").amount_involved) == "2500.50"


def test_cli_import_cases(tmp_path, runner, people):
    ok = runner.invoke(args=["import", "cases", str(csv_file(tmp_path, GOOD))])
    assert ok.exit_code == 0, ok.output
    assert "新增 3" in ok.output
    failed = runner.invoke(args=["import", "cases", str(csv_file(tmp_path, bad(1, "调解结果",
                                                                            "x"), "b.csv"))])
    assert failed.exit_code == 1
    assert "第3行" in failed.output and "K-2" in failed.output
    template = tmp_path / "t.csv"
    assert runner.invoke(args=["import", "template", "cases", str(template)]).exit_code == 0
    assert template.read_bytes().decode("utf-8-sig").startswith(",".join(HEADERS))


def test_cli_speaks_english_with_portal_lang(tmp_path, runner, people):
    """PORTAL_LANG=en: the summary, each row's reason, its column and label in English."""
    env = {"PORTAL_LANG": "en"}
    failed = runner.invoke(args=["import", "cases", str(csv_file(tmp_path, bad(1, "调解结果",
                                                                            "x"), "b.csv"))],
                           env=env)
    assert failed.exit_code == 1
    assert "Row 3 [Outcome]:" in failed.output, failed.output
    assert 'Case number “K-2”: Outcome "x" is invalid' in failed.output
    assert "Import failed: 1 error(s) found, nothing was imported" in failed.output
    # Chinese only where the file must hold Chinese: the values it accepts
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in failed.output.split("expected")[0])
    ok = runner.invoke(args=["import", "cases", str(csv_file(tmp_path, GOOD))], env=env)
    assert "Import finished (Cases): 3 rows, 3 new, 0 updated, 0 unchanged" in ok.output
    rebuilt = runner.invoke(args=["stats", "rebuild"], env=env)
    # by hand: month rows — QD-02-01, QD-02, QD: Jan, Feb; QD-11-01, QD-11: Feb (8);
    # day rows above the rooms — QD-02: 01-05 01-10 01-25 02-10, QD-11: 02-01, QD: all 5 (10);
    # type × source rows above the rooms — K-1 and K-2 at QD-02 and QD, K-3 at QD-11 and QD (6);
    # open-case rows — K-3 (open) at QD-11-01, QD-11, QD in February (3);
    # per-mediator rows — QD-02-01 × M-1 and QD-11-01 × M-3, each in 2024 (2)
    assert rebuilt.output.startswith("Statistics rebuilt: 29 rows"), rebuilt.output
    # unset, the command line stays Chinese
    assert "新增 0" in runner.invoke(args=["import", "cases", str(csv_file(tmp_path, GOOD))
                                           ]).output


def test_mixed_import_keeps_rollups_equal_to_rebuild_and_direct_counts(tmp_path, people):
    import_cases(csv_file(tmp_path, GOOD), actor="imp", scope=None)
    rows = [row[:] for row in GOOD]  # K-1 unchanged
    # K-2 becomes a withdrawal at the same dates; K-3 stays open; K-4 is new (March, success).
    rows[1][HEADERS.index("调解结果")] = "撤回"
    rows[2][HEADERS.index("标的金额")] = "350.00"
    rows.append(["K-4", "QD-11-01", "M-3", "2024-03-01", "2024-03-11", "信用卡", "500.00",
                 "400.00", "调解成功", "线上", "", "否", "未履行"])
    result = import_cases(csv_file(tmp_path, rows, "mixed.csv"), actor="imp", scope=None)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    q1 = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    city = kpis(people["city"], *q1)
    # Received K-1 K-2 K-3 K-4; closed K-1 (success) K-2 (withdrawn) K-4 (success).
    assert (city["received"], city["closed"], city["succeeded"], city["withdrawn"],
            city["failed"]) == (4, 3, 2, 1, 0)
    assert str(city["amount_involved"]) == "4000.50"  # 1000.00 + 2500.50 + 500.00
    assert str(city["agreed_amount"]) == "1200.00"  # 800.00 + 400.00
    for org in people.values():
        for start, end in (q1, (dt.date(2024, 1, 20), dt.date(2024, 3, 5))):
            assert kpis(org, start, end) == kpis_direct(org, start, end), org.code
    incremental = rollups.state()
    rollups.rebuild()
    assert rollups.state() == incremental
    # One audit record per changed case, naming what changed, and one per import.
    updates = list(AuditLog.select().where((AuditLog.action == "update")
                                           & (AuditLog.table == "case")))
    assert sorted(u.object_repr for u in updates) == ["K-2", "K-3"]
    k3 = next(u for u in updates if u.object_repr == "K-3")
    assert k3.changes_dict == {"amount_involved": ["300.00", "350.00"]}
    assert k3.org_path == people["room3"].path
    assert AuditLog.select().where(AuditLog.action == "import").count() == 2


def many_rows(count: int) -> list[list[str]]:
    """`count` cases of room1/M-1 received in 2024's first 300 days: every third (i % 3 == 0)
    open, the others succeeded 30 days later, online, 100.00 agreed of 200.00, fulfilled."""
    rows = []
    for i in range(count):
        received = dt.date(2024, 1, 1) + dt.timedelta(days=i % 300)
        if i % 3 == 0:
            rows.append([f"B-{i:05d}", "QD-02-01", "M-1", received.isoformat(), "", "信用卡",
                         "200.00", "", "调解中", "线下", "", "否", ""])
        else:
            rows.append([f"B-{i:05d}", "QD-02-01", "M-1", received.isoformat(),
                         (received + dt.timedelta(days=30)).isoformat(), "信用卡", "200.00",
                         "100.00", "调解成功", "线上", "", "否", "已履行"])
    return rows


def test_large_file_streams_and_counts(tmp_path, people):
    """More rows than one page of the bulk writer: the rows reach the table while later ones
    are still being checked (a COPY running beside the checks on PostgreSQL)."""
    result = import_cases(csv_file(tmp_path, many_rows(5000)), actor="imp", scope=None)
    assert result.ok and result.created == 5000, [str(e) for e in result.errors[:3]]
    year = kpis(people["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    # 1,667 of the 5,000 (i % 3 == 0) are open; 3,333 closed within 2024 (received by day 300)
    assert (year["received"], year["closed"], year["succeeded"]) == (5000, 3333, 3333)
    assert str(year["agreed_amount"]) == "333300.00" and str(year["avg_days"]) == "30.0"
    assert year == kpis_direct(people["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    incremental = rollups.state()
    rollups.rebuild()
    assert rollups.state() == incremental


@pytest.mark.parametrize("dry_run", [False, True])
def test_large_file_with_a_late_bad_row_leaves_nothing(tmp_path, people, dry_run):
    rows = many_rows(5000)
    rows[4990][HEADERS.index("协议金额")] = "999.00"  # above 标的金额, long after streaming began
    result = import_cases(csv_file(tmp_path, rows), actor="imp", scope=None, dry_run=dry_run)
    assert [(e.row, e.column) for e in result.errors] == [(4992, "协议金额")]
    assert "B-04990" in str(result.errors[0])
    assert Case.select().count() == 0 and Rollup.select().count() == 0
    # and the connection is usable again: the same file, mended, goes in whole
    rows[4990][HEADERS.index("协议金额")] = "100.00"
    assert import_cases(csv_file(tmp_path, rows), actor="imp", scope=None).created == 5000


def test_large_preview_writes_nothing(tmp_path, people):
    result = import_cases(csv_file(tmp_path, many_rows(5000)), actor="imp", scope=None,
                          dry_run=True)
    assert result.ok and result.created == 5000
    assert Case.select().count() == 0 and Rollup.select().count() == 0


def test_a_station_outside_scope_is_refused_before_the_rules_can_name_anything(tmp_path,
                                                                              people):
    """A 市南区 manager names a 黄岛区 room with a mediator not serving there: the answer is
    the refusal alone, not the rule that names the room and the mediator."""
    row = ["K-9", "QD-11-01", "M-1", "2024-01-05", "2024-01-25", "信用卡", "1000.00",
           "800.00", "调解成功", "线上", "法院委派", "是", "已履行"]
    result = import_cases(csv_file(tmp_path, [row]), actor="imp", scope=people["shinan"])
    assert [(e.row, e.column) for e in result.errors] == [(2, "机构编码")]
    text = str(result.errors[0].message)
    assert "超出管辖范围" in text and people["room3"].name not in text and "M-1" not in text
    assert Case.select().count() == 0


def test_a_mediator_outside_the_scope_reads_as_unknown_in_an_import(tmp_path, people):
    """M-3 belongs to 黄岛区: a 市南区 manager's file naming M-3 at a 市南区 room gets the
    message of a 工号 nobody holds, word for word."""
    outsider, nobody = GOOD[0][:], GOOD[0][:]
    outsider[2], nobody[0], nobody[2] = "M-3", "K-2", "M-404"
    result = import_cases(csv_file(tmp_path, [outsider, nobody]), actor="imp",
                          scope=people["shinan"])
    messages = [str(e.message) for e in result.errors]
    assert messages == ["案件编号「K-1」：调解员工号「M-3」不存在",
                        "案件编号「K-2」：调解员工号「M-404」不存在"]
    assert Case.select().count() == 0
    # the whole city may see that M-3 exists and does not serve at QD-02-01
    result = import_cases(csv_file(tmp_path, [outsider]), actor="imp", scope=None)
    assert "未在" in str(result.errors[0].message)
