"""The grade ladder (its thresholds as data) and each mediator's grade history.

A mediator's grade is never stored on the mediator: it is the latest entry of their history in
force on a date (not reverted, effective on or before it), so a promotion decided for a future
effective date is not applied early, and a subsidy computed for a past month sees the grade of
that month. Every write is atomic and audited; only the latest entry can be reverted.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import peewee as pw

from network import audit
from network.dates import local_today
from network.db import db, locked
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.fields import plain
from network.models import Organization, now

from .models import (
    CHANGE_REASONS,
    CITY_DECIDES,
    COUNTY_DECIDES,
    DECIDERS,
    DEMOTION,
    GRADE_RANK,
    GRADES,
    INITIAL,
    PROMOTION,
    UNGRADED,
    GradeChange,
    GradeStep,
    Mediator,
)
from .services import in_scope, parse_date


class DefaultStep(NamedTuple):
    from_grade: str
    to_grade: str
    months_at_grade: int
    closed_cases: int
    success_rate: Decimal | None
    training_hours: Decimal
    pre_service_only: bool
    hours_ever: bool
    decided_by: str
    awards_bonus: bool = False


# domain.md's Qingdao-like defaults, what a fresh install seeds (migration 013).
DEFAULT_LADDER = (
    DefaultStep(UNGRADED, "4", 6, 5, None, Decimal("10"), True, True, COUNTY_DECIDES),
    DefaultStep("4", "3", 12, 10, Decimal("0.60"), Decimal("20"), False, False, COUNTY_DECIDES),
    DefaultStep("3", "2", 24, 20, Decimal("0.65"), Decimal("20"), False, False, CITY_DECIDES),
    DefaultStep("2", "1", 36, 30, Decimal("0.70"), Decimal("30"), False, False, CITY_DECIDES),
)


def seed_ladder(model: type[pw.Model] = GradeStep) -> int:
    """Insert the default steps that are missing (by from-grade); returns how many.

    Idempotent and never overwrites a city's edits. `model` is the migration's frozen model
    when migration 013 calls it, so the seed writes to the database being migrated.
    """
    have = {row.from_grade for row in model.select(model.from_grade)}
    rows = [{**step._asdict(), "updated_by": "", "updated_at": now()}
            for step in DEFAULT_LADDER if step.from_grade not in have]
    if rows:
        model.insert_many(rows).execute()
    return len(rows)


def ladder() -> dict[str, GradeStep]:
    """{from grade: step}, one query."""
    return {step.from_grade: step for step in GradeStep.select()}


def grade_label(code: str | None) -> str:
    return GRADES.get(code or UNGRADED, code or "")


STEP_FIELDS = ["months_at_grade", "closed_cases", "success_rate", "training_hours",
               "pre_service_only", "hours_ever", "decided_by", "awards_bonus"]
LIMITS = {"months_at_grade": (0, 600), "closed_cases": (0, 100000),
          "training_hours": (Decimal(0), Decimal(1000))}


def _number(value: Any, integer: bool) -> Decimal:
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValueError(Msg("应为数字")) from None
    if integer and number != number.to_integral_value():
        raise ValueError(Msg("应为整数"))
    return number


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on", "是", "y")


def clean_step(data: dict[str, Any]) -> dict[str, Any]:
    """Check the editable fields of a step; every problem reported at once."""
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}
    for name in ("months_at_grade", "closed_cases", "training_hours"):
        if name not in data:
            continue
        try:
            number = _number(data[name], integer=name != "training_hours")
        except ValueError as exc:
            errors[name] = exc.args[0]
            continue
        low, high = LIMITS[name]
        if not low <= number <= high:
            errors[name] = Msg("应在%(lo)s到%(hi)s之间", lo=low, hi=high)
        elif name == "training_hours" and (number * 2) != (number * 2).to_integral_value():
            errors[name] = Msg("学时应为0.5的整数倍")
        else:
            out[name] = number if name == "training_hours" else int(number)
    if "success_rate" in data:
        raw = data["success_rate"]
        if raw is None or str(raw).strip() == "":
            out["success_rate"] = None  # the step has no success-rate criterion
        else:
            try:
                rate = _number(raw, integer=False)
            except ValueError as exc:
                errors["success_rate"] = exc.args[0]
            else:
                if not 0 <= rate <= 1 or rate != rate.quantize(Decimal("0.0001")):
                    errors["success_rate"] = Msg("成功率应为0到1之间、最多4位小数")
                else:
                    out["success_rate"] = rate
    if "decided_by" in data:
        if data["decided_by"] not in DECIDERS:
            errors["decided_by"] = Msg("决定层级应为：%(choices)s",
                                       choices="、".join(DECIDERS.values()))
        else:
            out["decided_by"] = data["decided_by"]
    for name in ("pre_service_only", "hours_ever", "awards_bonus"):
        if name in data:
            out[name] = _flag(data[name])
    if errors:
        raise ValidationError(errors)
    return out


def update_step(step: GradeStep, data: dict[str, Any], *, actor: str) -> GradeStep:
    """Change a step's thresholds (the city admin's edit); audited with old and new values."""
    values = clean_step(data)
    with db.atomic():
        before = audit.snapshot(step, STEP_FIELDS)
        for key, value in values.items():
            setattr(step, key, value)
        changes = audit.diff(before, audit.snapshot(step, STEP_FIELDS))
        if changes:
            step.updated_by, step.updated_at = actor or "", now()
            step.save()
            audit.record(actor, "update", "grade_step", step.id, str(step), changes)
    return step


# --- grade history --------------------------------------------------------------------------

class Standing(NamedTuple):
    """A mediator's grade on a date and since when (None for 未定级: no history in force)."""

    grade: str
    since: dt.date | None


