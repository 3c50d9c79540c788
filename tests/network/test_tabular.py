"""Reading CSV (UTF-8 with/without BOM, GBK) and XLSX files into headers and numbered rows."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from network.tabular import FileProblem, cell_text, open_table, write_csv, write_xlsx

HEADERS = ["机构编码", "机构名称", "行政区划代码"]
ROWS = [["QD-02", "市南区工作站", "370202"], ["QD-11", "黄岛区工作站", "370211"]]


def _csv_text() -> str:
    return "\r\n".join(",".join(r) for r in [HEADERS, *ROWS]) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_every_supported_encoding(tmp_path, encoding):
    path = tmp_path / "orgs.csv"
    path.write_bytes(_csv_text().encode(encoding))
    table = open_table(path)
    assert table.headers == HEADERS
    rows = list(table.rows())
    assert rows == [(2, dict(zip(HEADERS, ROWS[0], strict=True))),
                    (3, dict(zip(HEADERS, ROWS[1], strict=True)))]
    assert table.count() == 2


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("机构编码,机构名称\nA,甲\n,\n\nB,乙\n", encoding="utf-8")
    assert [n for n, _ in open_table(path).rows()] == [2, 5]


def test_xlsx_numbers_and_dates_come_back_as_typed_text(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["工号", "行政区划代码", "入职日期", "经度", "姓名"])
    sheet.append([1024, 370202.0, dt.datetime(2022, 3, 1), 120.3826, "张三"])
    sheet.append([None, None, None, None, None])
    sheet.append(["M-7", "370211", dt.date(2021, 12, 31), 36, " 李四 "])
    path = tmp_path / "people.xlsx"
    book.save(path)
    table = open_table(path)
    assert table.fmt == "xlsx"
    rows = list(table.rows())
    assert rows[0] == (2, {"工号": "1024", "行政区划代码": "370202", "入职日期": "2022-03-01",
                           "经度": "120.3826", "姓名": "张三"})
    assert rows[1][0] == 4
    assert rows[1][1]["入职日期"] == "2021-12-31"
    assert rows[1][1]["姓名"] == "李四"


def test_scan_reads_distinct_values_and_pairs_as_the_rows_read_them(tmp_path):
    """One pass for the look-ups: a column's distinct values, and a tuple of columns' distinct
    combinations, each cell as `rows()` gives it (stripped; an XLSX number as typed text)."""
    path = tmp_path / "a.csv"
    path.write_text("场次,工号,出勤\nS1, M1 ,出席\nS1,M2,缺席\n\nS2,M1,出席\nS1,M1,迟到\n",
                    encoding="utf-8")
    table = open_table(path)
    assert table.scan(["场次", ("场次", "工号"), "其他", ("场次", "其他")]) == {
        "场次": {"S1", "S2"}, ("场次", "工号"): {("S1", "M1"), ("S1", "M2"), ("S2", "M1")},
        "其他": set(), ("场次", "其他"): set()}
    assert table.count() == 4
    book = Workbook()
    book.active.append(["场次", "工号"])
    book.active.append(["S1", 1024])
    book.save(tmp_path / "b.xlsx")
    assert open_table(tmp_path / "b.xlsx").scan([("场次", "工号")]) == {
        ("场次", "工号"): {("S1", "1024")}}


def test_cell_text():
    assert cell_text(370202.0) == "370202"
    assert cell_text(12.5) == "12.5"
    assert cell_text(dt.datetime(2020, 1, 2, 9, 30)) == "2020-01-02 09:30:00"
    assert cell_text(None) == ""


@pytest.mark.parametrize("name,content,reason", [
    ("empty.csv", b"", "文件为空"),
    ("blank.xlsx", b"PK\x03\x04 not really a zip", "Excel 文件已损坏"),
    ("notes.doc", b"hello", "只支持 CSV"),
    ("old.xls", b"\xd0\xcf\x11\xe0 legacy", "只支持 CSV"),
])
def test_unusable_files_are_refused_with_a_chinese_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileProblem) as exc:
        table = open_table(path)
        list(table.rows())
    assert reason in str(exc.value)


def test_uploaded_name_decides_the_format(tmp_path):
    """Uploads are stored under random names: the user's file name says what the file is."""
    path = tmp_path / "upload-0001"
    path.write_bytes(write_xlsx(HEADERS, ROWS))
    assert open_table(path, "网点.xlsx").fmt == "xlsx"
    assert open_table(path).fmt == "xlsx"  # recognised by its zip signature too


def test_written_csv_has_a_bom_and_written_xlsx_reads_back(tmp_path):
    data = write_csv(HEADERS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    csv_path = tmp_path / "t.csv"
    csv_path.write_bytes(data)
    xlsx_path = tmp_path / "t.xlsx"
    xlsx_path.write_bytes(write_xlsx(HEADERS, ROWS))
    for path in (csv_path, xlsx_path):
        table = open_table(path)
        assert table.headers == HEADERS
        assert [list(r.values()) for _, r in table.rows()] == ROWS
