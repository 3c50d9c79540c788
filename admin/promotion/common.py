"""What every promotion page shares: the mediator a URL names (inside the caller's
jurisdiction, or the caller themself for a mediator) and the acting user as the domain's Actor."""
from __future__ import annotations

from flask_login import current_user

from promotion.rounds import Actor

from ..views.base import visible_mediator

__all__ = ["actor", "visible_mediator"]  # visible_mediator lives with the other scope guards


def actor() -> Actor:
    return Actor.of(current_user)
