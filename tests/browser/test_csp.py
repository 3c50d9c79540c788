"""Flask-Admin's list controls still work under the Content-Security-Policy.

The page fixture fails a test on any CSP violation or JavaScript error; these tests click the
controls whose inline handlers the policy refuses (row delete, bulk actions, filters), so a
handler that silently stopped running — a delete without its confirmation — is caught.
"""
from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import log_in


def test_row_delete_bulk_action_and_filter(page, network, make_user, make_mediator):
    make_user("root", "admin")
    make_mediator(network["room1"], staff_no="S0001", name="甲调解员")
    make_mediator(network["room2"], staff_no="S0002", name="乙调解员")
    log_in(page, "root", PASSWORD)
    response = page.goto("/admin/mediators/")
    assert "nonce-" in response.headers["content-security-policy"]
    table = page.locator("table.model-list")
    expect(table).to_contain_text("甲调解员")

    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("table.model-list form.icon button").first.click()
    expect(table).to_contain_text("甲调解员")  # dismissed: nothing deleted
    assert len(asked) == 1

    page.locator("input.action-checkbox").first.check()
    page.locator("a.dropdown-toggle:has(+ .dropdown-menu [data-model-action])").click()
    page.locator("[data-model-action='delete']").click()
    assert len(asked) == 2  # the bulk delete asks too, and was dismissed
    expect(table).to_contain_text("甲调解员")
    expect(table).to_contain_text("乙调解员")

    page.locator("a.dropdown-toggle", has_text="添加筛选器").click()
    page.locator("a.filter").first.click()
    expect(page.locator("table.filters tr")).to_have_count(1)
    page.wait_for_timeout(300)  # let a late violation report arrive before the fixture checks
