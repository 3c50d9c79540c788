"""All-or-nothing imports of spreadsheet rows, and the station (机构) import.

The runner reads a file through `tabular`, hands each row to the importer of its kind, which
calls the ordinary services (so the rules live in one place), and collects every problem as
(row number, Chinese column header, reason). The whole file runs inside one transaction that
is rolled back when any row failed, or always for a dry run: the preview validates exactly
what the real import would do, including rows that refer to parents created earlier in the
same file.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import peewee as pw

from . import audit, services
from .db import N_, db
from .errors import DomainError, Msg, OutOfScope, ValidationError
from .headers import closest_header, header_lookup, normalise_header
from .limits import Limits
from .models import LEVELS, STATUSES, Organization, OrgKind
from .tabular import FileProblem, Table, open_table, write_csv, write_xlsx

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
Progress = Callable[[int, int], None]


@dataclass
class RowError:
    """One problem: `row` is the spreadsheet row (0 for the file as a whole)."""

    row: int
    column: str
    message: Msg

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message),
                **self.message.to_dict()}

    def as_msg(self) -> Msg:
        """Row, column and reason as one message (the command line prints it)."""
        if not self.row:
            return Msg("文件：%(msg)s", msg=self.message)
        if self.column:
            return Msg("第%(row)d行 [%(column)s]：%(msg)s", row=self.row,
                       column=Msg(self.column), msg=self.message)
        return Msg("第%(row)d行：%(msg)s", row=self.row, msg=self.message)

    def __str__(self) -> str:
        return str(self.as_msg())


@dataclass
class ImportResult:
    kind: str
    dry_run: bool = False
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # what was read as something else: 「名称」按「机构名称」读取, 「本科」按「大学本科」读取
    mapped: list[Msg] = field(default_factory=list)
    # what a row brought in that someone should look at but that does not stop the file (a
    # training session on a holiday): reported by the preview and the command, never refused
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict:
        return {"total": self.total, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged}


@dataclass
class ImportContext:
    """What a row importer may need besides its row: who acts, their scope, earlier rows."""

    actor: str
    scope: Organization | None
    dry_run: bool = False
    # What the importer opened for the file (e.g. a bulk writer), closed before the
    # transaction commits or rolls back, whatever happened.
    closing: ExitStack = field(default_factory=ExitStack)
    seen: dict[str, int] = field(default_factory=dict)  # key value → first row number
    # Look-ups reused from row to row (kinds, organisations by code), so that a large file
    # does not repeat the same query for every row that names the same parent.
    cache: dict[str, dict] = field(default_factory=dict)
    # the warnings of the row being imported (`warn`); kept only if the row passes
    row_warnings: list[Msg] = field(default_factory=list)

    def warn(self, message: Msg) -> None:
        self.row_warnings.append(message)

    def orgs(self) -> dict[str, Organization]:
        return self.cache.setdefault("orgs", {})

    def known_org(self, code: Any) -> Any:
        """The cached organisation for `code`, else `code` itself for the service to look up."""
        text = str(code or "").strip()
        return self.orgs().get(text, text)


@dataclass
class ImportSpec:
    """How one kind of file is imported.

    `columns` maps each Chinese header to the service field it feeds; `field_columns` names
    the header for service fields that are not columns themselves (e.g. a derived birth date).
    `apply` imports one row and returns CREATED/UPDATED/UNCHANGED, raising DomainError.
    """

    kind: str
    audit_table: str
    columns: dict[str, str]
    key: str
    apply: Callable[[dict[str, str], ImportContext], str]
    # The template's example rows: they import as they are on a fresh install (a bureau
    # trying the template sees it work; the rows of the later kinds refer to the earlier).
    examples: list[list[str]]
    # What people call the rows (the upload page's choice, the CLI's messages) and the CLI
    # command's help.
    label: str = ""
    help: str = ""
    field_columns: dict[str, str] = field(default_factory=dict)
    finish: Callable[[ImportContext, ImportResult], None] | None = None
    # Called once before the rows, e.g. to load every look-up the file needs at once, with
    # the distinct values of the `scan` columns (read in the pass that counts the rows); a
    # tuple of columns scans their values together, as tuples.
    prepare: Callable[[ImportContext, dict[Any, set]], None] | None = None
    scan: tuple[str | tuple[str, ...], ...] = ()
    # False when `apply` only checks rows and stages them in memory for `finish` to write:
    # a row that writes nothing needs no savepoint (two statements per row otherwise).
    row_savepoint: bool = True
    # The bureau's own words, kept as data (the import page and the template's 说明 sheet
    # list them): other headers a column may carry, and per column other words for its
    # values (学历「本科」 is 「大学本科」).
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    synonyms: dict[str, dict[str, str]] = field(default_factory=dict)
    # Columns a file may leave out, with what that means (N_ text).
    optional: dict[str, str] = field(default_factory=dict)
    # The values a column accepts, for the guide (a function: kinds are data).
    choices: dict[str, Callable[[], list[str]]] = field(default_factory=dict)
    # Account roles (org's role names) that may import this kind besides administrators and
    # managers: training coordinators keep their own sessions and attendance.
    extra_roles: tuple[str, ...] = ()
    # The model whose not-null fields without default make a cell required (for the guide).
    model: type[pw.Model] | None = None
    # More headers that, with `key`, identify a row (attendance: 场次编号 and 调解员工号).
    key_columns: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        return list(self.columns)

    @cached_property
    def lookup(self) -> dict[str, str]:
        return header_lookup(self.headers, self.aliases)

    def required(self, header: str) -> bool:
        field_ = self.model._meta.fields.get(self.columns[header]) if self.model else None
        return field_ is not None and not field_.null and field_.default is None

    def guide(self) -> list[dict[str, Any]]:
        """One entry per column: what the import page and the template's 说明 sheet show."""
        return [{"column": header, "required": self.required(header),
                 "optional": self.optional.get(header, ""),
                 "aliases": list(self.aliases.get(header, ())),
                 "values": self.choices[header]() if header in self.choices else [],
                 "synonyms": sorted(self.synonyms.get(header, {}).items())}
                for header in self.headers]

    def column_of(self, name: str | None) -> str:
        if not name:
            return ""
        for header, target in self.columns.items():
            if target == name:
                return header
        return self.field_columns.get(name, "")

    def run(self, path: str | Path, *, actor: str, scope: Organization | None,
            filename: str | None = None, progress: Progress | None = None,
            dry_run: bool = False) -> ImportResult:
        """Import the file with this spec (see run_import)."""
        return run_import(self, path, actor=actor, scope=scope, filename=filename,
                          progress=progress, dry_run=dry_run)

    def data(self, row: dict[str, str]) -> dict[str, str]:
        """The row by service field; an optional column the file left out is left out here
        too (the service then keeps the stored value, or the model's default)."""
        if len(row) == len(self.columns):  # every column there (a row holds only columns)
            return {name: row[header] for header, name in self.columns.items()}
        return {name: row[header] for header, name in self.columns.items() if header in row}


