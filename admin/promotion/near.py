"""接近晋升条件: the mediators of a jurisdiction who miss at most one (or N) criterion of their
next grade, what they miss, and the same table as XLSX (promotion.eligibility decides)."""
from __future__ import annotations

from flask import request
from flask_admin import expose
from flask_babel import gettext

from network.dates import in_range, iso_day, local_today
from network.models import Organization
from network.tree import subtree_ids
from org.models import ADMIN, GRADES, MANAGER, Mediator
from promotion.eligibility import close_to_eligibility

from ..i18n import label
from ..views.base import Page, chosen_org, xlsx_download
from .explain import LABELS, missing

MAX_UNMET = 3


class NearView(Page):
    roles = (ADMIN, MANAGER)

    def _headers(self) -> list[str]:
        return [gettext("工号"), gettext("姓名"), gettext("所属机构"), gettext("现等级"),
                gettext("晋升等级"), gettext("未达到的条件"), gettext("还差")]

    @expose("/")
    def index(self):
        org = chosen_org()
        errors = []
        day = local_today()
        text = (request.args.get("as_of") or "").strip()
        if text:
            typed = iso_day(text)
            if typed is None:
                errors.append(gettext("基准日期应为 YYYY-MM-DD 格式"))
            elif not in_range(typed):
                errors.append(gettext("日期应在 1901-01-01 至 2999-12-31 之间"))
            else:
                day = typed
        try:
            max_unmet = int(request.args.get("max_unmet") or 1)
        except ValueError:
            max_unmet = 1
        max_unmet = min(max(max_unmet, 1), MAX_UNMET)
        rows = []
        if org is not None and not errors:
            people = Mediator.select().where(Mediator.station.in_(subtree_ids(org)))
            near = close_to_eligibility(people, day, max_unmet)
            names = dict(Mediator.select(Mediator.id, Mediator.name)
                         .where(Mediator.id.in_([e.mediator_id for e in near] or [0])).tuples())
            units = dict(Organization.select(Organization.id, Organization.name)
                         .where(Organization.id.in_({e.station_id for e in near} or {0}))
                         .tuples())
            for e in near:
                unmet = [c for c in e.criteria if not c.met]
                rows.append([e.staff_no, names.get(e.mediator_id, ""),
                             units.get(e.station_id, ""), label(GRADES[e.grade]),
                             label(GRADES[e.next_grade]),
                             "、".join(str(LABELS[c.key]) for c in unmet),
                             "；".join(missing(c) for c in unmet)])
        if request.args.get("export") == "xlsx" and org is not None and not errors:
            return xlsx_download(f"{gettext('接近晋升条件')}_{org.name}_{day.isoformat()}",
                                 self._headers(), rows)
        return self.render("promotion/near.html", org=org, day=day, rows=rows,
                           headers=self._headers(), max_unmet=max_unmet, errors=errors,
                           limit=MAX_UNMET), (400 if errors else 200)
