"""The case (案件) import: one row per case, keyed by 案件编号, all rows or none.

Rows go through evaluation.services (the same checks, rollup deltas and audit as the forms),
inside the all-or-nothing runner of network.imports. Re-importing a file updates cases by
案件编号 and leaves unchanged ones alone. Every message names the 案件编号 besides the row
number the runner adds, so a person can find the case in their own ledger.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportResult,
    ImportSpec,
    Progress,
    out_of_scope,
    run_import,
    same_values,
)
from network.models import Organization

from .models import Case
from .services import clean_case, create_case, in_scope, update_case

CASE_COLUMNS = {
    "案件编号": "case_no", "机构编码": "station", "调解员工号": "mediator",
    "受理日期": "received", "结案日期": "closed", "纠纷类型": "dispute_type",
    "标的金额": "amount_involved", "协议金额": "agreed_amount", "调解结果": "result",
    "调解方式": "method", "案件来源": "source", "司法确认": "judicial_confirmed",
    "履行情况": "fulfilment",
}


def _named(case_no: str, msg: Msg) -> Msg:
    return Msg("案件编号「%(no)s」：%(msg)s", no=case_no or "（空）", msg=str(msg))


def _apply(row: dict[str, str], ctx: ImportContext) -> str:
    data: dict[str, Any] = CASES.data(row)
    case_no = data["case_no"].strip()
    try:
        return _import_case(data, case_no, ctx)
    except ValidationError as exc:
        raise ValidationError({k: _named(case_no, m) for k, m in exc.errors.items()}) from exc
    except DomainError as exc:
        kind = OutOfScope if isinstance(exc, OutOfScope) else DomainError
        raise kind(_named(case_no, exc.message), field=exc.field) from exc


def _import_case(data: dict[str, Any], case_no: str, ctx: ImportContext) -> str:
    scope = ctx.scope
    existing = Case.get_or_none(Case.case_no == case_no) if case_no else None
    if existing is not None and not in_scope(existing, scope):
        raise out_of_scope(f"案件「{case_no}」", scope, "case_no")
    values = clean_case(data, existing)
    station: Organization = values["station"]
    if scope is not None and not scope.contains(station):
        raise out_of_scope(f"机构「{station.code}」", scope, "station")
    if existing is None:
        create_case(values, actor=ctx.actor, scope=scope)
        return CREATED
    if same_values(existing, values):
        return UNCHANGED
    update_case(existing, values, actor=ctx.actor, scope=scope)
    return UPDATED


CASES = ImportSpec(
    kind="cases",
    audit_table="case",
    columns=CASE_COLUMNS,
    key="案件编号",
    apply=_apply,
    example=["QD-2024-0001", "QD-EX", "M0001", "2024-03-01", "2024-03-15", "信用卡",
             "12000.00", "9000.00", "调解成功", "线上", "法院委派", "是", "已履行"],
)


def import_cases(path: str | Path, *, actor: str, scope: Organization | None,
                 filename: str | None = None, progress: Progress | None = None,
                 dry_run: bool = False) -> ImportResult:
    return run_import(CASES, path, actor=actor, scope=scope, filename=filename,
                      progress=progress, dry_run=dry_run)
