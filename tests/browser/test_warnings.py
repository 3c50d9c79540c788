"""The 预警 page in a browser: the surge rule's minimum volume set on the settings page, the
filters, the sort by severity, and bulk acknowledgement (tick two, one note, they leave the
open list), at desk and phone width.

The page judges the ledger as of today, so the fixture counts back from today. L is the first
day of last month (the surge rule's month), its base the six months before:
- room1 (QD-02-01): received (and withdrew) one case on the 5th of L−2, L−3 and L−4 months
  (base 3, average 0.50) and two in L (L+4, L+9 days): 2 > 2 × 0.50, but below the default
  minimum volume (10). QD-02 holds the same figures (room1 is all it has); the city centre
  is not judged (warnings are for stations: level 2 and below).
- room2 (QD-02-02) never received a case                       → quiet, severity 2.0
- room3 (QD-11-01): OLD-2 open since today − 250 days          → open_case, 250 / 60 = 4.17;
  room3 and QD-11 received nothing since (older than 3 months) → quiet, severity 1.0 each
With the minimum lowered to 2: surges at room1 and QD-02, each 2 / (0.50 × 2) = 2.0.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from network.dates import add_months, local_today
from tests.conftest import PASSWORD

from .conftest import log_in

DESK, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
QUIET_ROOM2 = "quiet:QD-02-02:none"


def days_back() -> SimpleNamespace:
    """Counted from the day the test runs, not the day it was collected: a suite may cross
    midnight in between."""
    today = local_today()
    L = add_months(today.replace(day=1), -1)
    OLD = today - dt.timedelta(days=250)
    return SimpleNamespace(L=L, OLD=OLD,
                           SURGES={f"surge:{code}:{L:%Y-%m}" for code in ("QD-02-01", "QD-02")},
                           QUIET_HUANGDAO={f"quiet:QD-11-01:{OLD}", f"quiet:QD-11:{OLD}"})


@pytest.fixture
def alarms(network, make_mediator, make_case, make_user):
    d = days_back()
    m1 = make_mediator(network["room1"])
    m3 = make_mediator(network["room3"])
    days = [add_months(d.L, -n).replace(day=5) for n in (2, 3, 4)]
    days += [d.L + dt.timedelta(days=4), d.L + dt.timedelta(days=9)]
    for day in days:
        make_case(network["room1"], m1, day, day, "撤回")
    make_case(network["room3"], m3, d.OLD, case_no="OLD-2")
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    return d


def keys(page) -> list[str]:
    return page.locator("tr[data-key]").evaluate_all("rows => rows.map(r => r.dataset.key)")


def test_surge_needs_the_minimum_volume_set_on_the_settings_page(page, alarms):
    d = alarms
    log_in(page, "root", PASSWORD)
    page.goto("/admin/warnings/")
    expect(page.locator('#warning-counts [data-kind="surge"]')).to_have_text("0")
    assert set(keys(page)) == {QUIET_ROOM2, *d.QUIET_HUANGDAO, "open_case:OLD-2"}

    page.goto("/admin/settings/")
    field = page.locator('tr[data-key="warn.surge_min_received"] input')
    expect(field).to_have_value("10")
    field.fill("2")
    page.click("#settings-save")
    expect(page.locator('tr[data-key="warn.surge_min_received"] .current')).to_have_text("2")

    page.goto("/admin/warnings/")
    expect(page.locator('#warning-counts [data-kind="surge"]')).to_have_text("2")
    assert set(keys(page)) == {QUIET_ROOM2, *d.QUIET_HUANGDAO, "open_case:OLD-2", *d.SURGES}
    expect(page.locator(f'tr[data-key="surge:QD-02-01:{d.L:%Y-%m}"]')).to_contain_text(
        f"{d.L:%Y-%m}受理2件，前六个月月均0.50件，超过2倍")


@pytest.fixture
def min_two(alarms):
    from network.settings import update_settings

    update_settings({"warn.surge_min_received": 2}, actor="test")
    return alarms


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1440", "390"])
def test_filters_and_sort_by_severity(page, min_two, viewport):
    page.set_viewport_size(viewport)
    d = min_two
    log_in(page, "root", PASSWORD)
    page.goto("/admin/warnings/")
    page.select_option("#f-kind", "quiet")
    page.click("#filter-submit")
    page.wait_for_url("**/admin/warnings/?kind=quiet*")
    assert set(keys(page)) == {QUIET_ROOM2, *d.QUIET_HUANGDAO}

    page.select_option("#f-kind", "")
    page.fill("#f-org", "QD-11")
    page.click("#filter-submit")
    page.wait_for_url("**org=QD-11*")
    assert set(keys(page)) == {*d.QUIET_HUANGDAO, "open_case:OLD-2"}

    page.fill("#f-org", "")
    page.select_option("#f-sort", "severity")
    page.click("#filter-submit")
    page.wait_for_url("**sort=severity*")
    order = keys(page)
    assert order[0] == "open_case:OLD-2"                          # 4.17
    assert set(order[1:4]) == {QUIET_ROOM2, *d.SURGES}            # 2.0 each
    assert set(order[4:]) == d.QUIET_HUANGDAO                     # 1.0 each
    expect(page.locator("#f-sort")).to_have_value("severity")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1440", "390"])
def test_bulk_acknowledge_two_with_a_note(page, min_two, viewport):
    page.set_viewport_size(viewport)
    d = min_two
    log_in(page, "m02", PASSWORD)
    page.goto("/admin/warnings/")
    room1, county = f"surge:QD-02-01:{d.L:%Y-%m}", f"surge:QD-02:{d.L:%Y-%m}"
    assert set(keys(page)) == {QUIET_ROOM2, room1, county}  # nothing of 黄岛 or the city

    page.click("#bulk-submit")  # nothing ticked: said, nothing stored
    expect(page.locator(".alert")).to_contain_text("请先勾选要确认的预警")
    for key in (room1, county):
        page.locator(f'tr[data-key="{key}"] input.bulk-key').check()
    page.click("#bulk-submit")  # no note: refused, both still open
    expect(page.locator(".alert")).to_contain_text("请填写处理说明")
    assert set(keys(page)) == {QUIET_ROOM2, room1, county}

    for key in (room1, county):
        page.locator(f'tr[data-key="{key}"] input.bulk-key').check()
    page.fill("#bulk-comment", "已电话核实，系集中受理")
    page.click("#bulk-submit")
    expect(page.locator(".alert-success")).to_contain_text("已确认2条预警")
    assert keys(page) == [QUIET_ROOM2]
    expect(page.locator('#warning-counts [data-kind="surge"]')).to_have_text("0")

    page.click("#toggle-acked")
    acked = page.locator("#acked-table")
    expect(acked.locator("tr[data-key]")).to_have_count(2)
    expect(acked.locator(".ack-comment")).to_have_text(["已电话核实，系集中受理"] * 2)
    expect(acked).to_contain_text("m02")
