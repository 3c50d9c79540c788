"""Training in a real browser: the coordinator's day (create a session → enrol → mark
attendance → issue a certificate, checked on the public verification page) and a mediator's
sign-up from the home page. Any CSP violation or JS error fails the test (conftest)."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from network.dates import local_today
from tests.conftest import PASSWORD
from tests.training.conftest import make_session, training_ref  # noqa: F401

from .conftest import log_in


@pytest.fixture
def staff(network, make_mediator, make_user):
    from network.db import db
    from training.reference import seed

    seed(db.obj)
    m1 = make_mediator(network["room1"], staff_no="M001", name="王一")
    make_mediator(network["room2"], staff_no="M002", name="王二")
    make_user("t02", role="trainer", organization=network["shinan"])
    make_user("med1", role="mediator", mediator=m1)
    return {"m1": m1}


def set_value(page, selector: str, value: str) -> None:
    """Fields Flask-Admin decorates with select2 (a hidden input or select underneath)."""
    page.eval_on_selector(selector, "(e, v) => { e.value = v; }", value)


def test_coordinators_day(page, staff, network):
    from training.models import TrainingKind

    log_in(page, "t02", PASSWORD)
    page.goto("/admin/training/sessions/new/")
    page.fill("#code", "QD02-B1")
    page.fill("#course", "调解技巧")
    set_value(page, "#kind", str(TrainingKind.get(TrainingKind.code == "annual").id))
    set_value(page, "#host", str(network["shinan"].id))
    page.fill("#venue", "市南会议室")
    page.fill("#start", "2026-03-02 09:00")
    page.fill("#end", "2026-03-02 12:00")
    page.fill("#hours", "3")
    page.fill("#capacity", "1")
    page.click("input[type=submit][value='保存'], button[type=submit]:has-text('保存')")
    expect(page.locator("table.model-list")).to_contain_text("QD02-B1")
    page.click("text=QD02-B1")
    page.click("#session-actions >> text=报名管理")
    page.select_option("#mode", "org")
    page.fill("#org", "QD-02")
    page.click("#enrol-form button[type=submit]")
    expect(page.locator("#seats-left")).to_have_text("0")
    expect(page.locator("#enrolled")).to_contain_text("M001")
    expect(page.locator("#waitlist")).to_contain_text("M002")
    page.click("text=场次详情")
    page.click("#session-actions >> text=出勤登记")
    row = page.locator('tr[data-staff="M001"]')
    row.locator("select").select_option("late")
    row.locator("input").fill("100")
    page.click("#attendance-form button[type=submit]")
    expect(page.locator('tr[data-staff="M001"] .credited')).to_have_text("1.5")
    # 1.5 of 3 学时 is not a completed course: no certificate until every 学时 is credited
    page.click("text=场次详情")
    page.click("#session-actions >> text=发放证书")
    expect(page.locator("#issue-form")).to_have_count(0)
    page.click("text=场次详情")
    page.click("#session-actions >> text=出勤登记")
    row = page.locator('tr[data-staff="M001"]')
    row.locator("select").select_option("present")
    row.locator("input").fill("")
    page.click("#attendance-form button[type=submit]")
    expect(page.locator('tr[data-staff="M001"] .credited')).to_have_text("3.0")
    page.click("text=场次详情")
    page.click("#session-actions >> text=发放证书")
    page.click("#issue-form button[type=submit]")
    expect(page.locator("table.model-list")).to_contain_text("王一")
    from training.models import Certificate

    serial = Certificate.get().serial
    page.goto(f"/verify/{serial}")
    expect(page.locator("#verify-status")).to_have_attribute("data-status", "valid")


def test_mediator_signs_up_from_home(page, staff, network):
    from training.sessions import create_session

    day = (local_today() + dt.timedelta(days=10)).isoformat()
    create_session({"code": "OPEN-1", "course": "金融法规", "kind": "年度培训",
                    "host": network["shinan"], "start": f"{day} 09:00", "end": f"{day} 11:00",
                    "hours": "2", "capacity": 5, "status": "open"}, actor="t", scope=None)
    log_in(page, "med1", PASSWORD)
    offer = page.locator("#open-sessions li", has_text="OPEN-1")
    offer.locator("button[type=submit]").click()
    expect(page.locator("#my-sessions")).to_contain_text("OPEN-1")
    expect(page.locator("#open-sessions")).not_to_contain_text("OPEN-1")


def test_calendar_month_next_month_week_and_phone(page, staff, network,
                                                   make_session):  # noqa: F811
    from training.models import CANCELLED, Session

    make_session(code="C1", host=network["shinan"], start="2030-03-04 09:00",
                 end="2030-03-04 12:00")
    april = make_session(code="C2", host=network["shinan"], start="2030-04-10 09:00",
                         end="2030-04-10 12:00")
    Session.update(status=CANCELLED).where(Session.id == april.id).execute()
    make_session(code="H9", host=network["huangdao"], start="2030-04-11 09:00",
                 end="2030-04-11 12:00")
    log_in(page, "t02", PASSWORD)
    page.goto("/admin/training/calendar/?day=2030-03-15")
    expect(page.locator("#agenda-title")).to_have_text("2030-03")
    expect(page.locator('#agenda-grid [data-code="C1"]')).to_be_visible()
    page.click("#agenda-next")
    expect(page.locator("#agenda-title")).to_have_text("2030-04")
    expect(page.locator('#agenda-grid [data-code="C2"] s')).to_be_visible()  # struck through
    expect(page.locator('[data-code="H9"]')).to_have_count(0)  # the neighbour county
    page.click("#agenda-week")
    expect(page.locator("#agenda-title")).to_have_text("2030-04-01 – 2030-04-07")
    page.click("#agenda-next")
    expect(page.locator("#agenda-title")).to_have_text("2030-04-08 – 2030-04-14")
    page.click('#agenda-grid [data-code="C2"]')
    expect(page).to_have_url(f"{page.url.split('/admin')[0]}/admin/training/sessions/details/"
                             f"?id={april.id}")
    # a phone: the grid gives way to a list per day
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/admin/training/calendar/?day=2030-04-10")
    expect(page.locator("#agenda-grid")).to_be_hidden()
    expect(page.locator('#agenda-list [data-code="C2"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_mediator_withdraws_after_confirming(page, staff, network):
    """The 取消报名 button asks first (confirm.js): dismissed, nothing is sent; accepted, the
    place is given up, the session moves to 已取消的场次 and M002, first in line, is offered the
    seat with a notice."""
    from org.models import Mediator
    from training.enrolment import enrol_many
    from training.models import OFFERED, WITHDRAWN, Enrolment
    from training.sessions import create_session

    day = (local_today() + dt.timedelta(days=10)).isoformat()
    session = create_session({"code": "ONE-1", "course": "金融法规", "kind": "年度培训",
                              "host": network["shinan"], "start": f"{day} 09:00",
                              "end": f"{day} 11:00", "hours": "2", "capacity": 1},
                             actor="t", scope=None)
    second = Mediator.get(Mediator.staff_no == "M002")
    enrol_many(session, [staff["m1"], second], actor="t", scope=None)  # M002 waits
    log_in(page, "med1", PASSWORD)
    page.wait_for_load_state("load")  # confirm.js listens once the page's scripts have run
    row = page.locator("#my-sessions li", has_text="ONE-1")
    answers, asked = iter([False, True]), []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    row.locator("button[type=submit]").click()
    page.wait_for_timeout(500)  # a submit that was not stopped would be under way by now
    assert asked == ["确定取消报名场次「ONE-1」吗？"]
    expect(page.locator("#my-sessions")).to_contain_text("ONE-1")
    assert Enrolment.get(Enrolment.mediator == staff["m1"].id).status != WITHDRAWN
    row.locator("button[type=submit]").click()
    expect(page.locator("#my-cancelled")).to_contain_text("ONE-1")
    expect(page.locator("#my-sessions")).not_to_contain_text("ONE-1")
    assert Enrolment.get(Enrolment.mediator == second.id).status == OFFERED


def test_admin_edits_calendar_and_requirements(page, staff, make_user):
    """The system administrator enters next year's New Year holiday (2027 has no official data:
    261 weekdays, 260 working days after it) and a 四级 requirement, through the menu's pages;
    removing the grade's row asks first."""
    from training.models import WorkDay
    from training.requirements import requirement

    make_user("root", role="admin")
    log_in(page, "root", PASSWORD)
    page.goto("/admin/training/workdays/?year=2027")
    expect(page.locator("#workday-count")).to_have_text("2027 年共 261 个工作日")
    page.fill("#day", "2027-01-01")
    page.select_option("#is_workday", "0")
    page.fill("#name", "元旦")
    page.click("#day-save")
    expect(page.locator("#workdays tr[data-day='2027-01-01']")).to_contain_text("元旦")
    expect(page.locator("#workday-count")).to_have_text("2027 年共 260 个工作日")
    assert WorkDay.get(WorkDay.day == dt.date(2027, 1, 1)).source == "manual"

    page.goto("/admin/training/requirements/")
    page.select_option("#kind", "annual")
    page.select_option("#grade", "4")
    page.fill("#hours", "12")
    page.click("#requirement-save")
    row = page.locator("#requirements tr[data-grade='4']")
    expect(row.locator(".hours")).to_have_text("12.0")
    page.wait_for_load_state("load")  # confirm.js listens once the page's scripts have run
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.locator("button.remove-requirement").click()
    expect(page.locator("#requirements tr[data-grade='4']")).to_have_count(0)
    assert asked == ["删除后该等级按默认要求计算，确定删除？"]
    assert requirement("annual", "4") == requirement("annual")
