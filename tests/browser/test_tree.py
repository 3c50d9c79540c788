"""The collapsible network tree in a browser: expand a node, counts, search."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import log_in


@pytest.fixture
def city_admin(network, make_mediator, make_user):
    make_mediator(network["room1"], name="李调解")
    make_mediator(network["room2"], name="王调解")
    make_user("cityadmin", role="admin")
    return network


def node(page, code):
    return page.locator(f'li.tree-node[data-code="{code}"]')


def test_expand_a_county_shows_its_rooms_and_counts(page, city_admin):
    log_in(page, "cityadmin", PASSWORD)
    page.goto("/admin/tree/")
    shinan = node(page, "QD-02")
    expect(shinan).to_be_visible()  # the city is open, its counties are listed
    # 2 rooms under 市南区, 2 mediators in its subtree (one in each room).
    expect(shinan.locator(":scope > .node-line .n-children")).to_have_text("2")
    expect(shinan.locator(":scope > .node-line .n-mediators")).to_have_text("2")
    expect(node(page, "QD-02-01")).to_be_hidden()

    shinan.locator(":scope > .node-line > .toggle").click()
    expect(node(page, "QD-02-01")).to_be_visible()
    expect(node(page, "QD-02-01")).to_contain_text("中山路工作室")
    expect(node(page, "QD-11-01")).to_be_hidden()  # 黄岛's room stays folded

    shinan.locator(":scope > .node-line > .toggle").click()
    expect(node(page, "QD-02-01")).to_be_hidden()


def test_search_reveals_the_match_and_hides_the_rest(page, city_admin):
    log_in(page, "cityadmin", PASSWORD)
    page.goto("/admin/tree/")
    page.fill("#tree-search", "八大峡")
    expect(node(page, "QD-02-02")).to_be_visible()
    expect(node(page, "QD-11")).to_be_hidden()
    expect(page.locator("#tree-hits")).to_contain_text("1")


def test_manager_tree_starts_at_the_county(page, city_admin, make_user):
    make_user("shinan", role="manager", organization=city_admin["shinan"].code)
    log_in(page, "shinan", PASSWORD)
    page.goto("/admin/tree/")
    expect(node(page, "QD-02")).to_be_visible()
    expect(node(page, "QD")).to_have_count(0)
    expect(node(page, "QD-11")).to_have_count(0)


CONTRAST = """el => {
    // WCAG 2 contrast ratio of an element's text colour against the page's white
    const [r, g, b] = getComputedStyle(el).color.match(/\\d+/g).slice(0, 3).map(Number);
    const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    return 1.05 / (l + 0.05); }"""


def test_secondary_outline_buttons_are_readable(page, city_admin):
    """The theme's secondary colour is a light grey (#e9ecef): outline buttons drawn in it
    (全部展开, 取消，重新上传, 签到表PDF …) were near-invisible on white (1.2:1)."""
    log_in(page, "cityadmin", PASSWORD)
    page.goto("/admin/tree/")
    for button in ("#tree-expand", "#tree-collapse"):
        assert page.locator(button).evaluate(CONTRAST) >= 4.5
