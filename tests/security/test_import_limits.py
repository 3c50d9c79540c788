"""Issue 16 finding #2: an import file cannot take the server down.

Each hostile file is built here, in a temporary directory, and must be refused quickly with a
clear Chinese message and nothing written; the largest legitimate shape (13 columns, many
rows) must still pass the limits.
"""
from __future__ import annotations

import zipfile

from network.imports import STATION_COLUMNS, STATIONS, import_stations, read_headers
from network.limits import MB, Limits
from network.models import ImportJob, Organization
from network.settings import update_settings
from network.tabular import open_table
from tests.network.test_station_import import GOOD, write_sheet

HEADERS = list(STATION_COLUMNS)


def run(path):
    return import_stations(path, actor="importer", scope=None)


def only_error(result) -> str:
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return str(result.errors[0])


def test_a_million_column_csv_header_is_refused(tmp_path, kinds):
    path = tmp_path / "wide.csv"
    path.write_bytes(",".join(f"c{i}" for i in range(1_000_000)).encode() + b"\r\n1\r\n")
    result = run(path)
    assert "文件：文件中有一行超过819200个字符，不像是表格数据" == only_error(result)
    assert Organization.select().count() == 0


def test_a_header_wider_than_the_column_limit_is_refused(tmp_path, kinds):
    path = tmp_path / "wide.csv"
    path.write_bytes(",".join(f"c{i}" for i in range(5000)).encode() + b"\r\n")
    assert only_error(run(path)) == "文件：第1行有5000列，超过上限200列"


def test_a_data_row_wider_than_the_column_limit_is_refused(tmp_path, kinds):
    path = write_sheet(tmp_path / "orgs.csv", HEADERS, [GOOD[0], GOOD[1] + ["x"] * 300])
    assert only_error(run(path)) == "文件：第3行有312列，超过上限200列"
    assert Organization.select().count() == 0


def test_the_limits_are_settings(tmp_path, kinds):
    update_settings({"import.max_columns": 20}, actor="admin")
    path = tmp_path / "wide.csv"
    path.write_bytes(",".join(f"c{i}" for i in range(21)).encode() + b"\r\n")
    assert only_error(run(path)) == "文件：第1行有21列，超过上限20列"


def test_too_many_cells_are_refused_while_counting(tmp_path, kinds):
    update_settings({"import.max_cells": 1000}, actor="admin")
    rows = [[f"C{i}", f"站{i}", "市级", "", "调解中心", "370200", "", "", "", "", "", "运行"]
            for i in range(2000)]
    path = write_sheet(tmp_path / "many.csv", HEADERS, rows)
    assert only_error(run(path)) == \
        "文件：文件单元格过多（已超过1000个：1024行以上 × 12列）"
    assert Organization.select().count() == 0


def test_duplicate_header_check_is_linear(tmp_path, kinds):
    """200 columns, all repeats: named once each in the message (a Counter, not count())."""
    headers = read_headers(STATIONS, HEADERS * 16)
    assert "重复的列：" + "、".join(sorted(HEADERS)) in str(headers.problem)


def shared_strings_bomb(path, megabytes: int) -> None:
    """A real .xlsx whose xl/sharedStrings.xml unpacks to `megabytes` MB from under 1 MB."""
    small = write_sheet(path.with_name("small.xlsx"), HEADERS, [GOOD[0]])
    chunk = ("<si><t>x</t></si>" * 65536).encode()
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for entry in source.infolist():
            if not entry.filename.endswith("sharedStrings.xml"):
                bomb.writestr(entry, source.read(entry))
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                      b'spreadsheetml/2006/main">')
            written = 0
            while written < megabytes * MB:
                out.write(chunk)
                written += len(chunk)
            out.write(b"</sst>")


def test_a_shared_strings_zip_bomb_is_refused_before_parsing(tmp_path, kinds):
    path = tmp_path / "bomb.xlsx"
    shared_strings_bomb(path, 300)
    assert path.stat().st_size < 2 * MB
    result = run(path)
    assert only_error(result) == "文件：Excel 文件的共享字符串过大（301 MB，上限 256 MB）"
    assert Organization.select().count() == 0


def test_an_xlsx_unpacking_beyond_the_total_limit_is_refused(tmp_path, kinds):
    update_settings({"import.max_expanded_mb": 10}, actor="admin")
    path = tmp_path / "bomb.xlsx"
    shared_strings_bomb(path, 12)
    assert only_error(run(path)) == "文件：Excel 文件解压后过大（13 MB，上限 10 MB）"


def test_the_largest_legitimate_shape_passes_the_default_limits():
    """A province's year of cases: 1M rows × 13 columns, ~150 MB as CSV."""
    limits = Limits()
    limits.check_cells(1_000_000, 13)
    limits.check_columns(13, 1)
    assert limits.max_bytes >= 150 * MB


def test_a_legitimate_file_still_imports(tmp_path, kinds):
    path = write_sheet(tmp_path / "orgs.xlsx", HEADERS, GOOD)
    result = run(path)
    assert result.errors == [] and result.created == 4
    assert open_table(path).headers == HEADERS


def test_jobs_left_running_by_a_restart_are_marked_failed(runner, database):
    from network.jobs import create_job, mark_running

    running = create_job("stations", username="admin", scope=None, filename="a.csv")
    mark_running(running)
    pending = create_job("stations", username="admin", scope=None, filename="b.csv")
    result = runner.invoke(args=["jobs", "recover"])
    assert result.exit_code == 0, result.output
    assert "已将 2 个中断的导入任务标记为失败" in result.output
    for job in (running, pending):
        job = ImportJob.get_by_id(job.id)
        assert job.status == "failed"
        assert "服务重启，导入被中断" in job.errors
