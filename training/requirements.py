"""Training requirements as data (年度学时, 岗前学时; optionally per grade), editable by the
city; migration 011 seeds the defaults (20 and 10 hours)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import peewee as pw

from network import audit
from network.errors import Msg, ValidationError
from network.models import now
from org.grades import grades_on, standings
from org.models import UNGRADED

from .models import ANNUAL_HOURS, DEFAULT_REQUIREMENTS, REQUIREMENT_KINDS, TrainingRequirement
from .sessions import parse_grades, parse_hours


def _grade(value: str | None) -> str | None:
    """A grade's code (a code or a label is accepted: 一级 or 1), None for the default row."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        code = parse_grades(text)
    except ValueError as exc:
        raise ValidationError({"grade": exc.args[0]}) from None
    if "," in code:
        raise ValidationError({"grade": Msg("一次只能设置一个等级")})
    return code


def requirement(kind: str = ANNUAL_HOURS, grade: str | None = None) -> Decimal:
    """Hours required: the grade's own row when there is one, else the default row, else the
    product's default (a database without the seed)."""
    rows = dict(TrainingRequirement.select(TrainingRequirement.grade, TrainingRequirement.hours)
                .where(TrainingRequirement.kind == kind,
                       (TrainingRequirement.grade.is_null())
                       | (TrainingRequirement.grade == grade)).tuples())
    value = rows.get(grade) if grade is not None and grade in rows else rows.get(None)
    return Decimal(str(value)) if value is not None else DEFAULT_REQUIREMENTS[kind]


def graded(kind: str = ANNUAL_HOURS) -> dict[str, Decimal]:
    """{grade code: hours} of the grades with a row of their own."""
    return {grade: Decimal(str(hours)) for grade, hours in
            TrainingRequirement.select(TrainingRequirement.grade, TrainingRequirement.hours)
            .where(TrainingRequirement.kind == kind, TrainingRequirement.grade.is_null(False))
            .tuples()}


def grade_day(year: int, today: dt.date) -> dt.date:
    """The day whose grade sets a mediator's requirement for `year`: its last day, or today
    while the year runs (a mediator promoted in June owes the new grade's hours for the year,
    as their grade stands when the year is judged)."""
    return min(dt.date(year, 12, 31), today)


def with_required(query: pw.ModelSelect, kind: str, mediator: pw.Node, day: dt.date,
                  among: Any = None) -> tuple[pw.ModelSelect, pw.Node]:
    """`query` and each mediator's requirement as an expression: the default as a constant when
    no grade has a row of its own, else `query` joined to the grades held on `day` and a CASE
    over them. Floats: hours are multiples of 0.5, exact in binary (SQLite would compare a
    Decimal's text as text). `among`: the mediators `query` reads (see `grades_on`)."""
    default = float(requirement(kind))
    rows = graded(kind)
    if not rows:
        return query, pw.Value(default, converter=False)
    held = grades_on(day, among)
    query = query.join(held, pw.JOIN.LEFT_OUTER, on=(held.c.mediator_id == mediator))
    return query, pw.Case(pw.fn.COALESCE(held.c.grade, UNGRADED),
                          [(grade, float(hours)) for grade, hours in rows.items()], default)


def required_of(kind: str, ids: list[int], day: dt.date, *,
                among: Any = None) -> dict[int, Decimal]:
    """{mediator id: hours required} for `ids` by the grade each holds on `day` (未定级 when
    none); empty when no grade has a row of its own (everyone owes `requirement(kind)`).
    `among`, a sub-select holding `ids`, spares the database a list of 30,000 ids."""
    rows = graded(kind)
    if not rows:
        return {}
    default = requirement(kind)
    held = standings(ids if among is None else among, day)
    return {mid: rows.get(held[mid].grade if mid in held else UNGRADED, default) for mid in ids}


def set_requirement(kind: str, hours: object, *, grade: str | None = None,
                    actor: str) -> TrainingRequirement:
    """Change (or add, for a grade) a requirement; audited."""
    if kind not in REQUIREMENT_KINDS:
        raise ValidationError({"kind": Msg("要求类型应为：%(choices)s",
                                           choices="、".join(REQUIREMENT_KINDS.values()))})
    try:
        value = parse_hours(hours)
    except ValueError as exc:
        raise ValidationError({"hours": exc.args[0]}) from None
    grade = _grade(grade)
    row = TrainingRequirement.get_or_none(
        TrainingRequirement.kind == kind,
        TrainingRequirement.grade.is_null() if grade is None else
        TrainingRequirement.grade == grade)
    before = None if row is None else f"{Decimal(str(row.hours)):.1f}"
    if row is None:
        row = TrainingRequirement.create(kind=kind, grade=grade, hours=value, updated_by=actor)
    else:
        row.hours, row.updated_by, row.updated_at = value, actor, now()
        row.save()
    audit.record(actor, "create" if before is None else "update", "training_requirement",
                 row.id, f"{kind}/{grade or ''}", {"hours": [before, str(value)]})
    return row


def remove_requirement(kind: str, grade: str, *, actor: str) -> bool:
    """A grade's own row goes: the grade follows the default again. The default rows stay
    (every mediator needs a requirement); audited."""
    grade = _grade(grade)
    if grade is None:
        raise ValidationError({"grade": Msg("默认要求不能删除，只能修改学时")})
    row = TrainingRequirement.get_or_none(TrainingRequirement.kind == kind,
                                          TrainingRequirement.grade == grade)
    if row is None:
        return False
    audit.record(actor, "delete", "training_requirement", row.id, f"{kind}/{grade}",
                 {"hours": [f"{Decimal(str(row.hours)):.1f}", None]})
    row.delete_instance()
    return True
