"""The mediator (调解员) import: one row per mediator, keyed by 工号.

Rows go through clean_mediator / create_mediator / update_mediator, so the checks of the
registry (身份证号 checksum, gender and birth date against it, mobile numbers, open stations)
are the same as in the forms. The runner in network.imports makes the file all-or-nothing.
"""
from __future__ import annotations

from typing import Any

from network.db import N_
from network.errors import Msg, ValidationError
from network.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportSpec,
    code_for,
    out_of_scope,
    register,
    same_values,
)
from network.models import Organization

from .complaints import clean_complaint, create_complaint, find_same
from .grades import change_grade, clean_initial_grade, latest_change
from .models import (
    ASSIGNMENT_KINDS,
    EDUCATION,
    EMPLOYMENT,
    GENDERS,
    GRADES,
    INITIAL,
    MEDIATOR_STATUSES,
    POLITICAL,
    UNGRADED,
    Complaint,
    Mediator,
)
from .services import (
    clean_mediator,
    create_mediator,
    in_scope,
    primary_assignment,
    update_mediator,
)

# Headers as the files carry them (Chinese in every language); N_ marks the ones that
# the English error table needs and no field label already translates.
MEDIATOR_COLUMNS = {
    "工号": "staff_no", "姓名": "name", "性别": "gender", "身份证号": "id_number",
    "手机号": "mobile", "学历": "education", "专业特长": "speciality",
    "政治面貌": "political_status", "专兼职": "employment", "工作单位": "employer",
    "入职日期": "joined", "状态": "status", N_("所属机构编码"): "station", "驻点方式": "kind",
    "专业等级": "grade", "定级日期": "graded_on",
}
# Initial grading came later: files without these two columns still import.
GRADING_COLUMNS = {
    "专业等级": N_("可省略：新调解员为「未定级」，已有调解员的等级不变"),
    "定级日期": N_("一级至四级必填（初次定级的生效日期），未定级留空"),
}


def _assignment_kind(value: str) -> str:
    """驻点方式 label → code; empty means 常驻, the usual case."""
    if not (value or "").strip():
        return "resident"
    code = code_for(value, ASSIGNMENT_KINDS)
    if code not in ASSIGNMENT_KINDS:
        raise ValidationError({"kind": Msg("驻点方式应为：%(choices)s",
                                           choices="、".join(ASSIGNMENT_KINDS.values()))})
    return code


def _initial_grading(mediator: Mediator, grade: str | None, day, ctx: ImportContext) -> bool:
    """Record the file's 专业等级 as the initial grading; True when something was written.

    A mediator already graded keeps their history: the file may repeat the grade in force,
    but a different one is refused (a change of grade is a promotion, demotion or correction,
    with its own 文号, never a side effect of re-importing an old file).
    """
    if grade is None:
        return False
    latest = latest_change(mediator)
    if latest is None:
        if grade == UNGRADED:
            return False
        change_grade(mediator, grade, day, INITIAL, actor=ctx.actor, scope=ctx.scope)
        return True
    if latest.grade == grade and latest.effective == day:
        return False
    raise ValidationError({"grade": Msg(
        "调解员已定级（%(grade)s，%(day)s起），等级变更请通过晋升、降级或更正办理",
        grade=Msg(GRADES[latest.grade]), day=latest.effective.isoformat())})


def _import_mediator(row: dict[str, str], ctx: ImportContext) -> str:
    data: dict[str, Any] = MEDIATORS.data(row)
    raw_kind = data.pop("kind")
    # (an optional column the file leaves out may be absent from the row's data)
    raw_grade, raw_graded_on = data.pop("grade", ""), data.pop("graded_on", "")
    data["station"] = ctx.known_org(data["station"])
    scope = ctx.scope
    existing = Mediator.get_or_none(Mediator.staff_no == data["staff_no"].strip())
    if existing is not None and not in_scope(existing, scope):
        raise out_of_scope(Msg("调解员「%(no)s」", no=existing.staff_no), scope, "staff_no")
    errors: dict[str, Msg] = {}
    values: dict[str, Any] = {}
    kind = "resident"
    try:
        values = clean_mediator(data, existing)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        kind = _assignment_kind(raw_kind)
    except ValidationError as exc:
        errors.update(exc.errors)
    grade, graded_on = None, None
    try:
        grade, graded_on = clean_initial_grade(raw_grade, raw_graded_on)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    station: Organization = values["station"]
    ctx.orgs()[station.code] = data["station"] = station
    if scope is not None and not scope.contains(station):
        raise out_of_scope(Msg("机构「%(code)s」", code=station.code), scope, "station")
    if existing is None:
        mediator = create_mediator(data, actor=ctx.actor, scope=scope, kind=kind)
        _initial_grading(mediator, grade, graded_on, ctx)
        return CREATED
    graded = _initial_grading(existing, grade, graded_on, ctx)
    current = primary_assignment(existing)
    if same_values(existing, values) and (current is None or current.kind == kind):
        return UPDATED if graded else UNCHANGED
    update_mediator(existing, data, actor=ctx.actor, scope=scope, kind=kind)
    return UPDATED


