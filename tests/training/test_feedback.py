"""Feedback: only from attendees, averages per session and per trainer (hand-counted)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from network.errors import DomainError, ValidationError
from training import feedback
from training.attendance import record_attendance


def test_feedback_from_attendees_and_averages(make_session, make_mediator, network):
    one = make_session(host=network["shinan"], trainers="王老师、李老师")
    two = make_session(host=network["huangdao"], trainers="王老师")
    a, b, c = (make_mediator(network["room1"]) for _ in range(3))
    for session, who, status in [(one, a, "出席"), (one, b, "出席"), (one, c, "缺席"),
                                 (two, a, "出席")]:
        record_attendance(session, who, status, actor="t", scope=None)
    feedback.submit(one, a, {"content_rating": 5, "trainer_rating": 4,
                             "organisation_rating": 3, "comment": "很好"})
    feedback.submit(one, b, {"content_rating": "4", "trainer_rating": "4",
                             "organisation_rating": "4"})
    feedback.submit(two, a, {"content_rating": 1, "trainer_rating": 2, "organisation_rating": 2})
    # c was absent: no say
    with pytest.raises(DomainError, match="只有参加"):
        feedback.submit(one, c, {"content_rating": 1, "trainer_rating": 1,
                                 "organisation_rating": 1})
    with pytest.raises(ValidationError) as refused:
        feedback.submit(one, a, {"content_rating": 6, "trainer_rating": "x",
                                 "organisation_rating": 3})
    assert set(refused.value.errors) == {"content_rating", "trainer_rating"}
    # a second submission replaces the first: b now 2/2/2
    feedback.submit(one, b, {"content_rating": 2, "trainer_rating": 2, "organisation_rating": 2})

    sessions = feedback.by_session(None)
    # one: (5+2)/2 = 3.5, (4+2)/2 = 3, (3+2)/2 = 2.5
    assert (sessions[one.id].count, sessions[one.id].content, sessions[one.id].trainer,
            sessions[one.id].organisation) == (2, Decimal("3.50"), Decimal("3.00"),
                                               Decimal("2.50"))
    trainers = feedback.by_trainer(None)
    # 王老师: both sessions, 3 answers: content (5+2+1)/3 = 2.67, trainer (4+2+2)/3 = 2.67
    assert (trainers["王老师"].count, trainers["王老师"].content,
            trainers["王老师"].trainer) == (3, Decimal("2.67"), Decimal("2.67"))
    assert trainers["李老师"].count == 2
    # 市南's coordinator sees 市南's session only
    assert set(feedback.by_session(network["shinan"])) == {one.id}
    assert set(feedback.by_trainer(network["shinan"])) == {"王老师", "李老师"}
    assert feedback.by_trainer(network["shinan"])["王老师"].count == 2