UNGRADED_STANDING = Standing(UNGRADED, None)
ID_CHUNK = 5000  # ids a statement names: SQLite takes at most 32,766 parameters


def _live() -> pw.Expression:
    return GradeChange.reverted_at.is_null()


def grades_on(day: dt.date, among: Any = None) -> pw.Node:
    """(mediator_id, grade) of every mediator graded on `day`, the latest live entry each, as
    a sub-select to join (未定级 mediators have no row): for figures that compare each mediator
    with their grade's rule inside one statement. One ranked pass over the history; a look-up
    per mediator instead cost a province's coverage 260 ms (30,000 mediators). `among` (ids or
    a sub-select) keeps the pass to those mediators: joined unrestricted, PostgreSQL ran the
    whole ranking again for each of a city's rows (2.3 s)."""
    rank = pw.fn.ROW_NUMBER().over(partition_by=[GradeChange.mediator],
                                   order_by=[GradeChange.effective.desc(), GradeChange.id.desc()])
    cond = _live() & (GradeChange.effective <= day)
    if among is not None:
        cond &= GradeChange.mediator.in_(among)
    ranked = (GradeChange.select(GradeChange.mediator.alias("mediator_id"),
                                 GradeChange.grade.alias("grade"), rank.alias("n"))
              .where(cond)).alias("ranked")
    return (pw.Select([ranked], [ranked.c.mediator_id, ranked.c.grade])
            .where(ranked.c.n == 1)).alias("held")


def grades_on_days(days: dict[int, dt.date]) -> dict[int, str]:
    """{mediator id: grade code in force on that mediator's own day} for those graded by then
    (a first case's day, say); one read of their histories, in order, so the last entry in
    force on the day wins, as in `standings`."""
    held: dict[int, str] = {}
    ids = list(days)
    for i in range(0, len(ids), ID_CHUNK):
        for mid, grade, effective in (GradeChange.select(GradeChange.mediator, GradeChange.grade,
                                                         GradeChange.effective)
                                      .where(GradeChange.mediator.in_(ids[i:i + ID_CHUNK]) & _live())
                                      .order_by(GradeChange.effective, GradeChange.id).tuples()):
            if isinstance(effective, str):  # SQLite may hand back the ISO text
                effective = dt.date.fromisoformat(effective)
            if effective <= days[mid]:
                held[mid] = grade
    return held