MEDIATORS = register(ImportSpec(
    kind="mediators",
    label=N_("调解员"),
    help="Import mediators (调解员) from FILE.",
    audit_table="mediator",
    columns=MEDIATOR_COLUMNS,
    key="工号",
    apply=_import_mediator,
    examples=[["M0001", "张三", "男", "110101199003071233", "13800138000", "大学本科",
               "金融法律", "中共党员", "兼职", "青岛银行市南支行", "2022-03-01", "在岗",
               "QD-EX-01", "常驻", "四级", "2023-07-01"]],
    field_columns={"birth_date": "身份证号", "start": "所属机构编码", "kind": "驻点方式",
                   "effective": "定级日期", "reason": "专业等级"},
    model=Mediator,
    aliases={"专业特长": ("专业领域",), "专兼职": ("用工性质",), "手机号": ("联系电话", "手机"),
             "身份证号": ("身份证号码", "公民身份号码"), N_("所属机构编码"): ("机构编码",)},
    # 中专 is the 中等专科 of the bureau's sheets; both are the 高中/中专 of the registry
    synonyms={"学历": {"本科": "大学本科", "研究生": "硕士研究生", "硕士": "硕士研究生",
                       "博士": "博士研究生", "大专": "大学专科", "专科": "大学专科",
                       "中专": "高中/中专", "中等专科": "高中/中专", "高中": "高中/中专"},
              "政治面貌": {"党员": "中共党员", "预备党员": "中共预备党员", "团员": "共青团员"},
              "专兼职": {"专职人员": "专职", "兼职人员": "兼职"},
              "性别": {"男性": "男", "女性": "女"}},
    optional={"状态": N_("可省略：新调解员为「在岗」，已有调解员不变"), **GRADING_COLUMNS},
    choices={"性别": lambda: list(GENDERS.values()), "学历": lambda: list(EDUCATION),
             "政治面貌": lambda: list(POLITICAL), "专兼职": lambda: list(EMPLOYMENT.values()),
             "状态": lambda: list(MEDIATOR_STATUSES.values()),
             "驻点方式": lambda: list(ASSIGNMENT_KINDS.values()),
             "专业等级": lambda: list(GRADES.values())},
))


import_mediators = MEDIATORS.run


# --- complaints (投诉) ---------------------------------------------------------------------------

COMPLAINT_COLUMNS = {"工号": "mediator", "投诉日期": "filed_on", "是否属实": "upheld",
                     "摘要": "summary"}


def _import_complaint(row: dict[str, str], ctx: ImportContext) -> str:
    values = clean_complaint(COMPLAINTS.data(row))
    mediator: Mediator = values["mediator"]
    if not in_scope(mediator, ctx.scope):
        raise out_of_scope(Msg("调解员「%(no)s」", no=mediator.staff_no), ctx.scope, "mediator")
    if find_same(values) is not None:
        return UNCHANGED
    create_complaint(values, actor=ctx.actor, scope=ctx.scope)
    return CREATED


COMPLAINTS = register(ImportSpec(
    kind="complaints",
    label=N_("投诉"),
    help="Import complaints (投诉) from FILE; a row equal to a stored complaint is skipped.",
    audit_table="complaint",
    columns=COMPLAINT_COLUMNS,
    # A mediator may have several complaints in one file: no key column whose repeats are
    # refused. A row equal to a stored complaint in every field is one already imported.
    key="",
    apply=_import_complaint,
    examples=[["M0001", "2024-05-20", "否", "当事人反映调解员未按约定时间到场"]],
    model=Complaint,
    synonyms={"是否属实": {"属实": "是", "不属实": "否", "Y": "是", "N": "否"}},
    choices={"是否属实": lambda: ["是", "否"]},
))


import_complaints = COMPLAINTS.run
