"""Importing stations through the upload page: a bad file lists its bad rows, a good one lands."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import log_in

HEADER = "机构编码,机构名称,层级,上级机构编码,机构类型,行政区划代码,地址,电话,成立日期,经度,纬度,状态"
GOOD_ROW = "QD-02-03,市南区银行网点调解点,社区级,QD-02,银行网点调解点,370202,,,2021-05-01,,,运行"
# Line 2: a 5-digit division code; line 3: a parent that does not exist.
BAD_ROWS = [
    "QD-02-03,市南区银行网点调解点,社区级,QD-02,银行网点调解点,37020,,,2021-05-01,,,运行",
    "QD-02-04,市南区驻法院工作室,社区级,QD-77,驻法院工作室,370202,,,2021-05-01,,,运行",
]


def csv_file(name: str, *rows: str) -> dict:
    text = "\n".join([HEADER, *rows]) + "\n"
    return {"name": name, "mimeType": "text/csv", "buffer": "\ufeff".encode() + text.encode()}


@pytest.fixture
def manager(network, make_user):
    make_user("shinan", role="manager", organization=network["shinan"].code)
    return network


def upload(page, file: dict) -> None:
    page.goto("/admin/imports/")
    page.select_option("#kind", "stations")
    page.set_input_files("#file", files=[file])
    page.click("#upload-submit")


def test_bad_file_lists_each_bad_row_and_imports_nothing(page, manager):
    from network.models import Organization

    log_in(page, "shinan", PASSWORD)
    upload(page, csv_file("bad.csv", *BAD_ROWS))

    expect(page.locator("#error-count")).to_contain_text("共发现 2 处错误")
    rows = page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("2")
    expect(rows.nth(0)).to_contain_text("行政区划代码应为6位数字")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("3")
    expect(rows.nth(1)).to_contain_text("QD-77")
    expect(page.locator("#confirm-import")).to_have_count(0)
    assert not Organization.select().where(Organization.code.in_(["QD-02-03", "QD-02-04"])).exists()


def test_good_file_previews_then_imports(page, manager):
    from network.models import Organization

    log_in(page, "shinan", PASSWORD)
    upload(page, csv_file("good.csv", GOOD_ROW))

    expect(page.locator("#preview-ok")).to_contain_text("将新增 1 条")
    expect(page.locator("#preview-rows tbody tr")).to_have_count(1)
    page.click("#confirm-import")
    expect(page.locator("#job-done")).to_contain_text("新增 1 条", timeout=30_000)

    room = Organization.get(Organization.code == "QD-02-03")
    assert room.parent_id == manager["shinan"].id
    assert room.name == "市南区银行网点调解点"