# Every kind of file the portal imports, registered by its package (`register`): the CLI's
# `import KIND`, the upload page and the template downloads all read this one table.
IMPORT_KINDS: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    if IMPORT_KINDS.setdefault(spec.kind, spec) is not spec:
        raise ValueError(f"import kind {spec.kind} registered twice")
    return spec


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (errors found, or a dry run)."""


@dataclass
class HeaderMap:
    """A file's header row read as the spec's columns."""

    headers: list[str]  # the file's headers, each replaced by the column it names
    renamed: list[Msg]  # 「名称」按「机构名称」读取, for each header that is not the column's own
    problem: Msg | None = None


def read_headers(spec: ImportSpec, headers: list[str]) -> HeaderMap:
    """Match each header cell (normalised) against the columns and their aliases."""
    lookup = spec.lookup
    named: list[str] = []
    renamed: list[Msg] = []
    unknown: list[str] = []
    for header in headers:
        column = lookup.get(normalise_header(header)) if header else ""
        if column is None:
            unknown.append(header)
            column = ""
        elif column and header != column:
            renamed.append(Msg("「%(header)s」按「%(column)s」读取",
                               header=header.replace("\n", " "), column=column))
        named.append(column)
    missing = [h for h in spec.headers if h not in named and h not in spec.optional]
    repeated = sorted(h for h, n in Counter(named).items() if h and n > 1)
    parts = []
    if missing:
        parts.append(Msg("缺少列：%(columns)s", columns="、".join(missing)))
    if unknown:
        parts.append(Msg("无法识别的列：%(columns)s",
                         columns=[_unknown_header(spec, h) for h in unknown]))
    if repeated:
        parts.append(Msg("重复的列：%(columns)s", columns="、".join(repeated)))
    problem = None
    if parts:
        problem = Msg("表头与模板不符（%(problems)s）。请下载模板，按模板的表头填写",
                      problems=parts)
    return HeaderMap(named, renamed, problem)


def _unknown_header(spec: ImportSpec, header: str) -> Msg:
    known = [name for column in spec.headers for name in (column, *spec.aliases.get(column, ()))]
    close = closest_header(header, known)
    if close is None:
        return Msg("%(header)s（没有相近的列）", header=header)
    return Msg("%(header)s（最接近的是「%(close)s」）", header=header, close=close)


def open_import_table(spec: ImportSpec, path: str | Path,
                      filename: str | None = None) -> tuple[Table, HeaderMap]:
    """The file opened with its headers read as the spec's columns (when they all are):
    rows then come keyed by column, whatever the file called them. The import limits are
    the administrator's settings."""
    table = open_table(path, filename, Limits.current())
    mapping = read_headers(spec, table.headers)
    if mapping.problem is None:
        table.headers = mapping.headers
    return table, mapping


