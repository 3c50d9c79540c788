"""Eligibility in words for people: each criterion's label, how far along it is (a bar) and
what is still missing ("还需结案 4 件"). The figures are promotion.eligibility's."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from flask_babel import gettext, lazy_gettext

from org.models import GradeStep
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


def hours_label(grade: str) -> str:
    """The hours criterion named by its step's rule: "培训学时" alone read as this year's
    hours of any kind, beside a 本年学时 that did not match it, when only 岗前培训 count, or
    every session ever (未定级 → 四级 by default)."""
    step = GradeStep.get_or_none(GradeStep.from_grade == grade)
    if step is None or not (step.pre_service_only or step.hours_ever):
        return str(LABELS["training_hours"])
    if step.pre_service_only:
        return gettext("岗前培训学时（累计）") if step.hours_ever else gettext("岗前培训学时（统计期内）")
    return gettext("培训学时（累计）")


def lines(result: Eligibility) -> list[Line]:
    hours = hours_label(result.grade) if any(
        c.key == "training_hours" for c in result.criteria) else ""
    return [Line(c.key, hours if c.key == "training_hours" else str(LABELS[c.key]),
                 shown(c, c.required), shown(c, c.actual), c.met, progress(c), missing(c))
            for c in result.criteria]
