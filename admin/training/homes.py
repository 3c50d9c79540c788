"""The training panels of the home page: the coordinator's (this week, seats, waitlists,
attendance not yet recorded, coverage and at-risk count of their scope this year) and the
mediator's (unread notices, next sessions with .ics, sessions cancelled or given up, hours
against the requirement, certificates, offers to answer before their deadline, sessions open
for sign-up, feedback on attended sessions)."""
from __future__ import annotations

import datetime as dt

from network.dates import SHANGHAI
from org.models import ADMIN, MANAGER, MEDIATOR, TRAINER
from training.approvals import pending_sign_ups
from training.homes import coordinator_home, mediator_home
from training.models import ENROLMENT_STATUSES, OFFERED, WITHDRAWN, Attendance, Feedback, Session
from training.notices import unread

from ..forms import CSRFForm, tr
from ..views.home import Panel, add_panel


def _now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)


def coordinator_context(user, scope) -> dict:
    return {"home": coordinator_home(scope, _now()), "pending": pending_sign_ups(scope).count()}


def to_review(mediator_id: int) -> list[Session]:
    """Sessions the mediator attended (credited hours) in the last year without feedback yet."""
    given = Feedback.select(Feedback.session).where(Feedback.mediator == mediator_id)
    since = _now().date() - dt.timedelta(days=365)
    return list(Session.select().join(Attendance, on=(Attendance.session == Session.id))
                .where(Attendance.mediator == mediator_id, Attendance.credited > 0,
                       Session.start_day >= since, Session.id.not_in(given))
                .order_by(Session.start.desc()).limit(10))


def mediator_context(user, scope) -> dict:
    mediator = user.mediator
    if mediator is None:
        return {}
    home = mediator_home(mediator, _now())
    return {"home": home, "offers": [e for e in home.next_sessions if e.status == OFFERED],
            "review": to_review(mediator.id), "form": CSRFForm(), "statuses": ENROLMENT_STATUSES, "withdrawn": WITHDRAWN,
            "notices": unread(mediator.id), "tr": tr}


def add_panels() -> None:
    add_panel(Panel(roles=(ADMIN, MANAGER, TRAINER), template="training/panel_coordinator.html",
                    context=coordinator_context, order=40))
    add_panel(Panel(roles=(MEDIATOR,), template="training/panel_mediator.html",
                    context=mediator_context, order=40))
