"""Eligibility in words for people: each criterion's label, how far along it is (a bar) and
what is still missing ("还需结案 4 件"). The figures are promotion.eligibility's."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from flask_babel import gettext, lazy_gettext

from promotion.eligibility import Criterion, Eligibility

LABELS = {
    "months_at_grade": lazy_gettext("任现等级月数"),
    "closed_cases": lazy_gettext("结案数"),
    "success_rate": lazy_gettext("调解成功率"),
    "training_hours": lazy_gettext("培训学时"),
    "no_upheld_complaint": lazy_gettext("无属实投诉"),
}


def number(value: Any) -> str:
    """6.0 → "6", 14.5 → "14.5", a rate 0.6000 → "60.00%"."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return "" if value is None else str(value)


def percent(rate: Any) -> str:
    return f"{Decimal(rate) * 100:.2f}%"


def shown(criterion: Criterion, value: Any) -> str:
    if value is None:
        return "—"
    return percent(value) if criterion.key == "success_rate" else number(value)


def missing(criterion: Criterion) -> str:
    """What the mediator still needs, in a sentence; "" when the criterion is met."""
    gap = criterion.shortfall()
    if criterion.met:
        return ""
    if gap is None:
        return gettext("缺少入职日期，无法计算")
    if criterion.key == "months_at_grade":
        return gettext("还需任职 %(n)s 个月", n=number(gap))
    if criterion.key == "closed_cases":
        return gettext("还需结案 %(n)s 件", n=number(gap))
    if criterion.key == "success_rate":
        return gettext("成功率还差 %(n)s 个百分点", n=f"{Decimal(gap) * 100:.2f}")
    if criterion.key == "training_hours":
        return gettext("还需培训 %(n)s 学时", n=number(gap))
    return gettext("统计期内有 %(n)s 件属实投诉", n=number(gap))


def progress(criterion: Criterion) -> int:
    """0–100 for the bar: actual over required, capped; a complaint criterion is all or none."""
    if criterion.met:
        return 100
    if criterion.key == "no_upheld_complaint" or criterion.actual is None:
        return 0
    required = Decimal(str(criterion.required))
    if required <= 0:
        return 100
    return max(0, min(100, int(Decimal(str(criterion.actual)) * 100 / required)))


class Line(NamedTuple):
    key: str
    label: str
    required: str
    actual: str
    met: bool
    progress: int
    missing: str


def lines(result: Eligibility) -> list[Line]:
    return [Line(c.key, str(LABELS[c.key]), shown(c, c.required), shown(c, c.actual), c.met,
                 progress(c), missing(c)) for c in result.criteria]
