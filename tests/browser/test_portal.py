"""The portal in a real browser: log-in, lists, the language switch."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import log_in


@pytest.fixture
def manager(network):
    """市南区 manager with a display name, scoped to QD-02."""
    from org.accounts import create_user

    return create_user({"username": "shinan", "role": "manager", "password": PASSWORD,
                        "organization": network["shinan"].code, "display_name": "王经理"},
                       actor=None)


def test_wrong_password_shows_the_error_and_stays_on_login(page, manager):
    log_in(page, "shinan", "not-the-password")
    expect(page.locator("#login-error")).to_contain_text("用户名或密码错误")
    assert page.url.endswith("/login")


def test_right_password_lands_on_the_home_page_with_the_name(page, manager):
    log_in(page, "shinan", PASSWORD)
    expect(page.locator("#current-user")).to_contain_text("王经理")
    expect(page.locator("#scope-name")).to_contain_text("市南区工作站")
    # QD-02 and its two rooms; the city and 黄岛 are outside the manager's scope.
    expect(page.locator('.value[data-level="2"]')).to_have_text("1")
    expect(page.locator('.value[data-level="3"]')).to_have_text("2")


def test_stations_list_shows_only_the_managers_subtree(page, manager):
    log_in(page, "shinan", PASSWORD)
    page.goto("/admin/stations/")
    table = page.locator("table.model-list")
    expect(table).to_contain_text("中山路工作室")
    expect(table).to_contain_text("八大峡工作室")
    expect(table).not_to_contain_text("黄岛工作室")


def choose_language(page, code: str) -> None:
    """Open the navbar's language menu (Bootstrap's script must have run) and pick `code`."""
    page.wait_for_load_state("load")
    page.click("#lang-menu")
    item = page.locator(f'.dropdown-menu [data-lang="{code}"]')
    expect(item).to_be_visible()
    item.click()


def test_language_switch_to_english_and_back(page, manager):
    log_in(page, "shinan", PASSWORD)
    expect(page.locator("#scope-name")).to_contain_text("管辖范围")

    choose_language(page, "en")
    expect(page.locator("#scope-name")).to_contain_text("Jurisdiction")
    expect(page.locator("#logout")).to_have_text("Log out")

    choose_language(page, "zh_Hans_CN")
    expect(page.locator("#scope-name")).to_contain_text("管辖范围")
    expect(page.locator("#logout")).to_have_text("退出")


def test_login_page_language_links(page, manager):
    page.goto("/login")
    page.click('[data-lang="en"]')
    expect(page.locator("#login-submit")).to_have_text("Log in")
    expect(page.locator("label[for=password]")).to_have_text("Password")
    page.click('[data-lang="zh_Hans_CN"]')
    expect(page.locator("#login-submit")).to_have_text("登录")


def test_requests_to_other_hosts_are_caught(page, page_problems, live_server):
    """The offline guard itself: a page asking the internet for something is reported.
    (Run from a static file: on the portal's pages the Content-Security-Policy already stops
    such a request before the network, see test_csp_stops_requests_to_other_hosts.)"""
    page.goto("/static/portal.css")
    page.evaluate("fetch('http://cdn.example.com/lib.js').catch(() => null)")
    page.wait_for_timeout(200)
    assert page_problems.external == ["http://cdn.example.com/lib.js"]
    page_problems.external.clear()  # this test wanted it; the fixture would fail otherwise


def test_csp_stops_requests_to_other_hosts(page, page_problems, live_server):
    page.goto("/login")
    page.evaluate("fetch('http://cdn.example.com/lib.js').catch(() => null)")
    page.wait_for_timeout(200)
    assert page_problems.external == []
    assert page_problems.csp and all("cdn.example.com" in m for m in page_problems.csp)
    page_problems.csp.clear()  # this test wanted it; the fixture would fail otherwise


def test_chinese_is_drawn_with_a_cjk_font(page):
    """The heading's glyphs come from a real CJK font (fonts-wqy-zenhei), not fallback boxes."""
    page.goto("/login")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    heading = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]
    cjk = [f for f in fonts if re.search(r"WenQuanYi|CJK|Hei|Song|Kai", f["familyName"])]
    assert cjk and sum(f["glyphCount"] for f in cjk) >= len("金融纠纷调解网络管理平台"), (
        f"Chinese is not drawn with a CJK font ({fonts}): apt-get install -y fonts-wqy-zenhei")
