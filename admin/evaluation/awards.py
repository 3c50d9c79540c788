"""Award records (评优表彰): list, filters, export, and forms that write through evaluation.awards.

Scoped by the recipient: a manager sees and records awards of the mediators and units of their
own subtree. The mediator and station look-ups offer only those; an id typed past them reaches
the service, which refuses it with its own message, so nothing outside the scope is stored.
"""
from __future__ import annotations

import peewee as pw
from flask import request
from flask_babel import lazy_gettext
from flask_login import current_user
from wtforms import SelectField

from evaluation import awards
from evaluation.models import AWARD_LEVELS, AWARD_TYPES, Award
from evaluation.models import COUNTY as COUNTY_AWARD
from network.dates import local_today
from network.models import COUNTY as COUNTY_LEVEL
from network.models import Organization
from org.models import ADMIN, MANAGER, TRAINER, Mediator

from ..i18n import label
from ..views.base import ScopedView, as_pk, current_scope
from ..views.filters import DateFromFilter, DateToFilter, EqualFilter
from ..views.formatting import choice, choices, related

RECIPIENTS = ("mediator", "station")
PREFILL = ("award_type", "level", "period")


class AwardView(ScopedView):
    query_joins_all = True
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, MANAGER)
    audit_table = "award"

    column_list = ["award_type", "level", "mediator", "station", "period", "doc_no",
                   "awarded_on"]
    column_details_list = column_list + ["note", "created_at", "updated_at"]
    column_export_list = column_list + ["note"]
    column_searchable_list = ["period", "doc_no"]
    column_sortable_list = ["award_type", "level", ("mediator", Mediator.name),
                            ("station", Organization.name), "period", "doc_no", "awarded_on"]
    column_default_sort = ("awarded_on", True)
    column_formatters = {
        "award_type": lambda v, c, m, n: label(m.award_type),
        "level": choice(AWARD_LEVELS),
        "mediator": related("mediator", lambda p: f"{p.name}（{p.staff_no}）"),
        "station": related("station", lambda s: s.name),
    }
    column_formatters_export = {
        **column_formatters,
        "mediator": related("mediator", lambda p: f"{p.name}（{p.staff_no}）"),
        "station": related("station", lambda s: f"{s.name}（{s.code}）"),
    }

    form_columns = ["award_type", "level", "mediator", "station", "period", "doc_no",
                    "awarded_on", "note"]
    form_overrides = {"award_type": SelectField, "level": SelectField}
    form_args = {
        "award_type": {"choices": choices(AWARD_TYPES)},
        "level": {"choices": choices(AWARD_LEVELS)},
        "mediator": {"description": lazy_gettext("获奖调解员与获奖机构二者选其一")},
        "period": {"description": lazy_gettext("如 2025、2025Q3、2025-03")},
    }
    form_ajax_refs = {
        "mediator": {"fields": ["staff_no", "name"],
                     "placeholder": lazy_gettext("输入工号或姓名")},
        "station": {"fields": ["code", "name"], "placeholder": lazy_gettext("输入机构编码或名称")},
    }
    scoped_refs = {"mediator": Mediator, "station": Organization}

    column_filters = [
        EqualFilter(Award.award_type, lazy_gettext("奖项"), options=choices(AWARD_TYPES)),
        EqualFilter(Award.level, lazy_gettext("授予级别"), options=choices(AWARD_LEVELS)),
        DateFromFilter(Award.awarded_on, lazy_gettext("表彰日期")),
        DateToFilter(Award.awarded_on, lazy_gettext("表彰日期")),
    ]

    # --- scope ------------------------------------------------------------------------------
    def scope_query(self, query, scope):
        return query.where(awards.in_scope_condition(scope))

    def get_query(self):
        """Recipient mediator and station in the same query: a page is one round trip."""
        query = (Award.select(Award, Mediator, Organization)
                 .join(Mediator, pw.JOIN.LEFT_OUTER, on=(Award.mediator == Mediator.id),
                       attr="mediator")
                 .switch(Award)
                 .join(Organization, pw.JOIN.LEFT_OUTER, on=(Award.station == Organization.id),
                       attr="station"))
        return self.restrict(query)

    # --- forms ------------------------------------------------------------------------------
    def create_form(self, obj=None):
        """Pre-filled from the nomination page (?mediator=ID or ?station=ID, type, period);
        only a recipient inside the scope is filled in."""
        form = super().create_form(obj)
        if request.method == "GET":
            for name, model in self.scoped_refs.items():
                pk = as_pk(request.args.get(name))
                if pk is not None:
                    getattr(form, name).data = self.restrict_ref(
                        model, model.select()).where(model.id == pk).first()
            for name in PREFILL:
                if request.args.get(name):
                    getattr(form, name).data = request.args[name][:20]
            scope = current_scope()
            # A county manager's awards are county awards unless the link says otherwise.
            if not request.args.get("level") and scope is not None and scope.level >= COUNTY_LEVEL:
                form.level.data = COUNTY_AWARD
            form.awarded_on.data = form.awarded_on.data or local_today()
        return form

    def form_data(self, form) -> dict:
        """A recipient id the scoped look-up did not accept goes to the service as typed,
        so the refusal names the jurisdiction instead of a missing recipient."""
        data = super().form_data(form)
        for name in RECIPIENTS:
            raw = (request.form.get(name) or "").strip()
            if data.get(name) is None and raw and raw != "__None":
                data[name] = raw
        return data

    def create_record(self, data):
        return awards.create_award(data, actor=current_user.username, scope=current_scope())

    def update_record(self, model, data):
        return awards.update_award(model, data, actor=current_user.username,
                                   scope=current_scope())

    def delete_record(self, model):
        awards.delete_award(model, actor=current_user.username, scope=current_scope())
