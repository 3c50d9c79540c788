"""The case (案件) import: one row per case, keyed by 案件编号, all rows or none.

Rows are checked by the same rules as the forms (`services.check_case`), inside the
all-or-nothing runner of network.imports, but a 100k-row file must not cost several queries
per row. So the import loads what the file refers to once (organisations with their paths,
the mediators named by 工号 and their assignments, the cases whose 案件编号 it repeats),
checks each row against those dictionaries and writes in bulk: new cases stream into the table
as they pass (on PostgreSQL the database indexes them while Python checks the next rows); once
every row passed, the changed cases (each with its audit record) and the rollup deltas summed
in memory per (organisation, month). A bad row anywhere rolls the whole transaction back,
streamed rows included. The runner's one import record summarises the file.
Re-importing a file updates cases by 案件编号 and leaves unchanged ones alone. Every message
names the 案件编号 besides the row number the runner adds.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple

import peewee as pw

from network import audit, bulk
from network.audit import diff, snapshot
from network.dates import local_today
from network.db import N_, db, is_postgres
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportResult,
    ImportSpec,
    out_of_scope,
    register,
    same_values,
    write_staged,
)
from network.models import Organization, now
from org.models import Assignment, Mediator

from . import rollups
from .kpis import as_date
from .models import DISPUTE_TYPES, FULFILMENTS, METHODS, RESULTS, SOURCES, Case
from .services import FIELDS, CaseLookups, check_case

CHUNK = 1000  # values per IN (...) look-up

# Headers as the files carry them (Chinese in every language); N_ marks the ones that
# the English error table needs and no field label already translates.
CASE_COLUMNS = {
    "案件编号": "case_no", "机构编码": "station", N_("调解员工号"): "mediator",
    "受理日期": "received", "结案日期": "closed", "纠纷类型": "dispute_type",
    "标的金额": "amount_involved", "协议金额": "agreed_amount", "调解结果": "result",
    "调解方式": "method", "案件来源": "source", "司法确认": "judicial_confirmed",
    "履行情况": "fulfilment",
}


class Unit(NamedTuple):
    """An organisation as the rules and the rollups need it."""

    id: int
    code: str
    name: str
    path: str


class Person(NamedTuple):
    id: int
    staff_no: str
    name: str
    station_id: int


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def _select_in(model: type[pw.Model], columns: list[pw.Field], key: pw.Field,
               values: list) -> list[tuple]:
    """Rows of `columns` where `key` is one of `values`: plain SQL with the values bound as
    they are, a page at a time. peewee would compile and convert each of a thousand
    parameters one by one (most of a large file's look-up time)."""
    names = ", ".join(f'"{c.column_name}"' for c in columns)
    sql = f'SELECT {names} FROM "{model._meta.table_name}" WHERE "{key.column_name}"'
    if is_postgres():  # one array parameter, one statement, whatever the count
        if not values:
            return []
        return db.execute_sql(f"{sql} = ANY(%s::{_pg_array_type(key)})",
                              [_pg_array(values)]).fetchall()
    out: list[tuple] = []
    for part in _chunks(sorted(values)):
        marks = ", ".join([db.param] * len(part))
        cursor = db.execute_sql(f"{sql} IN ({marks})", part)
        out.extend(cursor.fetchall())
    return out


def _pg_array_type(key: pw.Field) -> str:
    return "bigint[]" if isinstance(key, (pw.IntegerField, pw.ForeignKeyField)) else "text[]"


def _pg_array(values: list) -> str:
    """An array literal as one text parameter: psycopg2 would send a list as ARRAY[…] with one
    expression per element for the server to parse (100k 案件编号: 0.65 s instead of 0.3 s)."""
    if values and isinstance(values[0], int):
        return "{" + ",".join(str(v) for v in values) + "}"
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                          for v in values) + "}"


