"""待审批 of a station manager: the pending sign-ups of the mediators whose station is in the
manager's subtree, wherever the session is hosted. Approval follows the mediator (their
manager vouches for their absence from the station), not the session's host: a room's manager
approves their mediator's sign-up for a city-hosted session they cannot otherwise open."""
from __future__ import annotations

import peewee as pw

from network.models import Organization
from network.tree import in_subtree
from org.models import Mediator

from .models import CANCELLED, FINISHED, PENDING, Enrolment, Session


def pending_sign_ups(scope: Organization | None) -> pw.ModelSelect:
    """Pending sign-ups of mediators stationed in `scope`'s subtree, at sessions still to be
    held (a cancelled or finished session's requests need no answer), oldest request first."""
    return (Enrolment.select(Enrolment, Session, Mediator, Organization)
            .join(Session, on=(Enrolment.session == Session.id))
            .switch(Enrolment).join(Mediator, on=(Enrolment.mediator == Mediator.id))
            .join(Organization, on=(Mediator.station == Organization.id))
            .where(Enrolment.status == PENDING, in_subtree(Organization.path, scope),
                   Session.status.not_in([CANCELLED, FINISHED]))
            .order_by(Enrolment.created_at, Enrolment.id))


def pending_in_scope(pk: int, scope: Organization | None) -> Enrolment | None:
    """One of those by id; None for any other (missing, decided, or another's mediator)."""
    return pending_sign_ups(scope).where(Enrolment.id == pk).first()
