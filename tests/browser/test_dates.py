"""Date fields speak the page's language, not the browser's: in an English Chromium (locale
en-US) the Chinese pages show and take dates as 年-月-日 (2024-03-01) with a Chinese calendar,
never mm/dd/yyyy or English month names; switched to English, the same calendar speaks
English. Every date input of the portal is covered: the dashboard, nominations, promotion
"near", the grade change form, Flask-Admin forms (a case's dates, a mediator's move date) and
the list filters."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import log_in

D = dt.date
ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")
ENGLISH_DAYS = re.compile(r"\b(Su|Mo|Tu|We|Th|Fr|Sa)\b")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
def people(network, make_mediator, make_case, make_user):
    li = make_mediator(network["room1"], staff_no="S0201", name="李四")
    make_case(network["room1"], li, D(2024, 3, 1), D(2024, 3, 11), "调解成功", case_no="IN-1")
    make_user("root", role="admin")
    return {"mediator": li, **network}


def pages(people) -> dict[str, list[str]]:
    """Each page with a date field, and the ids of its date fields."""
    mid = people["mediator"].id
    return {
        "/admin/dashboard/?org=QD-02&period=custom&from=2024-03-01&to=2024-03-31": ["from", "to"],
        "/admin/nominations/?org=QD-02&from=2024-01-01&to=2024-03-31": ["from", "to"],
        "/admin/near/?org=QD-02&as_of=2024-03-01": ["as_of"],
        f"/admin/grades/{mid}/": ["effective"],
        "/admin/cases/new/": ["received", "closed"],
        f"/admin/mediators/edit/?id={mid}": ["move_on"],
    }


def open_calendar(page, field_id: str):
    page.locator(f"#{field_id}").click()
    picker = page.locator(".daterangepicker:visible")
    expect(picker).to_have_count(1)
    return picker


@pytest.mark.browser_locale("en-US")
def test_chinese_pages_take_dates_as_year_month_day_in_an_english_browser(page, people):
    assert page.evaluate("navigator.language") == "en-US"  # the browser's own is English
    log_in(page, "root", PASSWORD)
    for url, fields in pages(people).items():
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == "zh-CN"  # the page's own
        expect(page.locator('input[type="date"]')).to_have_count(0)  # no native picker
        for field_id in fields:
            field = page.locator(f"#{field_id}")
            expect(field).to_have_attribute("data-date-format", "YYYY-MM-DD")
            value = field.input_value()
            assert value == "" or ISO_DAY.match(value), (url, field_id, value)
        picker = open_calendar(page, fields[0])
        text = picker.inner_text()
        assert "mm/dd/yyyy" not in text.lower() and not ENGLISH_MONTHS.search(text), (url, text)
        assert not ENGLISH_DAYS.search(text) and "一" in text and "月" in text, (url, text)
        page.keyboard.press("Escape")
        page.locator("h1, h2, h4").first.click()  # close the calendar

    # Picking a day writes it as 年-月-日, and the page takes it.
    page.goto("/admin/dashboard/?org=QD-02&period=custom&from=2024-03-01&to=2024-03-31")
    picker = open_calendar(page, "from")
    picker.locator("td.available:not(.off)", has_text=re.compile(r"^15$")).first.click()
    expect(page.locator("#from")).to_have_value("2024-03-15")
    page.click("#period-submit")
    page.wait_for_url("**from=2024-03-15**")
    expect(page.locator("#period-range")).to_contain_text("2024-03-15 ~ 2024-03-31")


@pytest.mark.browser_locale("en-US")
def test_switched_to_english_the_calendar_speaks_english(page, people):
    log_in(page, "root", PASSWORD)
    page.goto("/lang/en?next=/admin/dashboard/%3Forg%3DQD-02%26period%3Dcustom"
              "%26from%3D2024-03-01%26to%3D2024-03-31")
    expect(page.locator("#from")).to_have_value("2024-03-01")
    assert page.evaluate("document.documentElement.lang") == "en"
    text = open_calendar(page, "from").inner_text()
    assert "Mo" in text and "一" not in text and "月" not in text, text
    assert ENGLISH_MONTHS.search(text), text


def test_a_day_typed_in_another_format_is_a_chinese_message(page, people):
    log_in(page, "root", PASSWORD)
    page.goto("/admin/dashboard/?org=QD-02&period=custom&from=2024-03-01&to=2024-03-31")
    page.goto("/admin/dashboard/?org=QD-02&period=custom&from=03/01/2024&to=2024-03-31")
    expect(page.locator("#period-error")).to_contain_text("开始日期应为 YYYY-MM-DD 格式的日期")
    expect(page.locator("#from")).to_have_attribute("placeholder", "年-月-日")
