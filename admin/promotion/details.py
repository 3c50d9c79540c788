"""The grade part of a mediator's details page: the org room's template includes
promotion/_details_grades.html, which calls `promotion_grade_info(mediator)` (a template
global installed here) so the mediator view needs no grade code of its own."""
from __future__ import annotations

from org import grades
from org.models import CHANGE_REASONS, GRADES, Mediator

from .grades import grade_rows


def grade_info(mediator: Mediator) -> dict:
    return {"standing": grades.standing(mediator), "rows": grade_rows(mediator),
            "grades": GRADES, "reasons": CHANGE_REASONS}


def install(app) -> None:
    app.jinja_env.globals["promotion_grade_info"] = grade_info
