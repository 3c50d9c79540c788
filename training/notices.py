"""In-portal notices to mediators (a seat offered from the waitlist, a cancelled session).

The message is kept as a Msg (template and parameters) so that the portal shows it in the
reader's language, not in the language of whoever caused it.
"""
from __future__ import annotations

import json

from network.errors import Msg
from network.models import now

from .models import ENROLLED, OFFERED, PENDING, WAITLISTED, Enrolment, Notice, Session


def notify(mediator_id: int, message: Msg, session: Session | None = None) -> Notice:
    return Notice.create(mediator=mediator_id, message=json.dumps(message.to_dict(),
                                                                  ensure_ascii=False),
                         session=session)


def notify_cancelled(session: Session) -> int:
    """Tell everyone holding, offered, waiting for or asking for a seat; returns how many."""
    holders = (Enrolment.select(Enrolment.mediator)
               .where(Enrolment.session == session.id,
                      Enrolment.status.in_([ENROLLED, OFFERED, WAITLISTED, PENDING])).tuples())
    message = Msg("场次「%(code)s %(course)s」已取消：%(reason)s", code=session.code,
                  course=session.course.name, reason=session.cancel_reason)
    count = 0
    for (mediator_id,) in holders:
        notify(mediator_id, message, session)
        count += 1
    return count


def unread(mediator_id: int) -> list[Notice]:
    return list(Notice.select().where(Notice.mediator == mediator_id, Notice.read_at.is_null())
                .order_by(Notice.created_at.desc(), Notice.id.desc()))


def mark_read(mediator_id: int, notice_ids: list[int]) -> int:
    """Only the mediator's own notices are marked: another's id is silently not theirs."""
    return (Notice.update(read_at=now())
            .where(Notice.mediator == mediator_id, Notice.id.in_(notice_ids),
                   Notice.read_at.is_null()).execute())
