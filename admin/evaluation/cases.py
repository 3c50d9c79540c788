"""Case ledger (案件台账): list, details, create, edit, delete and export, scoped by station.

Every write goes through evaluation.services, so the form obeys the same rules as the import
and the rollups move with each change. The station and mediator look-ups offer only what
lies in the user's subtree.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw
from flask import g, request
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import SelectField, StringField

from evaluation import search, services
from evaluation.kpis import cases_registered
from evaluation.models import DISPUTE_TYPES, FULFILMENTS, METHODS, RESULTS, SOURCES, Case
from network.models import Organization
from network.tree import subtree_ids
from org.models import ADMIN, MANAGER, TRAINER, Mediator

from ..i18n import label
from ..views import totals
from ..views.base import ScopedView, current_scope
from ..views.filters import DateFromFilter, DateToFilter, EqualFilter, SubtreeFilter
from ..views.formatting import choice, choices, linked, related, yes_no
from ..views.totals import Total, bounded_total, exact_requested


def _station(view, context, model, name):
    return model.station.name


def _mediator(view, context, model, name):
    return f"{model.mediator.name}（{model.mediator.staff_no}）"


def _amount(view, context, model, name):
    value = getattr(model, name)
    return "" if value is None else f"{value:,.2f}"


def _key(text: str | None) -> tuple[dt.date, int] | None:
    """`?after=2025-03-01.123` (the last row's 受理日期 and id), or None if malformed."""
    try:
        day, pk = (text or "").split(".")
        key = dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return None
    return key if 0 < key[1] < 2**63 else None


class CaseView(ScopedView):
    query_joins_all = True
    # Training coordinators read the ledger of their subtree; only managers and admins write.
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, MANAGER)
    audit_table = "case"
    import_endpoint = "imports.index"

    column_list = ["case_no", "station", "mediator", "received", "closed", "dispute_type",
                   "amount_involved", "agreed_amount", "result", "method"]
    column_details_list = column_list + ["source", "judicial_confirmed", "fulfilment",
                                         "created_at", "updated_at"]
    column_export_list = column_details_list
    column_searchable_list = ["case_no"]
    # Every listed column sorts: a sort index typed into the URL for one that did not would
    # be a KeyError in Flask-Admin.
    column_sortable_list = ["case_no", ("station", Organization.name), ("mediator", Mediator.name),
                            "received", "closed", "dispute_type", "amount_involved",
                            "agreed_amount", "result", "method"]
    column_default_sort = ("received", True)
    column_formatters = {
        "case_no": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            v.get_url(".details_view", id=m.id), escape(m.case_no)),
        "station": _station,
        "mediator": _mediator,
        "dispute_type": lambda v, c, m, n: label(m.dispute_type),
        "amount_involved": _amount,
        "agreed_amount": _amount,
        "result": choice(RESULTS),
        "method": choice(METHODS),
        "fulfilment": choice(FULFILMENTS),
        "source": lambda v, c, m, n: label(m.source) if m.source else "",
        "judicial_confirmed": yes_no("judicial_confirmed"),
    }
    column_formatters_detail = {
        **{k: f for k, f in column_formatters.items() if k != "case_no"},
        "station": linked("station", "stations", lambda s: f"{s.name}（{s.code}）"),
        "mediator": linked("mediator", "mediators", lambda m: f"{m.name}（{m.staff_no}）"),
    }
    # Exports carry the codes the import reads back (机构编码, 调解员工号) and plain amounts.
    column_formatters_export = {
        **column_formatters_detail,
        "station": related("station", lambda s: s.code),
        "mediator": related("mediator", lambda m: m.staff_no),
        "amount_involved": lambda v, c, m, n: f"{m.amount_involved:.2f}",
        "agreed_amount": lambda v, c, m, n: ("" if m.agreed_amount is None
                                             else f"{m.agreed_amount:.2f}"),
    }

    form_columns = ["case_no", "station", "mediator", "received", "closed", "dispute_type",
                    "amount_involved", "agreed_amount", "result", "method", "source",
                    "judicial_confirmed", "fulfilment"]
    # Amounts are text so that the domain's Chinese messages explain a wrong one.
    form_overrides = {"dispute_type": SelectField, "result": SelectField, "method": SelectField,
                      "source": SelectField, "fulfilment": SelectField,
                      "amount_involved": StringField, "agreed_amount": StringField}
    form_args = {
        "dispute_type": {"choices": choices(DISPUTE_TYPES)},
        "result": {"choices": choices(RESULTS)},
        "method": {"choices": choices(METHODS)},
        "source": {"choices": choices(SOURCES, blank=True)},
        "fulfilment": {"choices": choices(FULFILMENTS, blank=True)},
        "amount_involved": {"description": lazy_gettext("元，最多两位小数")},
        "agreed_amount": {"description": lazy_gettext("元，调解成功时填写")},
    }
    form_ajax_refs = {
        "station": {"fields": ["code", "name"], "placeholder": lazy_gettext("输入机构编码或名称")},
        "mediator": {"fields": ["staff_no", "name"],
                     "placeholder": lazy_gettext("输入工号或姓名")},
    }
    scoped_refs = {"station": Organization, "mediator": Mediator}

    column_filters = [
        SubtreeFilter(Case.station, lazy_gettext("所属机构"), current_scope),
        DateFromFilter(Case.received, lazy_gettext("受理日期")),
        DateToFilter(Case.received, lazy_gettext("受理日期")),
        EqualFilter(Case.dispute_type, lazy_gettext("纠纷类型"), options=choices(DISPUTE_TYPES)),
        EqualFilter(Case.result, lazy_gettext("调解结果"), options=choices(RESULTS)),
        EqualFilter(Case.method, lazy_gettext("调解方式"), options=choices(METHODS)),
    ]

    # --- scope ------------------------------------------------------------------------------
    def scope_query(self, query, scope):
        return query.where(Case.station.in_(subtree_ids(scope)))

    def get_query(self):
        """Station and mediator in the same query: a page of cases is one round trip."""
        query = (Case.select(Case, Organization, Mediator)
                 .join(Organization, on=(Case.station == Organization.id), attr="station")
                 .switch(Case)
                 .join(Mediator, on=(Case.mediator == Mediator.id), attr="mediator"))
        return self.restrict(query)

    def get_list(self, page, sort_column, sort_desc, search_text, filters, execute=True,
                 page_size=None):
        """The list at the scale of a province (issue 17): the default order (newest first)
        reads the end of the `(received, id)` index and pages by key (`?after=`), so page
        1,000 costs what page 1 does; the total of an unfiltered list is the rollups' count of
        the scope's cases; with a search or a filter it is exact up to a bound and estimated
        above (admin.views.totals); search goes through indexes (evaluation.search)."""
        filtered = self.get_query()
        narrowed = bool(search_text or filters)
        for flt, _name, value in filters or []:
            f = self._filters[flt]
            filtered = f.apply(filtered, f.clean(value))
        query = search.matching(filtered, search_text) if search_text else filtered
        count = None
        if search_text and execute and not exact_requested():
            # The matches first, through the search's indexes (at most EXACT_UP_TO + 1 ids):
            # left to itself PostgreSQL walks the whole (received, id) index looking for 20
            # matches of a term that has none (10 s at 1M cases).
            hits = search.matching_ids(search_text)
            hits = (hits if hits is not None else Case.select(Case.id)).alias("hits")
            ids = [pk for (pk,) in filtered.select(Case.id).switch(Case)
                   .join(hits, on=(Case.id == hits.c.id)).order_by()
                   .limit(totals.EXACT_UP_TO + 1).tuples()]
            if len(ids) <= totals.EXACT_UP_TO:
                count = Total(len(ids))
                query = filtered.where(Case.id.in_(ids or [0]))
            else:
                count = bounded_total(query, counted=len(ids))
        elif execute:
            count = (bounded_total(query) if narrowed or exact_requested()
                     else Total(cases_registered(current_scope())))
        page_size = self.page_size if page_size is None else page_size
        after = _key(request.args.get("after")) if sort_column is None else None
        if sort_column is not None:
            field = self._sortable_columns[sort_column]
            field = getattr(Case, field) if isinstance(field, str) else field
            query = query.order_by(field.desc() if sort_desc else field.asc(),
                                   Case.id.desc() if sort_desc else Case.id.asc())
        else:
            query = query.order_by(Case.received.desc(), Case.id.desc())
        if after is not None:
            query = query.where(pw.Tuple(Case.received, Case.id) < pw.Tuple(*after))
        if page_size:
            query = query.limit(page_size)
            if page and after is None:
                query = query.offset(page * page_size)
        if not execute:
            return count, query
        rows = list(query)
        g.case_keyset = (sort_column is None and page_size and len(rows) == page_size
                         and f"{rows[-1].received.isoformat()}.{rows[-1].id}")
        return count, rows

    def _list_url(self, **change) -> str:
        args = {k: v for k, v in request.args.items() if k not in ("page", "after", "exact")}
        return self.get_url(".index_view", **args, **change)

    def keyset_next_url(self) -> str | None:
        """The next page by key under the default order, for the list's pager."""
        key = g.get("case_keyset")
        return self._list_url(after=key) if key else None

    def keyset_first_url(self) -> str:
        return self._list_url()

    def exact_count_url(self) -> str:
        return self._list_url(exact="1")

    # --- writes -----------------------------------------------------------------------------
    def validate_form(self, form):
        """The look-ups turn an id outside the scope into "nothing chosen", which the form
        would call a missing value: say what is wrong instead."""
        valid = super().validate_form(form)
        for name in self.scoped_refs:
            field = getattr(form, name, None)
            if field is not None and field.data is None and (request.form.get(name) or "").strip():
                field.errors = [gettext("超出您的管辖范围")]
                valid = False
        return valid

    def create_record(self, data):
        return services.create_case(data, actor=current_user.username,
                                    scope=current_scope())

    def update_record(self, model, data):
        return services.update_case(model, data,
                                    actor=current_user.username, scope=current_scope())

    def delete_record(self, model):
        services.delete_case(model, actor=current_user.username, scope=current_scope())
