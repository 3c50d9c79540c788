"""Property tests of the import parsers: whatever the headers, encoding and cells, an import
answers with the domain's errors (never another exception) and writes all or nothing."""
from __future__ import annotations

import io
import warnings
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.errors import DomainError
from network.imports import STATION_COLUMNS, STATIONS, run_import
from network.models import AuditLog, Organization
from network.tabular import open_table

HEADERS = list(STATION_COLUMNS)
FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# cells: Chinese, ASCII, separators, quotes, line breaks, formula starts, the template's words
cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["QD", "市级", "县级", "社区级", "调解中心", "调解工作站", "运行", "暂停",
                     "2024-02-30", "=1+1", '"', "\r\n", ",", "\ufeff", "1e308", "-0", ""]),
)
header = st.one_of(st.sampled_from(HEADERS + ["名称", "上级编码", "（必填）", ""]), st.text(max_size=8))
encoding = st.sampled_from(["utf-8-sig", "utf-8", "gbk", "gb18030", "utf-16", "latin-1"])


def state() -> tuple[int, int]:
    return Organization.select().count(), AuditLog.select().count()


def check(path, before) -> None:
    result = run_import(STATIONS, path, actor="fuzz", scope=None)
    if result.errors:
        assert state() == before, [str(e) for e in result.errors[:3]]
        assert all(str(e) for e in result.errors)
    else:
        assert state()[0] == before[0] + result.created


@FUZZ
@given(headers=st.lists(header, min_size=1, max_size=16), rows=st.lists(
    st.lists(cell, max_size=14), max_size=6), enc=encoding)
def test_random_csv_imports_all_or_nothing(tmp_path, kinds, headers, rows, enc):
    import csv

    out = io.StringIO()
    csv.writer(out).writerows([headers, *rows])
    data = out.getvalue().encode(enc, errors="replace")
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    check(path, state())


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=12, max_size=12), min_size=1, max_size=5),
       enc=encoding)
def test_template_headers_with_random_cells(tmp_path, kinds, rows, enc):
    """The right headers, so every row reaches the services: the rules, not the reader, refuse."""
    import csv

    out = io.StringIO()
    csv.writer(out).writerows([HEADERS, *rows])
    path = tmp_path / "fuzz.csv"
    path.write_bytes(out.getvalue().encode(enc, errors="replace"))
    check(path, state())


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x"]))
def test_random_bytes_are_refused_with_a_domain_error(tmp_path, kinds, data, name):
    path = tmp_path / "random"
    path.write_bytes(data)
    try:
        table = open_table(path, name)
        list(table.rows())
    except DomainError as exc:
        assert str(exc.message)


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.sampled_from(["[Content_Types].xml", "xl/workbook.xml",
                                                 "xl/worksheets/sheet1.xml",
                                                 "xl/sharedStrings.xml", "_rels/.rels"]),
                                st.binary(max_size=300)), max_size=5,
                      unique_by=lambda part: part[0]))
def test_broken_xlsx_archives_are_refused_with_a_domain_error(tmp_path, kinds, parts):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in parts:
            archive.writestr(name, body)
    with warnings.catch_warnings():  # openpyxl warns about what it repairs; refusals matter
        warnings.simplefilter("ignore", UserWarning)
        check(path, state())
