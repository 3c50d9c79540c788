"""Feedback (评价) on a session: three ratings 1–5 and a comment, only from those who
attended (credited hours > 0), once each (a second submission replaces the first); averages
per session and per trainer for the coordinator."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import peewee as pw

from network.errors import DomainError, Msg, ValidationError
from network.fields import plain
from network.models import Organization, now
from network.tree import in_subtree
from org.models import Mediator

from .calendar import trainers_of
from .models import CANCELLED, Attendance, Feedback, Session

RATINGS = ("content_rating", "trainer_rating", "organisation_rating")


def _rating(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 5:
        raise ValueError
    return number


def submit(session: Session, mediator: Mediator, data: dict[str, Any]) -> Feedback:
    errors: dict[str, Msg] = {}
    values: dict[str, Any] = {}
    for name in RATINGS:
        try:
            values[name] = _rating(data.get(name))
        except ValueError:
            errors[name] = Msg("评分应为1到5的整数")
    comment = plain(data.get("comment"))
    if len(comment) > 1000:
        errors["comment"] = Msg("不能超过%(n)d个字符", n=1000)
    if errors:
        raise ValidationError(errors)
    attended = Attendance.select().where(Attendance.session == session.id,
                                         Attendance.mediator == mediator.id,
                                         Attendance.credited > 0).exists()
    if session.status == CANCELLED or not attended:
        raise DomainError(Msg("只有参加了场次「%(code)s」的调解员才能评价", code=session.code))
    existing = Feedback.get_or_none(Feedback.session == session.id,
                                    Feedback.mediator == mediator.id)
    if existing is None:
        return Feedback.create(session=session, mediator=mediator, comment=comment, **values)
    for name, value in {**values, "comment": comment, "created_at": now()}.items():
        setattr(existing, name, value)
    existing.save()
    return existing


@dataclass
class Averages:
    count: int
    content: Decimal
    trainer: Decimal
    organisation: Decimal


def _avg(total: int, count: int, places: int = 2) -> Decimal:
    return (Decimal(total) / Decimal(count)).quantize(Decimal(1).scaleb(-places),
                                                      rounding=ROUND_HALF_UP)


def _averages(count: int, sums: Iterable[int], places: int = 2) -> Averages:
    """Rounded once from the exact sums (a page showing one decimal must not round twice)."""
    content, trainer, organisation = sums
    return Averages(count, _avg(content, count, places), _avg(trainer, count, places),
                    _avg(organisation, count, places))


def _sums_by_session(scope: Organization | None) -> list[tuple]:
    return list(Feedback.select(Feedback.session, pw.fn.COUNT(Feedback.id),
                                *[pw.fn.SUM(getattr(Feedback, name)) for name in RATINGS])
                .join(Session, on=(Feedback.session == Session.id))
                .join(Organization, on=(Session.host == Organization.id))
                .where(in_subtree(Organization.path, scope))
                .group_by(Feedback.session).tuples())


def by_session(scope: Organization | None, places: int = 2) -> dict[int, Averages]:
    """Session id → averages (`places` decimals, half-up), sessions hosted in the scope."""
    return {row[0]: _averages(row[1], [int(v) for v in row[2:]], places)
            for row in _sums_by_session(scope)}


def by_trainer(scope: Organization | None, places: int = 2) -> dict[str, Averages]:
    """Trainer name → averages over all feedback of the sessions they gave (a session with
    two trainers counts for both)."""
    rows = _sums_by_session(scope)
    trainers = dict(Session.select(Session.id, Session.trainers)
                    .where(Session.id.in_([r[0] for r in rows])).tuples()) if rows else {}
    totals: dict[str, list[int]] = {}
    for session_id, count, *sums in rows:
        for name in trainers_of(trainers.get(session_id, "")):
            acc = totals.setdefault(name, [0, 0, 0, 0])
            acc[0] += count
            for i, value in enumerate(sums):
                acc[i + 1] += int(value)
    return {name: _averages(acc[0], acc[1:], places) for name, acc in sorted(totals.items())}
