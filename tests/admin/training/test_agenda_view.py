"""培训日历: a county coordinator sees their county's sessions and not the neighbour's, a manager
reads theirs, a mediator only their own and the open ones they may sign up for; holidays and
调休 days marked, cancelled sessions struck through, month and week navigation."""
from __future__ import annotations

import datetime as dt

import pytest

from training.enrolment import enrol_many
from training.models import CANCELLED, Session, SessionAudience, WorkDay

URL = "/admin/training/calendar/"


def as_user(auth, username):
    auth.client.delete_cookie("session")  # a fresh browser for the next user
    auth.login(username)


def codes(page: str) -> set[str]:
    import re
    return set(re.findall(r'data-code="([^"]+)"', page))


@pytest.fixture
def plan(people, network, make_session):
    s1 = make_session(code="S1", host=network["shinan"], start="2030-03-04 09:00",
                      end="2030-03-04 12:00")
    s2 = make_session(code="S2", host=network["shinan"], start="2030-03-12 09:00",
                      end="2030-03-12 12:00")
    Session.update(status=CANCELLED).where(Session.id == s2.id).execute()
    make_session(code="S3", host=network["shinan"], start="2030-03-13 09:00",
                 end="2030-03-13 12:00")
    make_session(code="H1", host=network["huangdao"], start="2030-03-05 09:00",
                 end="2030-03-05 12:00")
    make_session(code="O1", host=network["city"], start="2030-03-20 09:00",
                 end="2030-03-20 12:00", status="open", enrol_deadline="2030-03-19 18:00")
    o2 = make_session(code="O2", host=network["huangdao"], start="2030-03-21 09:00",
                      end="2030-03-21 12:00", status="open", enrol_deadline="2030-03-19 18:00")
    SessionAudience.create(session=o2, organization=network["huangdao"])
    make_session(code="A1", host=network["shinan"], start="2030-04-02 09:00",
                 end="2030-04-02 12:00")
    enrol_many(s1, [people["m1"]], actor="t", scope=None)
    WorkDay.create(day=dt.date(2030, 3, 6), is_workday=False, name="测试假日")
    WorkDay.create(day=dt.date(2030, 3, 9), is_workday=True, name="调休上班日")
    return {"s1": s1, "s2": s2}


def test_coordinator_sees_their_county_not_the_neighbour(plan, auth):
    auth.login("t02")
    page = auth.client.get(f"{URL}?day=2030-03-15").get_data(as_text=True)
    assert codes(page) == {"S1", "S2", "S3"}
    assert "<s>" in page.split('data-code="S2"')[1].split("</a>")[0]  # cancelled: struck through
    assert "<s>" not in page.split('data-code="S1"')[1].split("</a>")[0]
    assert "测试假日" in page and "调休上班日" in page
    assert f"/admin/training/sessions/details/?id={plan['s1'].id}" in page
    assert 'id="agenda-feed"' in page
    as_user(auth, "t11")
    assert codes(auth.client.get(f"{URL}?day=2030-03-15").get_data(as_text=True)) == {"H1", "O2"}


def test_manager_reads_their_scope_and_admin_everything(plan, auth):
    auth.login("mgr02")
    assert codes(auth.client.get(f"{URL}?day=2030-03-01").get_data(as_text=True)) == {
        "S1", "S2", "S3"}
    as_user(auth, "admin1")
    assert codes(auth.client.get(f"{URL}?day=2030-03-01").get_data(as_text=True)) == {
        "S1", "S2", "S3", "H1", "O1", "O2"}


def test_mediator_sees_own_and_open_only(plan, auth):
    auth.login("med1")
    page = auth.client.get(f"{URL}?day=2030-03-01").get_data(as_text=True)
    # S1 enrolled; O1 open to everyone; O2 only for 黄岛; S3 not open; H1 another county
    assert codes(page) == {"S1", "O1"}
    assert "已报名" in page
    as_user(auth, "med3")
    assert codes(auth.client.get(f"{URL}?day=2030-03-01").get_data(as_text=True)) == {
        "O1", "O2"}


def test_week_view_and_navigation(plan, auth):
    auth.login("t02")
    week = auth.client.get(f"{URL}?view=week&day=2030-03-13").get_data(as_text=True)
    assert codes(week) == {"S2", "S3"}  # Monday 03-11 to Sunday 03-17
    assert "?view=week&amp;day=2030-03-06" in week and "?view=week&amp;day=2030-03-20" in week
    month = auth.client.get(f"{URL}?day=2030-03-31").get_data(as_text=True)
    assert "?view=month&amp;day=2030-04-01" in month and "?view=month&amp;day=2030-02-01" in month
    # the grid shows whole weeks: 2030-04-01 is a Monday, so April's first row is not in March's
    assert codes(auth.client.get(f"{URL}?day=2030-04-01").get_data(as_text=True)) == {"A1"}


def test_today_is_marked_on_the_default_page_only(plan, auth):
    import re

    from network.dates import local_today

    auth.login("t02")
    today = local_today().isoformat()
    page = auth.client.get(URL).get_data(as_text=True)
    assert re.findall(r'aria-current="date" data-day="([0-9-]+)"', page) == [today]
    elsewhere = auth.client.get(f"{URL}?day=2030-03-13").get_data(as_text=True)
    assert 'aria-current="date"' not in elsewhere


def test_bad_input_and_refusals(plan, auth):
    auth.login("t02")
    response = auth.client.get(f"{URL}?day=2030-13-01")
    assert response.status_code == 400
    # the portal's page with the view's reason, not the server's bare English one
    page = response.get_data(as_text=True)
    assert "日期格式应为 YYYY-MM-DD" in page and 'lang="zh-CN"' in page
    assert "Bad Request" not in page and "返回首页" in page
    assert auth.client.get(f"{URL}?view=year").status_code == 400
    auth.client.get("/lang/en")
    page = auth.client.get(f"{URL}?view=year").get_data(as_text=True)
    assert 'lang="en"' in page and "Bad Request" not in page
    assert auth.client.get(URL).status_code == 200  # today


def test_a_multi_day_session_is_on_each_of_its_days(people, network, auth, make_session):
    make_session(code="D2", host=network["shinan"], start="", end="",
                 dates="2030-03-29 09:00-12:00\n2030-04-01 14:00-16:00")
    auth.login("t02")
    page = auth.client.get(f"{URL}?day=2030-04-10").get_data(as_text=True)
    import re
    cells = re.findall(r'data-day="([0-9-]+)"[^>]*>\s*<div class="small">[^<]*(?:<span[^>]*>[^<]*</span>)?\s*</div>\s*'
                       r'<a class="agenda-session[^"]*"\s*data-code="D2" data-part="([0-9/]+)"', page)
    # April's grid begins on Monday 2030-04-01; the first day (03-29) is March's
    assert cells == [("2030-04-01", "2/2")]
    march = auth.client.get(f"{URL}?day=2030-03-10").get_data(as_text=True)
    assert re.findall(r'data-code="D2" data-part="([0-9/]+)"', march)[:1] == ["1/2"]
