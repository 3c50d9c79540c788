"""The mediator (调解员) import: one row per mediator, keyed by 工号.

Rows go through clean_mediator / create_mediator / update_mediator, so the checks of the
registry (身份证号 checksum, gender and birth date against it, mobile numbers, open stations)
are the same as in the forms. The runner in network.imports makes the file all-or-nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from network.db import N_
from network.errors import Msg, ValidationError
from network.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportResult,
    ImportSpec,
    Progress,
    code_for,
    out_of_scope,
    run_import,
    same_values,
)
from network.models import Organization

from .models import ASSIGNMENT_KINDS, Mediator
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


def _import_mediator(row: dict[str, str], ctx: ImportContext) -> str:
    data: dict[str, Any] = MEDIATORS.data(row)
    raw_kind = data.pop("kind")
    data["station"] = ctx.known_org(data["station"])
    scope = ctx.scope
    existing = Mediator.get_or_none(Mediator.staff_no == data["staff_no"].strip())
    if existing is not None and not in_scope(existing, scope):
        # The words of a taken 工号 in a form, not "outside your jurisdiction", which would
        # confirm where the person works. That the 工号 is taken cannot be hidden (it is unique).
        raise ValidationError({"staff_no": Msg("工号「%(no)s」已存在", no=existing.staff_no)})
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
    if errors:
        raise ValidationError(errors)
    station: Organization = values["station"]
    ctx.orgs()[station.code] = data["station"] = station
    if scope is not None and not scope.contains(station):
        raise out_of_scope(Msg("机构「%(code)s」", code=station.code), scope, "station")
    if existing is None:
        create_mediator(data, actor=ctx.actor, scope=scope, kind=kind)
        return CREATED
    current = primary_assignment(existing)
    if same_values(existing, values) and (current is None or current.kind == kind):
        return UNCHANGED
    update_mediator(existing, data, actor=ctx.actor, scope=scope, kind=kind)
    return UPDATED


MEDIATORS = ImportSpec(
    kind="mediators",
    audit_table="mediator",
    columns=MEDIATOR_COLUMNS,
    key="工号",
    apply=_import_mediator,
    example=["M0001", "张三", "男", "110101199003071233", "13800138000", "大学本科",
             "金融法律", "中共党员", "兼职", "青岛银行市南支行", "2022-03-01", "在岗", "QD-EX",
             "常驻"],
    field_columns={"birth_date": "身份证号", "start": "所属机构编码", "kind": "驻点方式"},
)


def import_mediators(path: str | Path, *, actor: str, scope: Organization | None,
                     filename: str | None = None, progress: Progress | None = None,
                     dry_run: bool = False) -> ImportResult:
    return run_import(MEDIATORS, path, actor=actor, scope=scope, filename=filename,
                      progress=progress, dry_run=dry_run)


