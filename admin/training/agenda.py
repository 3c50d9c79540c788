"""培训日历: month grid and week view of the sessions the caller may see (training.agenda decides
which), the working calendar's holidays and 调休 days marked, cancelled sessions struck through,
prev / next / today, the .ics subscription link. Server-rendered; on a phone each day is a list."""
from __future__ import annotations

import datetime as dt

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user

from network.dates import local_today
from org.models import ADMIN, MANAGER, MEDIATOR, TRAINER
from training import agenda
from training.models import CANCELLED, ENROLMENT_STATUSES

from ..views.base import Page, current_scope

MONTH, WEEK = "month", "week"


def chosen_day() -> dt.date:
    text = (request.args.get("day") or "").strip()
    if not text:
        return local_today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 1901 <= day.year <= 2999:
        abort(400, gettext("日期格式应为 YYYY-MM-DD"))
    return day


def shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class AgendaView(Page):
    roles = (ADMIN, MANAGER, TRAINER, MEDIATOR)

    @expose("/")
    def index(self):
        view = request.args.get("view") or MONTH
        if view not in (MONTH, WEEK):
            abort(400, gettext("视图应为 month 或 week"))
        day = chosen_day()
        if view == MONTH:
            weeks = agenda.month_weeks(day.year, day.month)
            prev_day, next_day = shift_month(day, -1), shift_month(day, 1)
        else:
            weeks = [agenda.week_days(day)]
            prev_day, next_day = day - dt.timedelta(days=7), day + dt.timedelta(days=7)
        start, end = weeks[0][0], weeks[-1][-1]
        mine = current_user.role == MEDIATOR
        if mine:
            if current_user.mediator is None:
                abort(403)
            sessions, statuses = agenda.mediator_sessions(current_user.mediator, start, end)
        else:
            sessions, statuses = agenda.staff_sessions(current_scope(), start, end), {}
        return self.render("training/agenda.html", view=view, day=day, weeks=weeks,
                           by_day=agenda.by_day(sessions, start, end), marks=agenda.day_marks(start, end),
                           statuses=statuses, labels=ENROLMENT_STATUSES, mine=mine, prev_day=prev_day,
                           next_day=next_day, cancelled=CANCELLED, link=self.link,
                           today=local_today())

    def link(self, session) -> str:
        """Staff open the session's page; a mediator acts on their home panel."""
        if current_user.role == MEDIATOR:
            return url_for("admin.index")
        return url_for("training_sessions.details_view", id=session.id)
