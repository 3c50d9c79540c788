"""The bases every page of the portal is built on: who may open it (RoleAccess), the
caller's jurisdiction (current_scope, scoped_org), model views scoped on every path
(ScopedView), plain pages (Page) and the XLSX download.

Flask-Admin routes list/count/search/export through `get_query`, but edit/details by id, bulk
delete, ajax look-ups and the foreign-key dropdowns of forms do not: each is overridden here
so that no view can forget one.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from urllib.parse import quote

from flask import (
    Response,
    abort,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_admin.babel import gettext as admin_gettext
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.ajax import QueryAjaxModelLoader
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from network.cells import safe_cell
from network.dates import local_now
from network.errors import DomainError, ValidationError
from network.models import CITY, Organization
from network.services import CODE_RE
from network.sheets import export_book
from network.tree import in_subtree, subtree_ids
from org.accounts import scope_of
from org.models import ADMIN, MANAGER, MEDIATOR, TRAINER, Mediator
from org.services import in_scope

from ..forms import CSRFForm, apply_errors, tr

MAX_PK = 2**63 - 1
MAX_PAGE = 10**6


def as_pk(value) -> int | None:
    """A primary key typed into a URL or form, or None: non-numbers and numbers beyond the
    databases' integer range (which make the drivers raise) identify no row."""
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= MAX_PK else None


def as_pks(values) -> list[int]:
    return [pk for pk in map(as_pk, values) if pk is not None]


def plain_text(value: str | None) -> str | None:
    """User search text without NUL characters, which PostgreSQL refuses in any string."""
    return value.replace("\x00", "") if value else value


def _known_pk(get_model):
    def guarded(pk):
        return None if as_pk(pk) is None else get_model(pk)

    return guarded


def current_scope():
    """Cached per request: the organisation whose subtree the user may see (None: all)."""
    if "scope" not in g:
        g.scope = scope_of(current_user)
    return g.scope


def acts_for_the_city() -> bool:
    """The system administrator, or a manager whose jurisdiction is a city or above: who
    decides what the city decides (promotion rounds, training requirements)."""
    if current_user.role == ADMIN:
        return True
    scope = current_scope()
    return current_user.role == MANAGER and scope is not None and scope.level <= CITY


def scoped_org(code: str | None = None, *, pk=None) -> Organization:
    """The organisation named by `code` (or id `pk`) if it lies in the caller's jurisdiction.

    The one place that answers "may this caller look at that unit": 404 (werkzeug NotFound)
    when no such unit exists, the text cannot be a code or id, or the unit lies outside the
    scope — the same answer, so codes and ids cannot be probed across jurisdictions. Pages let
    the exception answer; the API and JSON endpoints turn it into their own error body.
    """
    org = None
    if pk is not None:
        pk = as_pk(pk)
        org = Organization.get_or_none(Organization.id == pk) if pk is not None else None
    else:
        text = (code or "").strip()
        if CODE_RE.match(text):
            org = Organization.get_or_none(Organization.code == text)
    if org is None:
        abort(404)
    scope = current_scope()
    if scope is not None and not scope.contains(org):
        abort(404)
    return org


def visible_mediator(pk=None, staff_no: str | None = None) -> Mediator:
    """The mediator, or 404 when there is none or they lie outside the caller's jurisdiction
    (the same answer, so 工号 and ids cannot be probed; a mediator's account reaches only its
    own record)."""
    mediator = None
    # with its station in the same statement: the scope check and every page read it
    query = (Mediator.select(Mediator, Organization)
             .join(Organization, on=(Mediator.station == Organization.id)))
    if staff_no is not None:
        text = staff_no.strip()
        if text and len(text) <= 32 and "\x00" not in text:  # PostgreSQL refuses a NUL
            mediator = query.where(Mediator.staff_no == text).first()
    else:
        pk = as_pk(pk)
        mediator = query.where(Mediator.id == pk).first() if pk is not None else None
    if mediator is None:
        abort(404)
    if current_user.role == MEDIATOR:
        if current_user.mediator_id != mediator.id:
            abort(404)
    elif not in_scope(mediator, current_scope()):
        abort(404)
    return mediator


def chosen_org() -> Organization | None:
    """The unit a page is about: `?org=CODE` inside the scope, else the caller's own (the
    first root for a user who sees everything; None on an empty network)."""
    code = (request.args.get("org") or "").strip()
    if code:
        return scoped_org(code)
    scope = current_scope()
    if scope is not None:
        return scope if scope.id else None
    return (Organization.select().where(Organization.parent.is_null())
            .order_by(Organization.code).first())


