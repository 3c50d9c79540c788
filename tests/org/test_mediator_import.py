"""Mediator (调解员) import: happy path, re-import by 工号, every bad-row kind, scope."""
from __future__ import annotations

import datetime as dt

import pytest

from network.models import AuditLog
from network.services import close_org
from org.imports import MEDIATOR_COLUMNS, import_mediators
from org.models import Assignment, Mediator
from tests.conftest import id_number
from tests.network.test_station_import import write_sheet

HEADERS = list(MEDIATOR_COLUMNS)
ZHANG = id_number(born="19850312", seq="01", gender="M")
LI = id_number(born="19900705", seq="02", gender="F")
WANG = id_number(region="370211", born="19781120", seq="03", gender="M")


def person(no, name, gender, idn, mobile="13800000001", education="大学本科", speciality="",
           political="群众", employment="兼职", employer="", joined="2022-01-01", status="在岗",
           station="QD-02-01", kind="常驻"):
    return [no, name, gender, idn, mobile, education, speciality, political, employment,
            employer, joined, status, station, kind]


GOOD = [
    person("M001", "张三", "男", ZHANG, political="中共党员", employment="专职",
           speciality="金融法律"),
    person("M002", "李四", "女", LI, mobile="13900000002", employer="青岛银行",
           station="QD-02-02", kind="轮驻"),
    person("M003", "王五", "男", WANG, mobile="", station="QD-11-01", kind="随叫随到",
           joined=""),
]


def run(path, scope=None, **kwargs):
    return import_mediators(path, actor="importer", scope=scope, **kwargs)


