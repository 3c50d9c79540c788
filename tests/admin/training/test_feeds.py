"""日历订阅: private .ics feeds per account and per organisation, parsed back with icalendar;
revoking a token kills its URL; a coordinator cannot subscribe to another district."""
from __future__ import annotations

import datetime as dt
import re

import icalendar

from network.dates import local_today
from training.models import CalendarFeed

URL = "/admin/training/feeds/"


def future(days: int, hour: int = 9) -> str:
    return (local_today() + dt.timedelta(days=days)).strftime(f"%Y-%m-%d {hour:02d}:00")


def feed_path(page: str) -> str:
    return re.findall(r'<code class="feed-url">http://localhost(/feeds/[^<]+)</code>', page)[-1]


def events(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}, calendar


def test_organisation_feed_and_revocation(people, network, auth, app, make_session):
    make_session(code="QD02-A", host=network["room1"], start=future(3), end=future(3, 11))
    make_session(code="HD-A", host=network["room3"], start=future(3), end=future(3, 11))
    auth.login("t02")
    assert auth.post(URL, {"org": "QD-02"}).status_code == 302
    path = feed_path(auth.client.get(URL).get_data(as_text=True))
    outsider = app.test_client()  # no login: the token is the key
    found, calendar = events(outsider, path)
    assert list(found) == ["调解技巧（QD02-A）"]
    event = found["调解技巧（QD02-A）"]
    assert str(event["dtstart"].params["TZID"]) == "Asia/Shanghai"
    assert event.decoded("dtstart").strftime("%H:%M") == "09:00"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    feed = CalendarFeed.get()
    auth.post(f"{URL}revoke/", {"feed": feed.id})
    assert outsider.get(path).status_code == 404


def test_mediator_feed_holds_own_sessions(people, network, auth, app, make_session):
    from training.enrolment import enrol_many

    mine = make_session(code="MINE", host=network["shinan"], start=future(2), end=future(2, 10))
    make_session(code="NOTMINE", host=network["shinan"], start=future(2), end=future(2, 10))
    enrol_many(mine, [people["m1"]], actor="t", scope=None)
    # a full session: M001 waits for a place there (tentative in the calendar)
    full = make_session(code="FULL", host=network["shinan"], start=future(4),
                        end=future(4, 10), capacity=1)
    enrol_many(full, [people["m2"], people["m1"]], actor="t", scope=None)
    auth.login("med1")
    auth.post(URL, {})
    found, _ = events(app.test_client(), feed_path(auth.client.get(URL).get_data(as_text=True)))
    assert sorted(found) == ["调解技巧（FULL）", "调解技巧（MINE）"]
    assert {name: str(e["status"]) for name, e in found.items()} == {
        "调解技巧（MINE）": "CONFIRMED", "调解技巧（FULL）": "TENTATIVE"}
    assert auth.post(URL, {"org": "QD-02"}).status_code == 403


def test_other_district_and_other_accounts_feeds_are_refused(people, network, auth):
    from org.models import User
    from training.feeds import create_feed

    theirs = create_feed(User.get(User.username == "t11"), network["huangdao"])
    auth.login("t02")
    assert auth.post(URL, {"org": "QD-11"}).status_code == 404
    assert auth.post(URL, {"org": "QD"}).status_code == 404
    assert auth.post(f"{URL}revoke/", {"feed": theirs.id}).status_code == 404
    assert CalendarFeed.get_by_id(theirs.id).revoked_at is None
    assert theirs.token not in auth.client.get(URL).get_data(as_text=True)
    assert CalendarFeed.select().count() == 1


def test_disabled_account_feed_answers_like_a_revoked_one(people, network, auth, app,
                                                          make_session):
    from org.models import User
    from training.enrolment import enrol_many
    from training.feeds import create_feed, revoke_feed

    mine = make_session(code="MINE", host=network["shinan"], start=future(2), end=future(2, 10))
    enrol_many(mine, [people["m1"]], actor="t", scope=None)
    owner = User.get(User.username == "med1")
    feed = create_feed(owner)
    revoked = create_feed(User.get(User.username == "t02"), network["shinan"])
    revoke_feed(revoked)
    client = app.test_client()
    path = f"/feeds/{feed.token}.ics"
    found, _ = events(client, path)
    assert list(found) == ["调解技巧（MINE）"]
    User.update(active=False).where(User.id == owner.id).execute()
    refused = client.get(path)
    gone = client.get(f"/feeds/{revoked.token}.ics")
    assert refused.status_code == gone.status_code == 404
    assert refused.get_data() == gone.get_data().replace(revoked.token.encode(),
                                                         feed.token.encode())
    User.update(active=True).where(User.id == owner.id).execute()
    assert client.get(path).status_code == 200