class PreloadedLookups(CaseLookups):
    """The answers `check_case` needs for one file, loaded in a few queries."""

    SCAN = ("调解员工号", "案件编号")

    def __init__(self, scanned: dict[str, set[str]], scope: Organization | None = None):
        super().__init__(scope)
        staff_nos = scanned["调解员工号"] - {""}
        case_nos = scanned["案件编号"] - {""}
        # Every organisation: besides the file's stations, the cases it updates may sit
        # anywhere, and the rollups need every ancestor's path.
        self.units = {u.id: u for u in (Unit(*row) for row in Organization.select(
            Organization.id, Organization.code, Organization.name, Organization.path).tuples())}
        self.by_code = {u.code: u for u in self.units.values()}
        self.people: dict[str, Person] = {
            row[1]: Person(*row) for row in _select_in(
                Mediator, [Mediator.id, Mediator.staff_no, Mediator.name, Mediator.station],
                Mediator.staff_no, list(staff_nos))}
        self.periods: dict[tuple[int, int], list] = defaultdict(list)
        for mediator_id, station_id, start, end in _select_in(
                Assignment, [Assignment.mediator, Assignment.station, Assignment.start,
                             Assignment.end], Assignment.mediator,
                [p.id for p in self.people.values()]):
            self.periods[(mediator_id, station_id)].append((as_date(start), as_date(end)))
        # Which 案件编号 exist first (plain rows), then whole cases for those only: a file of
        # new cases loads no model at all.
        ids = [row[0] for row in _select_in(Case, [Case.id], Case.case_no, list(case_nos))]
        self.existing: dict[str, Case] = {
            case.case_no: case for part in _chunks(ids)
            for case in Case.select().where(Case.id.in_(part))}

    def station(self, code: str) -> Unit | None:
        return self.by_code.get(code)

    def unit(self, org_id: int) -> Unit:
        return self.units[org_id]

    def mediator(self, staff_no: str) -> Person | None:
        return self.people.get(staff_no)

    def case_no_taken(self, case_no: str, own_id: int | None) -> bool:
        case = self.existing.get(case_no)
        return case is not None and case.id != own_id

    def assigned(self, mediator_id: int, station_id: int, day: dt.date) -> bool:
        for start, end in self.periods.get((mediator_id, station_id), ()):
            if start <= day and (end is None or end >= day):
                return True
        return False


INSERTED = [*FIELDS, "created_at", "updated_at"]
UPDATED_FIELDS = [*FIELDS, "updated_at"]


class Staged:
    """The file's writes and, for the cases it changes, their rollup deltas per (station,
    day), folded into months and spread over each station's ancestors once, at the end.

    New cases stream into the table while later rows are still being checked
    (`bulk.Inserter`), and reach the rollups at the end, summed by the database
    (`rollups.add_cases`); nothing is kept unless every row passed, since the runner rolls
    the transaction back otherwise."""

    def __init__(self, lookups: PreloadedLookups, ctx: ImportContext):
        self.lookups = lookups
        self.today = local_today()
        self.stamp = now()
        # a preview writes nothing: its rows are only checked
        self.sink = None if ctx.dry_run else ctx.closing.enter_context(
            bulk.Inserter(Case, INSERTED, order_by=("station", "received")))
        self.changed: list[tuple[Case, dict[str, Any]]] = []
        self.created = 0
        # the new rows are those above the highest id now that carry this import's stamp
        self.last_id = 0 if ctx.dry_run else Case.select(pw.fn.MAX(Case.id)).scalar() or 0
        self.deltas = rollups.StationDays()

    def create(self, values: dict[str, Any]) -> None:
        if self.sink is not None:
            self.sink.add((values["case_no"], values["station"].id, values["mediator"].id,
                           *[values[name] for name in FIELDS[3:]], self.stamp, self.stamp))
        self.created += 1

    def update(self, case: Case, values: dict[str, Any]) -> None:
        self.changed.append((case, values))
        self.deltas.add(case.station_id, case.__data__, -1)
        self.deltas.add(values["station"].id, values, 1)

    def write(self, actor: str) -> None:
        # spread the sums over the ancestors while the database still takes the last rows
        paths = {u.id: u.path for u in self.lookups.units.values()}
        spread = self.deltas.spread(paths)
        self.sink.close()
        if self.created:
            rollups.add_cases((Case.id > self.last_id) & (Case.created_at == self.stamp),
                              paths)
        stamp = now()
        bulk.update(Case, UPDATED_FIELDS, [
            (case.id, tuple(_stored(values, name) for name in FIELDS) + (stamp,))
            for case, values in self.changed])
        audit.record_many(actor, "update", "case", [
            self._audit(case, values) for case, values in self.changed], at=stamp)
        rollups.apply_spread(spread)

    def _audit(self, case: Case, values: dict[str, Any]) -> tuple:
        after = Case(**case.__data__)
        for name in FIELDS:
            setattr(after, name, _stored(values, name))
        changes = diff(snapshot(case, FIELDS), snapshot(after, FIELDS))
        return (case.id, str(after), changes, self.lookups.units[after.station_id].path)