@pytest.mark.parametrize("fmt", ["csv", "gbk", "xlsx"])
def test_happy_path(tmp_path, network, fmt):
    path = write_sheet(tmp_path / f"people.{'xlsx' if fmt == 'xlsx' else 'csv'}", HEADERS,
                       GOOD, fmt)
    result = run(path)
    assert result.errors == []
    assert (result.total, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert Mediator.select().count() == 3
    zhang = Mediator.get(staff_no="M001")
    assert zhang.gender == "M" and zhang.birth_date == dt.date(1985, 3, 12)
    assert zhang.employment == "full" and zhang.political_status == "中共党员"
    assert zhang.station.code == "QD-02-01" and zhang.joined == dt.date(2022, 1, 1)
    li = Mediator.get(staff_no="M002")
    assert li.gender == "F" and li.employer == "青岛银行" and li.mobile == "13900000002"
    kinds = {a.mediator.staff_no: a.kind for a in Assignment.select()}
    assert kinds == {"M001": "resident", "M002": "rotating", "M003": "on_call"}
    assert Mediator.get(staff_no="M003").mobile is None
    assert AuditLog.select().where(AuditLog.action == "import").count() == 1


def test_xlsx_numeric_staff_numbers_and_dates(tmp_path, network):
    rows = [person(1024, "张三", "男", ZHANG, mobile=13800000001,
                   joined=dt.datetime(2021, 6, 1))]
    result = run(write_sheet(tmp_path / "people.xlsx", HEADERS, rows))
    assert result.errors == []
    mediator = Mediator.get(staff_no="1024")
    assert mediator.mobile == "13800000001" and mediator.joined == dt.date(2021, 6, 1)


def test_reimport_updates_by_staff_number_without_duplicates(tmp_path, network):
    path = write_sheet(tmp_path / "people.csv", HEADERS, GOOD)
    run(path)
    audit_rows = AuditLog.select().count()

    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Mediator.select().count() == 3 and Assignment.select().count() == 3
    assert AuditLog.select().count() == audit_rows + 1

    changed = [list(r) for r in GOOD]
    changed[0][4] = "13711112222"          # new mobile
    changed[1][12] = "QD-02-01"            # M002 moves to another room
    changed[2][13] = "常驻"                 # M003 is now resident
    write_sheet(path, HEADERS, changed)
    third = run(path)
    assert (third.created, third.updated, third.unchanged) == (0, 3, 0)
    assert Mediator.select().count() == 3
    assert Mediator.get(staff_no="M001").mobile == "13711112222"
    li = Mediator.get(staff_no="M002")
    assert li.station.code == "QD-02-01"
    history = list(Assignment.select().where(Assignment.mediator == li)
                   .order_by(Assignment.start))
    assert [a.station.code for a in history] == ["QD-02-02", "QD-02-01"]
    assert history[0].end is not None and history[1].end is None
    assert Assignment.get(Assignment.mediator == Mediator.get(staff_no="M003")).kind == "resident"


def _bad_checksum() -> str:
    good = id_number(born="19850312", seq="09", gender="M")
    return good[:-1] + ("0" if good[-1] != "0" else "1")


BAD_ROWS = {
    "bad id checksum": (person("M009", "赵六", "男", _bad_checksum()), "身份证号", "校验位错误"),
    "gender disagrees with id": (person("M009", "赵六", "女",
                                        id_number(seq="09", gender="M")), "性别", "性别与身份证号不符"),
    "bad mobile": (person("M009", "赵六", "男", id_number(seq="09"), mobile="1234567"), "手机号",
                   "手机号应为11位"),
    "unknown station": (person("M009", "赵六", "男", id_number(seq="09"), station="QD-99"),
                        "所属机构编码", "机构编码「QD-99」不存在"),
    "closed station": (person("M009", "赵六", "男", id_number(seq="09"), station="QD-11-01"),
                       "所属机构编码", "已撤销"),
    "duplicate staff number": (person("M002", "赵六", "男", id_number(seq="09")), "工号",
                               "在文件中重复（第3行已有）"),
    "same id number twice": (person("M009", "赵六", "男", ZHANG), "身份证号", "已登记为其他调解员"),
    "bad joined date": (person("M009", "赵六", "男", id_number(seq="09"), joined="2022/02/30"),
                        "入职日期", "YYYY-MM-DD"),
    "unknown assignment kind": (person("M009", "赵六", "男", id_number(seq="09"), kind="常住"),
                                "驻点方式", "常驻、轮驻、随叫随到"),
    "unknown education": (person("M009", "赵六", "男", id_number(seq="09"), education="小学"),
                          "学历", "学历应为"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_one_bad_row_refuses_the_whole_file(tmp_path, network, case):
    close_org(network["room3"], actor="test", scope=None)
    bad, column, reason = BAD_ROWS[case]
    rows = [GOOD[0], GOOD[1], bad]  # the bad row is spreadsheet row 4
    before = AuditLog.select().count()
    result = run(write_sheet(tmp_path / "people.csv", HEADERS, rows))
    assert [(e.row, e.column) for e in result.errors] == [(4, column)]
    assert reason in str(result.errors[0].message)
    assert Mediator.select().count() == 0
    assert Assignment.select().count() == 0
    assert AuditLog.select().count() == before


def test_bad_row_undoes_updates_of_existing_mediators(tmp_path, network, make_mediator):
    existing = make_mediator(network["room1"], staff_no="M001", name="旧名字",
                             id_number=ZHANG)
    rows = [person("M001", "新名字", "男", ZHANG),
            person("M002", "李四", "女", LI, mobile="110")]
    result = run(write_sheet(tmp_path / "people.csv", HEADERS, rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "手机号")]
    assert Mediator.get_by_id(existing.id).name == "旧名字"
    assert Mediator.select().count() == 1


def test_scope_refuses_people_outside_the_managers_subtree(tmp_path, network, make_mediator):
    make_mediator(network["room3"], staff_no="M100", id_number=WANG)
    rows = [person("M001", "张三", "男", ZHANG, station="QD-02-01"),
            person("M002", "李四", "女", LI, station="QD-11-01"),
            person("M100", "王五", "男", WANG, station="QD-02-01")]
    result = run(write_sheet(tmp_path / "people.csv", HEADERS, rows), scope=network["shinan"])
    assert [(e.row, e.column) for e in result.errors] == [(3, "所属机构编码"), (4, "工号")]
    assert all("超出管辖范围" in str(e.message) for e in result.errors)
    assert Mediator.select().count() == 1
    assert Mediator.get(staff_no="M100").station_id == network["room3"].id


def test_headers_of_the_station_file_are_refused(tmp_path, network):
    from network.imports import STATION_COLUMNS

    result = run(write_sheet(tmp_path / "wrong.csv", list(STATION_COLUMNS),
                             [["QD-09"] + [""] * 11]))
    assert len(result.errors) == 1 and result.errors[0].row == 0
    assert "缺少列：工号" in str(result.errors[0].message)
