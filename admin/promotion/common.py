"""What every promotion page shares: the mediator a URL names (inside the caller's
jurisdiction, or the caller themself for a mediator) and the acting user as the domain's Actor."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from network.models import Organization
from org.models import MEDIATOR, Mediator
from org.services import in_scope
from promotion.rounds import Actor

from ..views.base import as_pk, current_scope


def visible_mediator(pk=None, staff_no: str | None = None) -> Mediator:
    """The mediator, or 404 when there is none or they lie outside the caller's jurisdiction
    (the same answer, so 工号 and ids cannot be probed; a mediator's account reaches only its
    own record)."""
    mediator = None
    # with its station in the same statement: the scope check and every page read it
    query = (Mediator.select(Mediator, Organization)
             .join(Organization, on=(Mediator.station == Organization.id)))
    if staff_no is not None:
        text = staff_no.strip()
        if text and len(text) <= 32:
            mediator = query.where(Mediator.staff_no == text).first()
    else:
        pk = as_pk(pk)
        mediator = query.where(Mediator.id == pk).first() if pk is not None else None
    if mediator is None:
        abort(404)
    if current_user.role == MEDIATOR:
        if current_user.mediator_id != mediator.id:
            abort(404)
    elif not in_scope(mediator, current_scope()):
        abort(404)
    return mediator


def actor() -> Actor:
    return Actor.of(current_user)