def history(mediator: Mediator) -> list[GradeChange]:
    """Every entry, reverted ones included, oldest first (the trail as it was written)."""
    return list(GradeChange.select().where(GradeChange.mediator == mediator)
                .order_by(GradeChange.effective, GradeChange.id))


def latest_change(mediator: Mediator) -> GradeChange | None:
    """The entry a revert may undo: the last one written that is not reverted."""
    return (GradeChange.select().where((GradeChange.mediator == mediator) & _live())
            .order_by(GradeChange.effective.desc(), GradeChange.id.desc()).first())


def standings(mediator_ids: Any, day: dt.date) -> dict[int, Standing]:
    """{mediator id: Standing on `day`} for the mediators that have one; one query.

    `mediator_ids` is a list or a sub-select of ids. Entries are ordered by (effective, id),
    and a new entry may not be dated before the latest, so the last one in force wins.
    """
    query = (GradeChange.select(GradeChange.mediator, GradeChange.grade, GradeChange.effective)
             .where(GradeChange.mediator.in_(mediator_ids) & _live()
                    & (GradeChange.effective <= day))
             .order_by(GradeChange.mediator, GradeChange.effective, GradeChange.id))
    out: dict[int, Standing] = {}
    # straight from the cursor: a province's 30,000 rows through peewee's row conversion
    # cost more than the query
    for mediator_id, grade, effective in db.execute(query):
        if isinstance(effective, str):  # SQLite may hand back the ISO text
            effective = dt.date.fromisoformat(effective)
        out[mediator_id] = Standing(grade, effective)
    return out


def standing(mediator: Mediator, day: dt.date | None = None) -> Standing:
    """Grade on `day` (today by default) and since when; 未定级 with no date when none."""
    day = day or local_today()
    return standings([mediator.id], day).get(mediator.id, UNGRADED_STANDING)


def _check_change(mediator: Mediator, grade: str, effective: dt.date | None, reason: str,
                  latest: GradeChange | None) -> None:
    errors: dict[str, Msg] = {}
    if reason not in CHANGE_REASONS:
        errors["reason"] = Msg("变更原因应为：%(choices)s",
                               choices="、".join(CHANGE_REASONS.values()))
    if grade not in GRADES or grade == UNGRADED:
        errors["grade"] = Msg("专业等级应为：一级、二级、三级、四级")
    if effective is None:
        errors["effective"] = Msg("必填")
    if errors:
        raise ValidationError(errors)
    if latest is not None and effective < latest.effective:
        raise ValidationError({"effective": Msg(
            "生效日期不能早于最近一次等级变更的生效日期 %(d)s", d=latest.effective.isoformat())})
    if reason == INITIAL:
        if latest is not None:
            raise DomainError(Msg("调解员「%(no)s」已有定级记录，不能再次初次定级",
                                  no=mediator.staff_no), "reason")
        if effective > local_today():
            raise ValidationError({"effective": Msg("定级日期不能晚于今天")})
        return
    if latest is None:
        if reason == PROMOTION:  # 未定级 → 四级 through a round: every grade is above it
            return
        raise DomainError(Msg("调解员「%(no)s」尚未定级，请先办理初次定级",
                              no=mediator.staff_no), "reason")
    if reason == PROMOTION and GRADE_RANK[grade] <= GRADE_RANK[latest.grade]:
        raise ValidationError({"grade": Msg("晋升后的等级应高于现等级（%(grade)s）",
                                            grade=Msg(GRADES[latest.grade]))})
    if reason == DEMOTION and GRADE_RANK[grade] >= GRADE_RANK[latest.grade]:
        raise ValidationError({"grade": Msg("降级后的等级应低于现等级（%(grade)s）",
                                            grade=Msg(GRADES[latest.grade]))})