def run_import(spec: ImportSpec, path: str | Path, *, actor: str, scope: Organization | None,
               filename: str | None = None, progress: Progress | None = None,
               dry_run: bool = False) -> ImportResult:
    """Import the whole file or nothing; the result lists every problem found."""
    result = ImportResult(kind=spec.kind, dry_run=dry_run)
    name = filename or Path(path).name
    try:
        table, mapping = open_import_table(spec, path, filename)
        if mapping.problem is not None:
            result.errors.append(RowError(0, "", mapping.problem))
            return result
        result.mapped.extend(mapping.renamed)
        scanned = table.scan(list(spec.scan))
        result.total = table.count()
        if result.total == 0:
            result.errors.append(RowError(0, "", Msg("文件中没有数据行")))
            return result
        ctx = ImportContext(actor=actor, scope=scope, dry_run=dry_run)
        # the columns of this file that have synonyms (none for cases: nothing per row)
        words = [(h, spec.synonyms[h]) for h in table.headers if h in spec.synonyms]
        used: dict[tuple[str, str], str] = {}
        with db.atomic(), ctx.closing:
            if spec.prepare is not None:
                spec.prepare(ctx, scanned)
            for done, (number, row) in enumerate(table.rows(), start=1):
                for header, synonyms in words:
                    ours = synonyms.get(row[header])
                    if ours is not None:
                        used[(header, row[header])] = ours
                        row[header] = ours
                _import_row(spec, ctx, number, row, result)
                if progress is not None:
                    progress(done, result.total)
            if spec.finish is not None:
                spec.finish(ctx, result)
            result.mapped.extend(
                Msg("%(column)s「%(word)s」按「%(ours)s」读取", column=header, word=word,
                    ours=Msg(ours)) for (header, word), ours in sorted(used.items()))
            if result.errors or dry_run:
                raise _Rollback
            audit.record(actor, "import", spec.audit_table, "", name,
                         {"file": name, **result.counts()},
                         org_path=scope.path if scope is not None else "")
    except _Rollback:
        pass
    except FileProblem as exc:
        result.errors.append(RowError(0, "", exc.message))
    return result


def write_staged(result: ImportResult, sink: Any, write: Callable[[], None]) -> None:
    """The `finish` of an import that stages its rows: write only once every row has passed and
    never for a preview (the rows a sink streamed so far then go with the rollback); the
    database refusing the file is the file's one error, not a traceback."""
    if result.errors or result.dry_run:
        if sink is not None:
            sink.abandon()
        return
    try:
        write()
    except pw.DatabaseError as exc:
        result.errors.append(RowError(0, "", Msg("数据库拒绝了导入：%(reason)s",
                                                 reason=str(exc).splitlines()[0])))


def row_key(spec: ImportSpec, row: dict[str, str]) -> str:
    """The row's identity in the file ("" when a key cell is empty: nothing to compare)."""
    parts = [(row.get(header) or "").strip() for header in (spec.key, *spec.key_columns)]
    return " / ".join(parts) if all(parts) else ""