def _stored(values: dict[str, Any], name: str) -> Any:
    value = values[name]
    return value.id if name in ("station", "mediator") else value


def _named(case_no: str, msg: Msg) -> Msg:
    return Msg("案件编号「%(no)s」：%(msg)s", no=case_no or Msg("（空）"), msg=msg)


def _prepare(ctx: ImportContext, scanned: dict[str, set[str]]) -> None:
    ctx.cache["staged"] = Staged(PreloadedLookups(scanned, ctx.scope), ctx)


def _apply(row: dict[str, str], ctx: ImportContext) -> str:
    data: dict[str, Any] = CASES.data(row)
    case_no = data["case_no"].strip()
    try:
        return _stage_case(data, case_no, ctx)
    except ValidationError as exc:
        raise ValidationError({k: _named(case_no, m) for k, m in exc.errors.items()}) from exc
    except DomainError as exc:
        kind = OutOfScope if isinstance(exc, OutOfScope) else DomainError
        raise kind(_named(case_no, exc.message), field=exc.field) from exc


def _stage_case(data: dict[str, Any], case_no: str, ctx: ImportContext) -> str:
    scope = ctx.scope
    staged: Staged = ctx.cache["staged"]
    lookups = staged.lookups
    existing = lookups.existing.get(case_no) if case_no else None
    if (existing is not None and scope is not None
            and not scope.contains(lookups.units[existing.station_id])):
        raise out_of_scope(Msg("案件「%(no)s」", no=case_no), scope, "case_no")
    # a station outside the scope is refused before the rules, whose messages would name it
    # and the mediator (services._check_station_first)
    named = lookups.station(data["station"].strip())
    if scope is not None and named is not None and not scope.contains(named):
        raise out_of_scope(Msg("机构「%(code)s」", code=named.code), scope, "station")
    values = check_case(data, lookups, own_id=existing.id if existing is not None else None,
                        today=staged.today)
    if existing is None:
        staged.create(values)
        return CREATED
    if same_values(existing, values):
        return UNCHANGED
    staged.update(existing, values)
    return UPDATED


def _write(ctx: ImportContext, result: ImportResult) -> None:
    staged: Staged = ctx.cache["staged"]
    write_staged(result, staged.sink, lambda: staged.write(ctx.actor))


CASES = register(ImportSpec(
    kind="cases",
    label=N_("案件"),
    help="Import cases (案件) from FILE; re-importing updates by 案件编号.",
    audit_table="case",
    columns=CASE_COLUMNS,
    key="案件编号",
    apply=_apply,
    prepare=_prepare,
    scan=PreloadedLookups.SCAN,
    finish=_write,
    row_savepoint=False,
    examples=[["QD-2024-0001", "QD-EX-01", "M0001", "2024-03-01", "2024-03-15", "信用卡",
               "12000.00", "9000.00", "调解成功", "线上", "法院委派", "是", "已履行"]],
    model=Case,
    synonyms={"调解结果": {"成功": "调解成功", "不成功": "调解不成功", "失败": "调解不成功",
                           "在办": "调解中", "办理中": "调解中"},
              "调解方式": {"线上调解": "线上", "线下调解": "线下", "现场调解": "线下"}},
    choices={"纠纷类型": lambda: list(DISPUTE_TYPES), "调解结果": lambda: list(RESULTS.values()),
             "调解方式": lambda: list(METHODS.values()), "案件来源": lambda: list(SOURCES),
             "司法确认": lambda: ["是", "否"], "履行情况": lambda: list(FULFILMENTS.values())},
))


import_cases = CASES.run
