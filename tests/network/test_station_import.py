"""Station (机构) import: happy path, idempotent re-import, every bad-row kind, scope, order."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from network.imports import STATION_COLUMNS, import_stations
from network.models import CLOSED, COMMUNITY, COUNTY, AuditLog, Organization

HEADERS = list(STATION_COLUMNS)


def write_sheet(path, headers, rows, fmt=None):
    """Write rows as a real file: csv (BOM), csv-nobom, gbk or xlsx (by `fmt` or suffix)."""
    fmt = fmt or path.suffix.lstrip(".")
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path
    lines = [",".join(str(c) for c in r) for r in [headers, *rows]]
    text = "\r\n".join(lines) + "\r\n"
    encoding = {"csv": "utf-8-sig", "csv-nobom": "utf-8", "gbk": "gbk"}[fmt]
    path.write_bytes(text.encode(encoding))
    return path


def station(code, name, level, parent="", kind="调解工作站", division="370202", address="",
            phone="", founded="", lon="", lat="", status="运行"):
    return [code, name, level, parent, kind, division, address, phone, founded, lon, lat, status]


GOOD = [
    station("QD", "青岛市中心", "市级", kind="调解中心", division="370200",
            founded="2019-05-01", lon="120.3826", lat="36.0671"),
    station("QD-02", "市南区工作站", "县级", "QD", phone="0532-80001111"),
    station("QD-02-01", "中山路工作室", "社区级", "QD-02", kind="调解工作室",
            address="中山路1号"),
    station("QD-11", "黄岛区工作站", "县级", "QD", division="370211", status="暂停"),
]


def run(path, scope=None, **kwargs):
    return import_stations(path, actor="importer", scope=scope, **kwargs)


@pytest.mark.parametrize("fmt", ["csv", "csv-nobom", "gbk", "xlsx"])
def test_happy_path_in_every_format(tmp_path, kinds, fmt):
    suffix = "xlsx" if fmt == "xlsx" else "csv"
    path = write_sheet(tmp_path / f"orgs.{suffix}", HEADERS, GOOD, fmt)
    result = run(path)
    assert result.errors == []
    assert (result.total, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert Organization.select().count() == 4
    city = Organization.get(code="QD")
    room = Organization.get(code="QD-02-01")
    assert room.level == COMMUNITY and room.parent.code == "QD-02"
    assert room.path == f"/{city.id}/{room.parent.id}/{room.id}/"
    assert room.kind.name == "调解工作室" and room.address == "中山路1号"
    assert city.founded == dt.date(2019, 5, 1)
    assert city.longitude == Decimal("120.3826") and city.latitude == Decimal("36.0671")
    assert Organization.get(code="QD-11").status == "suspended"
    assert Organization.get(code="QD-02").phone == "0532-80001111"
    summary = AuditLog.select().where(AuditLog.action == "import")
    assert summary.count() == 1
    assert summary[0].changes_dict["created"] == 4
    assert AuditLog.select().where(AuditLog.action == "create").count() == 4


def test_reimport_changes_nothing_then_updates_by_code(tmp_path, kinds):
    path = write_sheet(tmp_path / "orgs.csv", HEADERS, GOOD)
    run(path)
    audit_rows = AuditLog.select().count()
    stamp = Organization.get(code="QD-02").updated_at

    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert Organization.select().count() == 4
    assert Organization.get(code="QD-02").updated_at == stamp
    # only the summary record of the second import was added
    assert AuditLog.select().count() == audit_rows + 1

    changed = [list(r) for r in GOOD]
    changed[1][1] = "市南区金融纠纷调解工作站"
    changed[3][11] = "运行"
    write_sheet(path, HEADERS, changed)
    third = run(path)
    assert (third.created, third.updated, third.unchanged) == (0, 2, 2)
    assert Organization.select().count() == 4
    assert Organization.get(code="QD-02").name == "市南区金融纠纷调解工作站"
    assert Organization.get(code="QD-11").status == "active"
    updates = AuditLog.select().where(AuditLog.action == "update")
    assert updates.count() == 2


BAD_ROWS = {
    "unknown parent": (station("QD-09", "未知上级", "县级", "NOPE"), "上级机构编码", "不存在"),
    "wrong level under parent": (station("QD-09", "错层级", "社区级", "QD"), "上级机构编码",
                                 "社区级机构的上级必须是县级机构"),
    "bad division code": (station("QD-09", "区划错", "县级", "QD", division="37020X"),
                          "行政区划代码", "6位数字"),
    "bad date": (station("QD-09", "日期错", "县级", "QD", founded="2020-13-01"), "成立日期",
                 "YYYY-MM-DD"),
    "future date": (station("QD-09", "未来", "县级", "QD", founded="2999-01-01"), "成立日期",
                    "不能晚于今天"),
    "bad longitude": (station("QD-09", "经度错", "县级", "QD", lon="200"), "经度", "-180到180"),
    "bad latitude": (station("QD-09", "纬度错", "县级", "QD", lat="北纬36"), "纬度", "-90到90"),
    "duplicate code": (station("QD-02", "重复", "县级", "QD"), "机构编码", "在文件中重复（第3行已有）"),
    "unknown kind": (station("QD-09", "类型错", "县级", "QD", kind="火星站"), "机构类型",
                     "未知的机构类型「火星站」"),
    "unknown level": (station("QD-09", "层级错", "乡级", "QD"), "层级", "层级无效"),
    "unknown status": (station("QD-09", "状态错", "县级", "QD", status="关闭"), "状态",
                       "状态无效"),
    "missing name": (station("QD-09", "", "县级", "QD"), "机构名称", "必填"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_one_bad_row_refuses_the_whole_file(tmp_path, kinds, case):
    bad, column, reason = BAD_ROWS[case]
    rows = [GOOD[0], GOOD[1], GOOD[2], bad]  # the bad row is spreadsheet row 5
    path = write_sheet(tmp_path / "orgs.csv", HEADERS, rows)
    result = run(path)
    assert [(e.row, e.column) for e in result.errors] == [(5, column)]
    assert reason in str(result.errors[0].message)
    assert Organization.select().count() == 0
    assert AuditLog.select().count() == 0


def test_bad_row_also_undoes_updates_of_existing_records(tmp_path, network):
    rows = [station("QD-02", "改了名字", "县级", "QD"),
            station("QD-11-09", "坐标错", "社区级", "QD-11", lon="abc")]
    path = write_sheet(tmp_path / "orgs.xlsx", HEADERS, rows)
    before = AuditLog.select().count()
    result = run(path)
    assert [(e.row, e.column) for e in result.errors] == [(3, "经度")]
    assert Organization.get(code="QD-02").name == "市南区工作站"
    assert Organization.select().count() == 6
    assert AuditLog.select().count() == before


def test_every_error_of_the_file_is_reported(tmp_path, kinds):
    rows = [station("QD", "青岛", "市级", kind="调解中心"),
            station("QD-01", "", "县级", "QD", division="1"),
            station("QD-02", "好的", "县级", "QD"),
            station("QD-03", "坏的", "县级", "QD", founded="昨天")]
    result = run(write_sheet(tmp_path / "orgs.csv", HEADERS, rows))
    assert sorted((e.row, e.column) for e in result.errors) == [
        (3, "机构名称"), (3, "行政区划代码"), (5, "成立日期")]
    assert Organization.select().count() == 0


def test_parent_must_come_before_its_children(tmp_path, kinds):
    rows = [station("QD-02", "市南区", "县级", "QD"),
            station("QD", "青岛", "市级", kind="调解中心")]
    result = run(write_sheet(tmp_path / "orgs.csv", HEADERS, rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "上级机构编码")]
    assert "在文件第3行，须排在本行之前" in str(result.errors[0].message)
    assert Organization.select().count() == 0


def test_child_of_a_refused_row_says_so(tmp_path, kinds):
    rows = [station("QD", "青岛", "市级", kind="火星站"),
            station("QD-02", "市南区", "县级", "QD")]
    result = run(write_sheet(tmp_path / "orgs.csv", HEADERS, rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "机构类型"), (3, "上级机构编码")]
    assert "（第2行）未能导入" in str(result.errors[1].message)


def test_missing_and_unknown_headers_are_one_file_error(tmp_path, kinds):
    headers = [h for h in HEADERS if h not in ("层级", "纬度")] + ["备注"]
    rows = [[c for h, c in zip(HEADERS, GOOD[0], strict=True) if h not in ("层级", "纬度")]
            + ["x"]]
    result = run(write_sheet(tmp_path / "orgs.csv", headers, rows))
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (0, "")
    assert "缺少列：层级、纬度" in str(error.message)
    assert "无法识别的列：备注" in str(error.message)


def test_header_only_file_is_refused(tmp_path, kinds):
    result = run(write_sheet(tmp_path / "orgs.csv", HEADERS, []))
    assert [str(e.message) for e in result.errors] == ["文件中没有数据行"]


def test_scope_refuses_rows_outside_the_managers_subtree(tmp_path, network):
    shinan = network["shinan"]
    rows = [station("QD-02-03", "新工作室", "社区级", "QD-02", kind="调解工作室"),
            station("QD-11-05", "别区的工作室", "社区级", "QD-11", kind="调解工作室"),
            station("QD-11", "黄岛改名", "县级", "QD"),
            station("QD-02-01", "搬去黄岛", "社区级", "QD-11", kind="调解工作室")]
    path = write_sheet(tmp_path / "orgs.csv", HEADERS, rows)
    result = run(path, scope=shinan)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "上级机构编码"), (4, "机构编码"), (5, "上级机构编码")]
    assert all("超出管辖范围" in str(e.message) for e in result.errors)
    assert not Organization.select().where(Organization.code == "QD-02-03").exists()
    assert Organization.get(code="QD-11").name == "黄岛区工作站"

    in_scope = write_sheet(tmp_path / "mine.csv", HEADERS, rows[:1])
    assert run(in_scope, scope=shinan).created == 1
    assert Organization.get(code="QD-02-03").parent_id == shinan.id


def test_dry_run_validates_everything_and_keeps_nothing(tmp_path, kinds):
    path = write_sheet(tmp_path / "orgs.csv", HEADERS, GOOD)
    result = run(path, dry_run=True)
    assert result.ok and result.created == 4
    assert Organization.select().count() == 0
    assert AuditLog.select().count() == 0


def test_progress_is_reported_row_by_row(tmp_path, kinds):
    seen = []
    run(write_sheet(tmp_path / "orgs.csv", HEADERS, GOOD), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_closing_through_the_import_keeps_the_record(tmp_path, network):
    rows = [station("QD-11-01", "黄岛工作室", "社区级", "QD-11", kind="调解工作室",
                    status="撤销")]
    result = run(write_sheet(tmp_path / "orgs.csv", HEADERS, rows))
    assert result.updated == 1
    org = Organization.get(code="QD-11-01")
    assert org.status == CLOSED and org.level == COMMUNITY
    assert network["huangdao"].level == COUNTY


def test_moving_a_unit_mid_file_keeps_later_paths_right(tmp_path, network):
    """Row 4 moves the city under a new province; row 5 adds a room to one of its counties,
    whose path changed with the move."""
    rows = [station("QD-02-05", "新工作室一", "社区级", "QD-02", kind="调解工作室"),
            station("SD", "山东省中心", "省级", kind="调解中心", division="370000"),
            station("QD", "青岛市中心", "市级", "SD", kind="调解中心", division="370202"),
            station("QD-02-06", "新工作室二", "社区级", "QD-02", kind="调解工作室")]
    result = run(write_sheet(tmp_path / "orgs.csv", HEADERS, rows))
    assert result.errors == []
    assert (result.created, result.updated) == (3, 1)
    ids = {o.code: o.id for o in Organization.select()}
    expected = f"/{ids['SD']}/{ids['QD']}/{ids['QD-02']}/"
    for code in ("QD-02-05", "QD-02-06", "QD-02-01"):
        assert Organization.get(code=code).path == expected + f"{ids[code]}/"
