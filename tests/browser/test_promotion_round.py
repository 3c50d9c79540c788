"""A whole promotion round in the browser: the city opens it, E010 applies, the station, the
county and the city review, 公示 (read without logging in), an objection filed and dismissed,
the notice closes, the promotion takes effect, and E010's 我的等级 shows 二级.

The promotion domain's "today" is moved by the clock fixture (same process as the live
server); dates as in tests/admin/promotion/test_round_pages.py.
"""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from promotion.models import Application, Objection
from tests.admin.promotion.conftest import (  # noqa: F401
    ROUND_FORM,
    attend,
    clock,
    grade_ladder,
    round_world,
    training_ref,
    world,
)
from tests.conftest import PASSWORD

from .conftest import log_in

d = dt.date


def as_user(page, username):
    page.context.clear_cookies()
    log_in(page, username, PASSWORD)
    expect(page.locator("#current-user")).to_be_visible()


def test_whole_round(page, round_world, clock):  # noqa: F811
    as_user(page, "city")
    page.goto("/admin/rounds/")
    for name, value in ROUND_FORM.items():
        page.fill(f"#round-{name}", value)
    page.click("#open-round-submit")
    expect(page.locator(".alert")).to_contain_text("冻结了4名调解员的资格快照，其中2名符合条件")
    round_url = page.url

    as_user(page, "e010")
    page.goto(round_url)
    expect(page.locator("#my-snapshot")).to_contain_text("符合条件")
    page.click("#apply-submit")
    expect(page.locator("#application-state")).to_have_text("草稿")
    page.click("#act-submit")
    expect(page.locator("#application-state")).to_have_text("工作站预审")
    application_url = page.url

    for user, day, action, state in (("r01", d(2025, 7, 3), "pass", "区县审核"),
                                     ("m02", d(2025, 7, 10), "pass", "市级决定"),
                                     ("city", d(2025, 7, 16), "approve", "公示中")):
        clock.day = day
        as_user(page, user)
        page.goto(application_url)
        page.fill("#act-comment", "同意")
        page.click(f"#act-{action}")
        expect(page.locator("#application-state")).to_have_text(state)

    application = Application.get()
    page.context.clear_cookies()  # the notice needs no login
    page.goto("/notice/")
    expect(page.locator(f"#notice-{application.id}")).to_contain_text("丁调解员")
    expect(page.locator(f"#notice-{application.id}")).to_contain_text("2025-07-23")

    clock.day = d(2025, 7, 18)
    as_user(page, "t02")
    page.goto("/notice/")
    page.fill(f"#object-reason-{application.id}", "办案数量存疑")
    page.click(f"#object-submit-{application.id}")
    expect(page.locator(".alert")).to_contain_text("异议已提交")

    as_user(page, "city")
    page.goto(application_url)
    expect(page.locator("#application-state")).to_have_text("异议处理中")
    objection = Objection.get()
    page.fill(f"#answer-{objection.id}", "经核实无误")
    page.click(f"#dismiss-{objection.id}")
    expect(page.locator("#application-state")).to_have_text("公示中")

    clock.day = d(2025, 7, 25)
    page.goto(round_url)
    page.click("#step-close_notices")
    expect(page.locator(f"#application-{application.id} .application-state")).to_have_text(
        "已批准")
    clock.day = d(2025, 9, 1)
    page.click("#step-take_effect")
    expect(page.locator(f"#application-{application.id} .application-state")).to_have_text(
        "已生效")

    as_user(page, "e010")
    page.goto("/admin/")
    expect(page.locator("#my-grade-current")).to_have_text("二级")
    expect(page.locator("#my-grade-since")).to_contain_text("2025-09-01")
    expect(page.locator("#grade-history")).to_contain_text("晋升")


def test_grade_pages_draw_without_errors(page, round_world):  # noqa: F811
    """The charts, the ladder and a grade history page: no script error, no CSP violation
    (the page fixture fails on either), every chart drawn, a bar click drills down."""
    as_user(page, "city")
    page.goto("/admin/promotion-charts/")
    expect(page.locator("#chart-distribution[data-ready='1']")).to_be_visible()
    expect(page.locator("#chart-rounds[data-ready='1']")).to_be_visible()
    page.click("#table-distribution a.drill >> nth=0")
    expect(page.locator("#charts-title")).to_contain_text("市南区工作站")
    page.goto("/admin/ladder/")
    expect(page.locator("#ladder-table")).to_contain_text("四级")
    page.goto(f"/admin/grades/{round_world['e10'].id}/")
    expect(page.locator("#grade-current")).to_contain_text("三级")
