"""Chinese mode is Chinese everywhere a bureau's staff look: the page-size menu, the date
picker of the filters, the favicon; case and mediator pages link to each other."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import log_in


@pytest.fixture
def ledger(network, make_mediator, make_case, make_user):
    li = make_mediator(network["room1"], staff_no="S0201", name="李四")
    case = make_case(network["room1"], li, dt.date(2024, 3, 1), dt.date(2024, 3, 11), "调解成功",
                     "12000.00", "9000.00", case_no="IN-0001")
    make_user("m02", role="manager", organization=network["shinan"])
    return {"mediator": li, "case": case, **network}


def test_page_size_menu_and_date_picker_speak_chinese(page, ledger):
    log_in(page, "m02", PASSWORD)
    page.goto("/admin/cases/?flt0_1=2024-03-01")
    toggle = page.locator("a.dropdown-toggle", has_text="20")
    toggle.first.click()
    menu = page.locator(".dropdown-menu.show")
    expect(menu).to_contain_text("每页 50 条")
    expect(menu).not_to_contain_text("items")
    page.keyboard.press("Escape")
    page.locator("input.filter-val").first.click()
    picker = page.locator(".daterangepicker").first
    expect(picker).to_be_visible()
    expect(picker).to_contain_text("确定")
    expect(picker).to_contain_text("一")
    expect(picker).not_to_contain_text("Apply")
    expect(picker).not_to_contain_text("Mo")


def test_favicon_is_linked_and_served(page, ledger):
    log_in(page, "m02", PASSWORD)
    href = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(href).status == 200
    response = page.request.get("/favicon.ico")
    assert response.status == 200 and "svg" in response.headers["content-type"]


def test_case_and_mediator_pages_link_each_other_and_the_station(page, ledger):
    log_in(page, "m02", PASSWORD)
    page.goto(f"/admin/cases/details/?id={ledger['case'].id}")
    page.locator("a.detail-link", has_text="李四").click()
    expect(page.locator("#mediator-cases")).to_contain_text("IN-0001")
    page.locator("a.detail-link", has_text="中山路工作室").click()
    expect(page.locator("table")).to_contain_text("QD-02-01")
    page.goto(f"/admin/mediators/details/?id={ledger['mediator'].id}")
    page.locator("#mediator-cases a", has_text="IN-0001").click()
    expect(page.locator("table").first).to_contain_text("IN-0001")
    assert "/admin/cases/details/" in page.url
