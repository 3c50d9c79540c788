"""Private calendar feeds: a random token per feed, revocable; the sessions a feed shows are
decided when it is read, with the owner's jurisdiction at that moment (a coordinator moved to
another county no longer sees the old one's sessions through an old URL)."""
from __future__ import annotations

import datetime as dt
import secrets

from network.dates import local_today
from network.errors import Msg, OutOfScope
from network.models import Organization, now
from network.tree import in_subtree
from org.accounts import scope_of
from org.models import MEDIATOR, User

from .models import ENROLLED, OFFERED, PENDING, WAITLISTED, CalendarFeed, Enrolment, Session

HISTORY_DAYS = 180  # past sessions kept in a feed


def create_feed(user: User, organization: Organization | None = None) -> CalendarFeed:
    """A new feed (an earlier one for the same account and organisation is revoked)."""
    if organization is not None:
        scope = scope_of(user)
        if user.role == MEDIATOR or (scope is not None and not scope.contains(organization)):
            raise OutOfScope(Msg("机构「%(code)s」超出您的管辖范围", code=organization.code))
    current = CalendarFeed.select().where(CalendarFeed.user == user.id,
                                          CalendarFeed.revoked_at.is_null())
    current = current.where(CalendarFeed.organization.is_null() if organization is None
                            else CalendarFeed.organization == organization.id)
    for feed in current:
        revoke_feed(feed)
    return CalendarFeed.create(token=secrets.token_urlsafe(32), user=user,
                               organization=organization)


def revoke_feed(feed: CalendarFeed) -> None:
    CalendarFeed.update(revoked_at=now()).where(CalendarFeed.id == feed.id).execute()


def active_feed(token: str) -> CalendarFeed | None:
    """A disabled account's feeds stop with it: its token answers like a revoked one, and
    works again only if the account is re-enabled (the token itself was never leaked)."""
    return (CalendarFeed.select(CalendarFeed, User)
            .join(User, on=(CalendarFeed.user == User.id))
            .where(CalendarFeed.token == (token or "")[:64], CalendarFeed.revoked_at.is_null(),
                   User.active == True)  # noqa: E712
            .first())


def feed_sessions(feed: CalendarFeed, today: dt.date | None = None) -> list[Session]:
    since = (today or local_today()) - dt.timedelta(days=HISTORY_DAYS)
    user = feed.user
    if not user.active:
        return []
    query = Session.select().where(Session.start_day >= since)
    if feed.organization_id is None and user.role == MEDIATOR:
        if user.mediator_id is None:
            return []
        mine = Enrolment.select(Enrolment.session).where(
            Enrolment.mediator == user.mediator_id,
            Enrolment.status.in_([ENROLLED, OFFERED, WAITLISTED, PENDING]))
        query = query.where(Session.id.in_(mine))
    else:
        scope = scope_of(user)
        root = feed.organization if feed.organization_id is not None else scope
        if feed.organization_id is not None and scope is not None and not scope.contains(root):
            return []
        query = (query.join(Organization, on=(Session.host == Organization.id))
                 .where(in_subtree(Organization.path, root)))
    return list(query.order_by(Session.start))





def tentative_sessions(feed: CalendarFeed) -> set[int]:
    """Of a mediator's own feed, the sessions where their place is not yet a seat (候补,
    待审批, an offer to confirm); none for an organisation's feed."""
    user = feed.user
    if feed.organization_id is not None or user.role != MEDIATOR or user.mediator_id is None:
        return set()
    return {session_id for (session_id,) in Enrolment.select(Enrolment.session).where(
        Enrolment.mediator == user.mediator_id,
        Enrolment.status.in_([OFFERED, WAITLISTED, PENDING])).tuples()}
