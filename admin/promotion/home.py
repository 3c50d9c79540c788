"""我的等级: the panel on a mediator's home — the grade and since when, the next grade, a bar
per criterion with what is missing, and the grade history."""
from __future__ import annotations

import datetime as dt

from network.dates import local_today
from org.models import CHANGE_REASONS, GRADES, MEDIATOR
from promotion.eligibility import eligibility

from ..views.home import Panel, add_panel
from .explain import lines
from .grades import grade_rows


def today() -> dt.date:
    return local_today()


def my_grade(user, scope) -> dict:
    mediator = user.mediator
    if mediator is None:
        return {}
    day = today()
    result = eligibility(mediator, day)
    return {"result": result, "lines": lines(result), "rows": grade_rows(mediator),
            "grades": GRADES, "reasons": CHANGE_REASONS}


def install() -> None:
    add_panel(Panel(roles=(MEDIATOR,), template="promotion/_my_grade.html", context=my_grade,
                    order=20))