def json_error(status: int, error: str, message: str):
    return jsonify({"error": error, "message": message}), status


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_notes(extra=()) -> list[tuple[str, object]]:
    """What every export records beside its table: when, for whom (the jurisdiction), then
    the page's own conditions (unit, period, filters)."""
    scope = current_scope() if has_request_context() and current_user.is_authenticated else None
    notes = [(gettext("导出时间"), local_now()),
             (gettext("管辖范围"), f"{scope.code} {scope.name}" if scope is not None and scope.id
              else gettext("全部机构"))]
    return notes + list(extra)


def xlsx_download(title: str, headers: list[str], rows: list[list], notes=(),
                  formats: dict[int, str] | None = None, sheet: str | None = None) -> Response:
    """An XLSX attachment (see network.sheets) whose Chinese file name survives (RFC 5987
    `filename*`); `notes` are the (label, value) conditions that produced the table, `sheet`
    the list's name when the file name says more (unit, period)."""
    book = export_book(sheet or title, headers, rows, notes_title=gettext("筛选条件"),
                       notes=export_notes(notes), formats=formats)
    name = f"{title}_{local_now():%Y%m%d_%H%M%S}.xlsx"
    response = Response(book, mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=export.xlsx; filename*=UTF-8''{quote(name)}")
    return response


class RoleAccess:
    """Mixin for Flask-Admin views: anonymous users go to the log-in page, a logged-in user
    whose role is not in `roles` gets 403 (never a redirect loop, never the page)."""

    roles: tuple[str, ...] = (ADMIN, MANAGER)

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.role in self.roles

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


class Page(RoleAccess, BaseView):
    """A plain logged-in page (not a model list) for the roles that watch the network."""

    roles: tuple[str, ...] = (ADMIN, MANAGER, TRAINER)


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """Ajax look-up that offers and accepts only rows the view's scope allows."""

    def __init__(self, name, model, restrict, **options):
        super().__init__(name, model, **options)
        self.restrict = restrict

    def get_one(self, pk):
        pk = as_pk(pk)
        if pk is None:
            return None
        return self.restrict(self.model.select()).where(self.model._meta.primary_key == pk).first()

    def get_list(self, term, offset=0, limit=10):
        query = self.restrict(self.model.select())
        term = plain_text(term)
        if term:
            cond = None
            for field in self._cached_fields:
                part = field ** f"%{term}%"
                cond = part if cond is None else (cond | part)
            query = query.where(cond)
        # Typed into the URL: past the last row is an empty page, and a negative or huge
        # number must not reach the driver (OverflowError) or PostgreSQL (negative OFFSET).
        offset = max(0, offset or 0)
        if offset > MAX_PK:
            return []
        return list(query.order_by(self.model._meta.primary_key).offset(offset)
                    .limit(min(max(1, limit or 10), 50)))


# Columns every table has; the others are labelled by their model field's verbose_name.
COMMON_LABELS = {"created_at": lazy_gettext("创建时间"), "updated_at": lazy_gettext("更新时间")}


class ScopedView(RoleAccess, ModelView):
    """A model view whose column and form labels come from the model (each field's
    verbose_name), so a view names only the columns the model does not."""

    form_base_class = CSRFForm
    can_view_details = True
    can_export = True
    export_types = ["xlsx", "csv"]
    export_max_rows = 100000
    page_size = 20
    can_set_page_size = True
    list_template = "admin/portal_list.html"
    # Roles that may open the view at all; scoping then narrows what they see.
    roles: tuple[str, ...] = (ADMIN, MANAGER)
    # Roles that may change rows (others get a read-only view).
    write_roles: tuple[str, ...] = (ADMIN, MANAGER)
    # {form field: Model} for foreign keys whose choices must follow the scope.
    scoped_refs: dict = {}
    audit_table = ""
    # get_query already joins every model a filter or a sort names: Flask-Admin's own join
    # would join one a second time, or from the last model joined (an error, a 500)
    query_joins_all = False

    def _handle_join(self, query, field, joins):
        return query if self.query_joins_all else super()._handle_join(query, field, joins)

    def __init__(self, model, *args, **kwargs):
        declared = {name: lazy_gettext(field.verbose_name)
                    for name, field in model._meta.fields.items() if field.verbose_name}
        self.column_labels = {**COMMON_LABELS, **declared, **(self.column_labels or {})}
        # Flask-Admin does not pass column labels to forms: the same labels, unless a view
        # gives a field its own.
        form_args = {name: dict(options) for name, options in (self.form_args or {}).items()}
        for name, text in self.column_labels.items():
            if name in model._meta.fields:
                form_args.setdefault(name, {}).setdefault("label", text)
        self.form_args = form_args
        super().__init__(model, *args, **kwargs)

    # --- access -----------------------------------------------------------------------------

    def _writable(self) -> bool:
        if not has_request_context():  # Flask-Admin builds its action list at start-up
            return True
        return current_user.is_authenticated and current_user.role in self.write_roles

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self._writable() and self.allow_create

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self._writable() and self.allow_edit

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self._writable() and self.allow_delete

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """A reading role sent to the form (a bookmark, a typed URL) is told why it is back
        at the list; Flask-Admin redirected without a word."""
        if self.allow_create and not self.can_create:
            flash(gettext("您只能查看，不能新增或修改"), "warning")
            return redirect(self.get_url(".index_view"))
        return super().create_view()

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        if self.allow_edit and not self.can_edit:
            flash(gettext("您只能查看，不能新增或修改"), "warning")
            return redirect(self.get_url(".index_view"))
        return super().edit_view()

    allow_create = True
    allow_edit = True
    allow_delete = True

    # --- scope ------------------------------------------------------------------------------
    def scope_query(self, query, scope):
        """Narrow `query` to rows under `scope` (never called with None)."""
        raise TypeError(f"{type(self).__name__} must say how its rows are scoped")

    def restrict(self, query):
        scope = current_scope()
        return query if scope is None else self.scope_query(query, scope)

    def restrict_ref(self, model, query):
        """Choices of a form reference (dropdown, ajax look-up) inside the user's scope:
        organisations of the subtree, and people whose station lies in it."""
        scope = current_scope()
        if scope is None:
            return query
        if model is Organization:
            return query.where(in_subtree(Organization.path, scope))
        if model is Mediator:
            return query.where(Mediator.station.in_(subtree_ids(scope)))
        return query

    def get_query(self):
        return self.restrict(self.model.select())

    def _get_list_extra_args(self):
        """Page and search as typed into the URL, kept inside what the databases accept (a
        negative or huge OFFSET, a NUL byte) so that no URL answers 500."""
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        args.search = plain_text(args.search) or None
        return args

    def get_count_query(self):
        return self.get_query()

    def get_one(self, id):
        pk = as_pk(id)
        if pk is None:
            return None
        return self.get_query().where(self.model._meta.primary_key == pk).first()

    def _create_ajax_loader(self, name, options):
        model = self.scoped_refs.get(name) or getattr(self.model, name).rel_model
        return ScopedAjaxLoader(name, model, lambda q: self.restrict_ref(model, q), **options)

    def _scope_form(self, form):
        for field in form:
            if hasattr(field, "get_model") and hasattr(field, "query"):
                # wtf-peewee's dropdowns query the id as typed: one beyond 64 bits is a 500.
                field.get_model = _known_pk(field.get_model)
        for name, model in self.scoped_refs.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "query"):
                field.query = self.restrict_ref(model, model.select())
        return form

    def create_form(self, obj=None):
        return self._scope_form(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._scope_form(super().edit_form(obj))

    def _get_column_by_idx(self, idx):
        """A sort index typed into the URL for a column that cannot be sorted is ignored."""
        column = super()._get_column_by_idx(idx)
        if column is not None and column[0] not in self._sortable_columns:
            return None
        return column

    def _get_filter_groups(self):
        """Rebuild filter options on each request: they depend on the data and on the user."""
        if has_request_context():
            self._refresh_filters_cache()
        return super()._get_filter_groups()

    # --- writes through the domain services ----------------------------------------------------
    def form_data(self, form) -> dict:
        """The submitted values of the fields the form shows (csrf token left out)."""
        return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}

    def create_record(self, data: dict):
        raise DomainError(gettext("不允许新增"))

    def update_record(self, model, data: dict):
        raise DomainError(gettext("不允许修改"))

    def delete_record(self, model) -> None:
        raise DomainError(gettext("不允许删除"))

    def _service_call(self, form, call):
        try:
            return call()
        except ValidationError as exc:
            leftover = apply_errors(form, exc.errors) if form is not None else []
            flash(gettext("保存失败，请更正标出的错误") + ("：" + "；".join(leftover) if leftover else ""),
                  "error")
        except DomainError as exc:
            flash(tr(exc.message), "error")
        return None

    def create_model(self, form):
        return self._service_call(form, lambda: self.create_record(self.form_data(form))) or False

    def update_model(self, form, model):
        return bool(self._service_call(form, lambda: self.update_record(model,
                                                                        self.form_data(form))))

    def delete_model(self, model):
        if self.get_one(model.id) is None:
            flash(gettext("超出您的管辖范围"), "error")
            return False
        return self._service_call(None, lambda: self.delete_record(model) or True) or False

    def is_action_allowed(self, name) -> bool:
        """Every bulk action changes rows: read-only roles get none (not only `delete`)."""
        return self._writable() and super().is_action_allowed(name)

    # Re-declared with @action: Flask-Admin collects actions from the most derived class's
    # attribute, so an undecorated override would silently remove bulk delete.
    @action("delete", lazy_gettext("删除"), lazy_gettext("确定删除所选记录？"))
    def action_delete(self, ids):
        count = 0
        for row in self.get_query().where(self.model._meta.primary_key.in_(
                as_pks(ids))):
            if self.delete_model(row):
                count += 1
        if count:
            flash(gettext("已删除%(n)d条记录", n=count), "success")

    def search_placeholder(self):
        """Name the searched columns (the peewee backend gives None, shown as "None")."""
        names = [str(self.column_labels.get(n, n)) for n in self.column_searchable_list or []]
        return "、".join(names) or admin_gettext("Search")

    # --- export -----------------------------------------------------------------------------
    def get_export_name(self, export_type="csv"):
        return f"{self.name}_{local_now():%Y%m%d_%H%M%S}.{export_type}"

    def _attachment(self, response, export_type):
        name = self.get_export_name(export_type)
        ascii_name = f"export.{export_type}"
        response.headers["Content-Disposition"] = (
            f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(name)}")
        return response

    def get_export_value(self, model, name):
        """Every list export (CSV and XLSX) goes through here: no cell runs as a formula."""
        return safe_cell(super().get_export_value(model, name))

    def _export_csv(self, return_url):
        """CSV with a BOM, so Excel on Windows reads the Chinese correctly."""
        response = super()._export_csv(return_url)
        response.response = itertools.chain(["\ufeff"], response.response)
        response.mimetype = "text/csv"
        response.charset = "utf-8"
        return self._attachment(response, "csv")

    # Foreign keys exported as two columns, the code and the name: {model: (code, name)}.
    EXPORT_PAIRS = {Organization: ("code", "name"), Mediator: ("staff_no", "name")}

    def _export_pair_headers(self, name: str, label: str) -> list[str]:
        field = self.model._meta.fields.get(name)
        if field is None or not hasattr(field, "rel_model") \
                or field.rel_model not in self.EXPORT_PAIRS:
            return [label]
        if field.rel_model is Organization and name in ("station", "organization"):
            return [gettext("机构编码"), gettext("机构名称")]
        if field.rel_model is Mediator:
            return [gettext("%(label)s工号", label=label), gettext("%(label)s姓名", label=label)]
        return [gettext("%(label)s编码", label=label), gettext("%(label)s名称", label=label)]

    def _export_cells(self, row, name: str, width: int) -> list:
        """A row's value(s) for one export column, typed where the model stores a number or
        a date (formatters give text), code and name for a foreign key."""
        field = self.model._meta.fields.get(name)
        if width == 2:
            related_row = getattr(row, name)
            if related_row is None:
                return [None, None]
            code, title = self.EXPORT_PAIRS[field.rel_model]
            return [getattr(related_row, code), getattr(related_row, title)]
        raw = getattr(row, name, None) if field is not None else None
        if isinstance(raw, Decimal) and getattr(field, "decimal_places", 2) != 2:
            # the sheet writes a Decimal as yuan, rounded to the cent; coordinates (6
            # places) and hours (1) are plain numbers
            return [float(raw)]
        if isinstance(raw, (Decimal, dt.date)) or (
                isinstance(raw, (int, float)) and not isinstance(raw, bool)
                and name not in (self.column_formatters_export or {})):
            return [raw]
        value = self.get_export_value(row, name)
        return [None if value in (None, "") else str(value)]

    def export_filters(self) -> list[tuple[str, object]]:
        """The list's filters and search as the user set them, for the export's notes."""
        args = self._get_list_extra_args()
        notes = []
        for index, _name, value in args.filters or []:
            flt = self._filters[index]
            notes.append((f"{flt.name} {flt.operation()}", value))
        if args.search:
            notes.append((gettext("搜索"), args.search))
        return notes or [(gettext("筛选条件"), gettext("无"))]

    def _export_tablib(self, export_type, return_url):
        if export_type != "xlsx":
            return self._attachment(super()._export_tablib(export_type, return_url),
                                    export_type)
        columns = [(name, self._export_pair_headers(name, str(label)))
                   for name, label in self._export_columns]
        headers = [h for _name, pair in columns for h in pair]
        _count, data = self._export_data()
        rows = [[cell for name, pair in columns
                 for cell in self._export_cells(row, name, len(pair))] for row in data]
        return xlsx_download(str(self.name), headers, rows, self.export_filters())