def _import_row(spec: ImportSpec, ctx: ImportContext, number: int, row: dict[str, str],
                result: ImportResult) -> None:
    key = row_key(spec, row)
    if key in ctx.seen:
        result.errors.append(RowError(number, spec.key, Msg(
            "%(column)s「%(value)s」在文件中重复（第%(first)d行已有）",
            column="+".join((spec.key, *spec.key_columns)), value=key,
            first=ctx.seen[key])))
        return
    ctx.row_warnings.clear()
    try:
        # a savepoint: a refused row leaves the transaction usable
        with db.atomic() if spec.row_savepoint else nullcontext():
            outcome = spec.apply(row, ctx)
    except ValidationError as exc:
        for name, msg in exc.errors.items():
            result.errors.append(RowError(number, spec.column_of(name), msg))
    except DomainError as exc:
        column = spec.column_of(exc.field) or (spec.key if isinstance(exc, OutOfScope) else "")
        result.errors.append(RowError(number, column, exc.message))
    except pw.DatabaseError as exc:
        result.errors.append(RowError(number, "", Msg("数据库拒绝了该行：%(reason)s",
                                                      reason=str(exc).splitlines()[0])))
    else:
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.warnings.extend(RowError(number, "", message) for message in ctx.row_warnings)
    finally:
        if key:
            ctx.seen[key] = number


def out_of_scope(what: Msg, scope: Organization, column_field: str) -> OutOfScope:
    return OutOfScope(Msg("超出管辖范围：%(what)s不在「%(scope)s」之下", what=what,
                          scope=scope.name), field=column_field)


def code_for(value: str, table: dict[Any, str]) -> Any:
    """A stored code for a Chinese label (`县级` → 2); anything else is passed on as typed,
    for the service to refuse with its own message."""
    text = (value or "").strip()
    for code, label in table.items():
        if label == text:
            return code
    return text


def _same(current: Any, new: Any) -> bool:
    if isinstance(current, pw.Model) or isinstance(new, pw.Model):
        return getattr(current, "id", current) == getattr(new, "id", new)
    if isinstance(current, Decimal | float) or isinstance(new, Decimal | float):
        if current is None or new is None:
            return current is None and new is None
        return round(Decimal(str(current)), 6) == round(Decimal(str(new)), 6)
    if isinstance(current, dt.datetime):
        current = current.date()
    return (current if current != "" else None) == (new if new != "" else None)


def same_values(instance: pw.Model, values: dict[str, Any]) -> bool:
    """True when saving the cleaned `values` would change nothing on `instance`."""
    for name, value in values.items():
        field_ = instance._meta.fields.get(name)
        if isinstance(field_, pw.ForeignKeyField):
            current = instance.__data__.get(name)
            if current != (value.id if value is not None else None):
                return False
        elif not _same(getattr(instance, name), value):
            return False
    return True


GUIDE_HEADERS = ["列", "必填", "也可写作（表头）", "可填的值", "同义词（按右侧读取）", "说明"]


def guide_rows(spec: ImportSpec) -> list[list[str]]:
    """The template's 说明 sheet: a row per column (Chinese, as the files are)."""
    return [[g["column"], "是" if g["required"] else "否", "、".join(g["aliases"]),
             "、".join(g["values"]), "、".join(f"{w}→{o}" for w, o in g["synonyms"]),
             g["optional"]] for g in spec.guide()]


def template_file(spec: ImportSpec, fmt: str) -> bytes:
    """The headers and the example rows, as CSV (with BOM) or XLSX with a 说明 sheet."""
    if fmt == "csv":
        return write_csv(spec.headers, spec.examples)
    if fmt == "xlsx":
        return write_xlsx(spec.headers, spec.examples, title=spec.kind,
                          notes=(GUIDE_HEADERS, guide_rows(spec)))
    raise DomainError(Msg("模板格式只能是 csv 或 xlsx"))


# --- stations -------------------------------------------------------------------------------

# Headers as the files carry them (Chinese in every language); N_ marks the ones that
# the English error table needs and no field label already translates.
STATION_COLUMNS = {
    "机构编码": "code", "机构名称": "name", "层级": "level", N_("上级机构编码"): "parent",
    "机构类型": "kind", "行政区划代码": "division_code", "地址": "address", "电话": "phone",
    "成立日期": "founded", "经度": "longitude", "纬度": "latitude", "状态": "status",
}