def change_grade(mediator: Mediator, grade: str, effective: Any, reason: str, *, actor: str,
                 scope: Organization | None, doc_no: str = "", note: str = "") -> GradeChange:
    """Record a grade change (initial grading, promotion, demotion or correction).

    An entry may not be dated before the latest one, so the history reads in one order by
    date and by entry, and "the latest change" is the same entry either way.
    """
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("超出您的管辖范围"))
    try:
        effective = parse_date(effective)
    except ValueError as exc:
        raise ValidationError({"effective": exc.args[0]}) from None
    doc_no = plain(doc_no)
    if len(doc_no) > 60:
        raise ValidationError({"doc_no": Msg("不能超过%(n)d个字符", n=60)})
    with db.atomic():
        # lock the mediator's row so two changes at once cannot both be "the latest"
        # (SQLite has no row locks: its writers are serialised anyway)
        locked(Mediator.select(Mediator.id).where(Mediator.id == mediator.id)).get()
        latest = latest_change(mediator)
        _check_change(mediator, grade, effective, reason, latest)
        change = GradeChange.create(mediator=mediator, grade=grade, effective=effective,
                                    reason=reason, doc_no=doc_no, note=plain(note),
                                    recorded_by=actor or "")
        audit.record(actor, "create", "grade_change", change.id, str(mediator),
                     {"grade": GRADES[grade], "effective": effective.isoformat(),
                      "reason": CHANGE_REASONS[reason], "doc_no": doc_no,
                      "before": GRADES[latest.grade] if latest else GRADES[UNGRADED]},
                     org_path=mediator.station.path)
    return change


def revert_change(change: GradeChange, reason: str, *, actor: str,
                  scope: Organization | None) -> GradeChange:
    """Undo the latest entry of a mediator's history, saying why; the entry stays, marked."""
    mediator = change.mediator
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("超出您的管辖范围"))
    reason = plain(reason)
    if not reason:
        raise ValidationError({"revert_reason": Msg("请填写撤回原因")})
    with db.atomic():
        current = GradeChange.get_by_id(change.id)
        if current.reverted_at is not None:
            raise DomainError(Msg("该等级变更已撤回"))
        latest = latest_change(mediator)
        if latest is None or latest.id != change.id:
            raise DomainError(Msg("只能撤回最近一次等级变更"))
        current.reverted_at, current.reverted_by = now(), actor or ""
        current.revert_reason = reason
        current.save(only=[GradeChange.reverted_at, GradeChange.reverted_by,
                           GradeChange.revert_reason])
        audit.record(actor, "revert", "grade_change", current.id, str(mediator),
                     {"grade": GRADES[current.grade], "effective": current.effective.isoformat(),
                      "reason": CHANGE_REASONS[current.reason], "revert_reason": reason},
                     org_path=mediator.station.path)
    return current


def clean_initial_grade(grade: Any, graded_on: Any) -> tuple[str | None, dt.date | None]:
    """The two optional import columns 专业等级 / 定级日期 → (grade code, date).

    Both empty: nothing to record (None, None). 未定级 takes no date; 一级…四级 need one.
    """
    text = str(grade or "").strip()
    errors: dict[str, Msg] = {}
    code = None
    if text:
        code = next((c for c, label in GRADES.items() if label == text or c == text), None)
        if code is None:
            errors["grade"] = Msg("专业等级应为：%(choices)s",
                                  choices="、".join(GRADES[c] for c in reversed(GRADES)))
    try:
        day = parse_date(graded_on)
    except ValueError as exc:
        errors["graded_on"] = exc.args[0]
        day = None
    if not errors:
        if code in (None, UNGRADED) and day is not None:
            errors["graded_on"] = Msg("未定级（或未填专业等级）时定级日期应为空")
        elif code not in (None, UNGRADED) and day is None:
            errors["graded_on"] = Msg("填写了专业等级时定级日期必填")
        elif day is not None and day > local_today():
            errors["graded_on"] = Msg("定级日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    return code, day
