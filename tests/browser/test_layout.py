"""Pages that fit the data, measured in the browser at desk (1440 px) and phone (390 px) width:
the full width is used, dates stay on one line, wide tables scroll inside their box with the
first column kept in view, the phone layout has a menu toggler and no sideways page scroll.
Screenshots of the list, dashboard and nominations pages go to test-artifacts/ at both widths.
"""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import ARTIFACTS, log_in

D = dt.date
DESK, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
PAGES = {"list": "/admin/cases/",
         "dashboard": "/admin/dashboard/?org=QD-02&period=custom&from=2024-01-01&to=2024-06-30",
         "nominations": "/admin/nominations/?org=QD-02&period=2024"}


@pytest.fixture
def busy_unit(network, make_mediator, make_case, make_user):
    """市南区 with two rooms, four mediators and 24 cases in the first half of 2024."""
    people = [make_mediator(network["room1"], staff_no=f"S02{i:02d}", name=name)
              for i, name in enumerate(["李四", "王芳", "赵敏"], start=1)]
    people.append(make_mediator(network["room2"], staff_no="S0299", name="孙强"))
    for n in range(24):
        mediator = people[n % 4]
        received = D(2024, 1 + n % 6, 1 + n)
        make_case(mediator.station, mediator, received, received + dt.timedelta(days=9),
                  "调解成功" if n % 3 else "调解不成功", f"{1000 * (n + 1)}.00", "500.00",
                  case_no=f"QD02-2024-{n:04d}")
    make_user("m02", role="manager", organization=network["shinan"])
    return network


def line_count(page, selector: str) -> int:
    """How many lines the text of the first matching element is laid out on."""
    return page.evaluate("""sel => {
        const el = document.querySelector(sel);
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        return tops.size; }""", selector)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_desk_width_uses_the_width_and_keeps_dates_on_one_line(page, busy_unit):
    page.set_viewport_size(DESK)
    log_in(page, "m02", PASSWORD)
    page.goto(PAGES["list"])
    width = page.evaluate("document.querySelector('.container-fluid, .container')"
                          ".getBoundingClientRect().width")
    assert width >= 1400, width
    assert line_count(page, "td.col-received") == 1
    assert line_count(page, "td.col-result") == 1
    for name, url in PAGES.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        shoot(page, f"layout-{name}-1440")


def test_laptop_width_keeps_the_user_and_logout_on_one_line(page, busy_unit):
    """Just above the menu's collapse point (992 px) the menu takes two lines; the user's name
    and the 退出 button must not break inside (退 over 出)."""
    page.set_viewport_size({"width": 1000, "height": 700})
    log_in(page, "m02", PASSWORD)
    page.goto(PAGES["list"])
    assert line_count(page, "#logout") == 1
    assert line_count(page, "#current-user") == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def test_phone_width_has_a_menu_toggler_and_no_sideways_page(page, busy_unit):
    page.set_viewport_size(PHONE)
    log_in(page, "m02", PASSWORD)
    for name, url in PAGES.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, overflow)
        shoot(page, f"layout-{name}-390")
    page.goto(PAGES["list"])
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    menu_link = page.locator("#admin-navbar-collapse .nav-link", has_text="案件").first
    expect(menu_link).to_be_hidden()
    toggler.click()
    expect(menu_link).to_be_visible()


def test_phone_width_list_scrolls_inside_with_the_first_column_in_view(page, busy_unit):
    page.set_viewport_size(PHONE)
    log_in(page, "m02", PASSWORD)
    page.goto(PAGES["list"])
    box = page.locator(".table-responsive").first
    sizes = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], sizes  # the table is wider than the phone: it scrolls
    box.evaluate("el => { el.scrollLeft = 400; }")
    page.wait_for_timeout(100)
    left_of_box = box.evaluate("el => el.getBoundingClientRect().left")
    case_no = page.locator("td.col-case_no").first
    assert case_no.evaluate("el => el.getBoundingClientRect().left") >= left_of_box - 1
    expect(case_no).to_be_in_viewport()
    assert line_count(page, "td.col-received") == 1


def test_nominations_fit_the_desk_and_name_the_unit(page, busy_unit):
    """Four mediators with six closed cases each (above the minimum of 5): the table fits
    1440 px without sideways scrolling and names each one's unit."""
    page.set_viewport_size(DESK)
    log_in(page, "m02", PASSWORD)
    page.goto(PAGES["nominations"])
    table = page.locator("#nomination-table")
    expect(table).to_contain_text("所属机构")
    expect(table).to_contain_text("八大峡工作室")
    box = page.locator(".table-responsive").first
    sizes = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] <= sizes[1], sizes
    assert page.locator("#nomination-table .record-award").count() == 4
