"""Complaints (投诉): list, filters, export and forms that write through org.complaints.

Scoped by the mediator's current station: a manager sees and records complaints against the
mediators of their own subtree; the mediator look-up offers only those, and an id typed past
it reaches the service, which refuses it, so nothing outside the scope is stored.
"""
from __future__ import annotations

from flask_babel import lazy_gettext
from flask_login import current_user

from network.models import Organization
from network.tree import subtree_ids
from org import complaints
from org.models import ADMIN, MANAGER, TRAINER, Complaint, Mediator

from ..views.base import ScopedView, current_scope
from ..views.filters import DateFromFilter, DateToFilter, EqualFilter, SubtreeFilter
from ..views.formatting import related, yes_no


def _who(mediator: Mediator) -> str:
    return f"{mediator.name}（{mediator.staff_no}）"


class ComplaintView(ScopedView):
    query_joins_all = True
    roles = (ADMIN, MANAGER, TRAINER)
    write_roles = (ADMIN, MANAGER)
    audit_table = "complaint"

    column_list = ["mediator", "filed_on", "upheld", "summary"]
    column_details_list = column_list + ["recorded_by", "created_at", "updated_at"]
    column_export_list = column_list
    column_labels = {"mediator": lazy_gettext("调解员"), "recorded_by": lazy_gettext("操作人")}
    column_searchable_list = ["summary"]
    column_sortable_list = ["filed_on", "upheld", ("mediator", Mediator.staff_no)]
    column_default_sort = ("filed_on", True)
    column_formatters = {"mediator": related("mediator", _who), "upheld": yes_no("upheld")}
    column_formatters_export = column_formatters

    form_columns = ["mediator", "filed_on", "upheld", "summary"]
    form_ajax_refs = {"mediator": {"fields": ["staff_no", "name"],
                                   "placeholder": lazy_gettext("输入工号或姓名")}}
    scoped_refs = {"mediator": Mediator}

    column_filters = [
        SubtreeFilter(Mediator.station, lazy_gettext("所属机构"), current_scope),
        EqualFilter(Complaint.upheld, lazy_gettext("是否属实"),
                    options=[("1", lazy_gettext("是")), ("0", lazy_gettext("否"))]),
        DateFromFilter(Complaint.filed_on, lazy_gettext("投诉日期")),
        DateToFilter(Complaint.filed_on, lazy_gettext("投诉日期")),
    ]

    def scope_query(self, query, scope):
        return query.where(Mediator.station.in_(subtree_ids(scope)))

    def get_query(self):
        query = (Complaint.select(Complaint, Mediator, Organization)
                 .join(Mediator, on=(Complaint.mediator == Mediator.id))
                 .join(Organization, on=(Mediator.station == Organization.id)))
        return self.restrict(query)

    def create_record(self, data):
        return complaints.create_complaint(data, actor=current_user.username,
                                           scope=current_scope())

    def update_record(self, model, data):
        return complaints.update_complaint(model, data, actor=current_user.username,
                                           scope=current_scope())

    def delete_record(self, model):
        complaints.delete_complaint(model, actor=current_user.username, scope=current_scope())
