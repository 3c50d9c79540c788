"""The demo's training year: the coordinator and mediator logins find sessions, hours,
certificates and requests on a first start, made through the training services, once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from admin.demo import load_demo
from admin.demo_training import held_days, this_week_day
from network.dates import SHANGHAI
from org.models import Mediator
from training.approvals import pending_sign_ups
from training.hours import credited_hours
from training.models import FINISHED, OPEN, PRE_SERVICE, Attendance, Certificate, Session
from training.workcalendar import is_workday


def test_demo_holds_a_training_year_for_the_coordinator_and_the_mediator(database):
    load_demo()
    sessions = list(Session.select().order_by(Session.code))
    # six held (HELD), this week's, one ahead
    assert [s.status for s in sessions] == [FINISHED] * 6 + [OPEN] * 2
    assert all(is_workday(s.start_day) for s in sessions)
    first = Mediator.get(Mediator.staff_no == "M0001")
    # by hand from HELD: M0001 was at 岗前培训（一） (6 h, pre-service) and 金融纠纷调解实务 (8 h),
    # present at both (the dice are not rolled for the mediator login)
    assert Attendance.select().where(Attendance.mediator == first.id).count() == 2
    assert credited_hours([first.id], None, None)[first.id] == Decimal("14")
    assert credited_hours([first.id], None, None, [PRE_SERVICE])[first.id] == Decimal("6")
    assert Certificate.select().where(Certificate.mediator == first.id).count() == 2
    # two sign-ups wait for the coordinator, at the session that needs approval
    pending = list(pending_sign_ups(None))
    assert len(pending) == 2 and {p.session.needs_approval for p in pending} == {True}
    # this week's session lies in this week (Monday to Sunday)
    week = Session.get(Session.code.endswith("-07")).start_day
    today = dt.datetime.now(SHANGHAI).date()
    assert week - dt.timedelta(days=week.weekday()) == today - dt.timedelta(days=today.weekday())

    before = (Session.select().count(), Attendance.select().count())
    load_demo()  # a second run adds nothing
    assert (Session.select().count(), Attendance.select().count()) == before


def test_held_days_are_this_years_working_days_one_a_day(database):  # the work calendar
    for today in (dt.date(2026, 12, 5), dt.date(2026, 2, 14), dt.date(2026, 6, 30)):
        days = held_days(today)
        assert all(a < b for a, b in zip(days, days[1:], strict=False)), days  # one a day
        assert all(d.year == today.year and is_workday(d) and d < today for d in days), today
    # in January there is no room this year: the last three months instead
    january = held_days(dt.date(2026, 1, 20))
    assert january[0] >= dt.date(2026, 1, 20) - dt.timedelta(days=90)
    assert all(is_workday(d) and d < dt.date(2026, 1, 20) for d in january)


def test_this_weeks_session_day_is_a_working_day_of_the_week(database):
    # Saturday 2026-12-05: no working day left this week, so Friday the 4th
    assert this_week_day(dt.date(2026, 12, 5)) == dt.date(2026, 12, 4)
    # Wednesday 2026-12-02: that day itself
    assert this_week_day(dt.date(2026, 12, 2)) == dt.date(2026, 12, 2)
    # Sunday 2026-10-04, the end of a week whose Thursday to Sunday are the National Day
    # holiday (1-7 October): the week's last working day, Wednesday 30 September
    assert this_week_day(dt.date(2026, 10, 4)) == dt.date(2026, 9, 30)
