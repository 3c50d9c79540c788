"""必修 sessions are flagged wherever a session is listed (session list, 报名管理, calendar,
homes, .ics) and are not offered to mediators for self sign-up in their calendar either."""
from __future__ import annotations

import datetime as dt
import re

import icalendar

from network.dates import local_today
from training.enrolment import enrol_many

CAL = "/admin/training/calendar/"


def future(days: int, hour: int = 9) -> str:
    return (local_today() + dt.timedelta(days=days)).strftime(f"%Y-%m-%d {hour:02d}:00")


def flagged(page: str, code: str) -> bool:
    """Is the 必修 badge right after this session's code (before the next session's)?"""
    tail = page.split(code, 1)[1]
    badge = tail.find('class="badge badge-danger mandatory"')
    return badge != -1 and not re.search(r"data-code=|<tr>|<li>", tail[:badge])


def test_mandatory_is_flagged_for_the_coordinator(people, network, auth, make_session):
    must = make_session(code="MUST", host=network["shinan"], mandatory=True,
                        start="2030-03-04 09:00", end="2030-03-04 12:00")
    make_session(code="FREE", host=network["shinan"], start="2030-03-05 09:00",
                 end="2030-03-05 12:00")
    auth.login("t02")
    listing = auth.client.get("/admin/training/sessions/").get_data(as_text=True)
    assert flagged(listing, ">MUST<") and not flagged(listing, ">FREE<")
    calendar = auth.client.get(f"{CAL}?day=2030-03-04").get_data(as_text=True)
    assert flagged(calendar, 'data-code="MUST"') and not flagged(calendar, 'data-code="FREE"')
    page = auth.client.get(f"/admin/training/enrolment/?session={must.id}").get_data(
        as_text=True)
    assert "必修</span></h3>" in page


def test_mediator_calendar_and_ics_of_a_mandatory_session(people, network, auth, app,
                                                          make_session):
    from org.models import User
    from training.feeds import create_feed

    must = make_session(code="MUST", host=network["shinan"], mandatory=True, status="open",
                        start=future(3), end=future(3, 12))
    make_session(code="FREE", host=network["shinan"], status="open", start=future(3),
                 end=future(3, 12))
    auth.login("med1")
    day = future(3)[:10]
    page = auth.client.get(f"{CAL}?day={day}").get_data(as_text=True)
    found = set(re.findall(r'data-code="([^"]+)"', page))
    assert "FREE" in found and "MUST" not in found  # not offered for self sign-up
    enrol_many(must, [people["m1"]], actor="t", scope=None)
    page = auth.client.get(f"{CAL}?day={day}").get_data(as_text=True)
    assert flagged(page, 'data-code="MUST"')
    feed = create_feed(User.get(User.username == "med1"))
    events = icalendar.Calendar.from_ical(app.test_client().get(
        f"/feeds/{feed.token}.ics").data).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["【必修】调解技巧（MUST）"]