def _import_station(row: dict[str, str], ctx: ImportContext) -> str:
    data: dict[str, Any] = STATIONS.data(row)
    data["level"] = code_for(data["level"], LEVELS)
    if "status" in data:
        data["status"] = code_for(data["status"], STATUSES) or None
    kinds = ctx.cache.setdefault("kinds", {k.name: k for k in OrgKind.select()})
    data["kind"] = kinds.get(data["kind"].strip(), data["kind"])
    data["parent"] = ctx.known_org(data["parent"])
    scope = ctx.scope
    existing = Organization.get_or_none(Organization.code == data["code"].strip())
    if existing is not None and scope is not None and not scope.contains(existing):
        raise out_of_scope(Msg("机构「%(code)s」", code=existing.code), scope, "code")
    values = services._clean(data, existing)
    parent = values.get("parent")
    if parent is not None:
        ctx.orgs()[parent.code] = parent
        data["parent"] = parent
    if existing is not None and same_values(existing, values):
        return UNCHANGED
    moves = existing is None or (parent.id if parent else None) != existing.parent_id
    if scope is not None and moves and (parent is None or not scope.contains(parent)):
        what = (Msg("上级机构「%(code)s」", code=parent.code) if parent
                else Msg("无上级机构的机构"))
        raise out_of_scope(what, scope, "parent")
    if existing is None:
        org = services.create_org(data, actor=ctx.actor, scope=scope)
        outcome = CREATED
    else:
        org = services.update_org(existing, data, actor=ctx.actor, scope=scope)
        outcome = UPDATED
        if moves:  # the subtree's paths changed: cached organisations may be stale
            ctx.orgs().clear()
    ctx.orgs()[org.code] = org
    return outcome


def _explain_parents(ctx: ImportContext, result: ImportResult) -> None:
    """An unknown parent that the file itself defines is an ordering or follow-on problem."""
    for error in result.errors:
        if error.column != "上级机构编码" or "上级机构「%(code)s」不存在" != error.message.template:
            continue
        code = str(error.message.params.get("code", ""))
        where = ctx.seen.get(code)
        if where is None:
            continue
        if where > error.row:
            error.message = Msg("上级机构「%(code)s」在文件第%(where)d行，须排在本行之前",
                                code=code, where=where)
        else:
            error.message = Msg("上级机构「%(code)s」（第%(where)d行）未能导入", code=code,
                                where=where)


STATIONS = register(ImportSpec(
    kind="stations",
    label=N_("机构"),
    help="Import organisations (机构) from FILE.",
    audit_table="organization",
    columns=STATION_COLUMNS,
    key="机构编码",
    apply=_import_station,
    examples=[["QD-EX", "示例市金融纠纷调解中心", "市级", "", "调解中心", "370200",
               "山东省青岛市市南区香港中路1号", "0532-12345678", "2020-01-01", "120.382600",
               "36.067100", "运行"],
              ["QD-EX-01", "示例区金融纠纷调解工作站", "县级", "QD-EX", "调解工作站", "370202",
               "山东省青岛市市南区中山路1号", "0532-87654321", "2021-01-01", "120.318600",
               "36.066100", "运行"]],
    finish=_explain_parents,
    model=Organization,
    aliases={"机构名称": ("名称",), "机构类型": ("类型",), "电话": ("联系电话",),
             N_("上级机构编码"): ("上级编码",), "层级": ("机构层级",),
             "行政区划代码": ("区划代码",)},
    synonyms={"层级": {"省": "省级", "市": "市级", "区县": "县级", "县区": "县级",
                       "县": "县级", "区": "县级", "社区": "社区级"},
              "状态": {"正常": "运行", "停用": "暂停", "注销": "撤销"}},
    optional={"状态": N_("可省略：新机构为「运行」，已有机构不变")},
    choices={"层级": lambda: list(LEVELS.values()), "状态": lambda: list(STATUSES.values()),
             "机构类型": lambda: [k.name for k in OrgKind.select().where(OrgKind.active)
                              .order_by(OrgKind.sort_order, OrgKind.id)]},
))


import_stations = STATIONS.run
