"""The nomination page (评优推荐): rank the mediators or units of a scope for a period.

The ranking is evaluation.nominations' (weights from the settings, each component normalised
within the candidates, see its docstring); this page shows every component's value and weighted
contribution, links each row to the award form pre-filled, and exports the table to XLSX.
"""
from __future__ import annotations

from decimal import Decimal

from flask import request, url_for
from flask_admin import expose
from flask_babel import gettext

from evaluation.nominations import (
    COMPONENTS,
    MEDIATORS,
    TARGETS,
    Candidate,
    nominate,
    ranking,
    weights,
    with_subjects,
)
from evaluation.periods import QUARTER, RANGE, Period, parse_period, parse_range
from network.dates import local_today
from network.models import Organization
from network.settings import get_setting
from network.sheets import Rate
from org.models import ADMIN, MANAGER

from ..forms import tr
from ..i18n import label
from ..views.base import Page, chosen_org, xlsx_download

PAGE_SIZE = 50


def as_page(text: str | None) -> int:
    """A 0-based page number typed into the URL (anything else is the first page)."""
    try:
        return max(0, int(str(text or "0")[:6]))
    except ValueError:
        return 0


def below_minimum(minimum: int) -> str:
    return gettext("结案数不足 %(n)d 件，不参与排名", n=minimum)


def suggested_award(target: str, period: Period) -> str:
    """The award the pre-filled form proposes (one of evaluation.awards.AWARD_TYPES)."""
    if target != MEDIATORS:
        return "先进调解组织"
    return "季度优秀调解员" if period.kind == QUARTER else "年度优秀调解员"


def chosen_period() -> Period:
    """A custom range when ?from and ?to are given, else ?period (year, quarter or month)."""
    if request.args.get("from") or request.args.get("to"):
        return parse_range(request.args.get("from"), request.args.get("to"))
    return parse_period(request.args.get("period") or str(local_today().year))


def shown_value(component: str, kpis: dict) -> str:
    if component in ("success_rate", "fulfilment_rate"):
        return f"{kpis[component] * 100:.2f}%"
    if component == "agreed_amount":
        return f"{kpis['agreed_amount']:,.2f}"
    if component == "speed":
        return f"{kpis['avg_days']:.1f}" if kpis["closed"] else "—"
    return str(kpis[component])


def sheet_value(component: str, kpis: dict):
    """The same figure typed for the XLSX (a rate as a fraction shown as %, money, days)."""
    if component in ("success_rate", "fulfilment_rate"):
        return Rate(kpis[component])
    if component == "agreed_amount":
        return Decimal(kpis["agreed_amount"])
    if component == "speed":
        return round(float(kpis["avg_days"]), 1) if kpis["closed"] else None
    return kpis[component]


def subject_columns(candidate: Candidate) -> list[str]:
    subject = candidate.subject
    if isinstance(subject, Organization):
        return [subject.code, subject.name]
    return [subject.staff_no, subject.name]


def affiliations(ranked: list[Candidate]) -> dict[int, Organization]:
    """{subject id: the unit it belongs to} (a mediator's station, a unit's parent), one query."""
    ids = {getattr(c.subject, "station_id", None) or getattr(c.subject, "parent_id", None)
           for c in ranked}
    ids.discard(None)
    units = {o.id: o for o in Organization.select().where(Organization.id.in_(list(ids)))} \
        if ids else {}
    return {c.subject.id: units.get(getattr(c.subject, "station_id", None)
                                    or getattr(c.subject, "parent_id", None)) for c in ranked}


def award_url(candidate: Candidate, target: str, period: Period) -> str:
    recipient = {"mediator" if target == MEDIATORS else "station": candidate.subject.id}
    return url_for("awards.create_view", period=period.text if period.kind != RANGE else "",
                   award_type=suggested_award(target, period), **recipient)


class NominationView(Page):
    roles = (ADMIN, MANAGER)

    def _headers(self, typed: bool = False, scores: bool = True) -> list[str]:
        """The XLSX has every column; the page shows each component's score only on demand
        (ten columns of 0.1234 made it unreadable)."""
        unit = ([gettext("所属机构编码"), gettext("所属机构名称")] if typed
                else [gettext("所属机构")])
        headers = [gettext("排名"), gettext("工号/编码"), gettext("名称"), *unit]
        for text in COMPONENTS.values():
            headers.append(label(text))
            if scores:
                headers.append(gettext("%(name)s得分", name=label(text)))
        headers.append(gettext("总分"))
        return headers + ([gettext("备注")] if typed else [])

    def _rows(self, ranked: list[Candidate], minimum: int, typed: bool = False,
              scores: bool = True, first: int = 1) -> list[list]:
        """The table's rows: shown text for the page, typed values (and the unit's code beside
        its name) for the XLSX. Candidates below the minimum caseload have no rank or score."""
        units = affiliations(ranked)
        rows = []
        for n, c in enumerate(ranked, start=first):
            unit = units.get(c.subject.id)
            row = [n if c.eligible else None, *subject_columns(c)]
            if typed:
                row += [unit.code if unit else None, unit.name if unit else None]
            else:
                row += [unit.name if unit else ""]
            for component in COMPONENTS:
                row.append((sheet_value if typed else shown_value)(component, c.kpis))
                if scores:
                    row.append(round(c.contributions[component], 4) if c.eligible else None)
            row.append(round(c.score, 4) if c.eligible else None)
            if typed:
                row.append(None if c.eligible else below_minimum(minimum))
            rows.append(row)
        return rows

    @expose("/")
    def index(self):
        org = chosen_org()
        target = request.args.get("target") if request.args.get("target") in TARGETS else MEDIATORS
        form = {"period": (request.args.get("period") or str(local_today().year))[:20],
                "from": (request.args.get("from") or "")[:10],
                "to": (request.args.get("to") or "")[:10], "target": target}
        scores = request.args.get("scores") == "1"
        minimum = get_setting("award.min_closed")
        context = {"org": org, "form": form, "targets": TARGETS, "error": None, "rows": [],
                   "links": [], "headers": self._headers(scores=scores), "weights": weights(),
                   "components": COMPONENTS, "period": None, "scores": scores,
                   "minimum": minimum, "pages": 1, "page": 0, "total": 0, "first_rank": 1,
                   "eligible": []}
        if org is None:
            return self.render("evaluation/nominations.html", **context)
        try:
            period = chosen_period()
        except ValueError as exc:
            context["error"] = tr(exc.args[0])
            return self.render("evaluation/nominations.html", **context), 400
        if request.args.get("export") == "xlsx":
            ranked = nominate(org, target, period.start, period.end, context["weights"],
                              minimum)
            title = f"{gettext('评优推荐')}_{org.name}_{period.text}"
            return xlsx_download(title.replace("~", "_"), self._headers(typed=True),
                                 self._rows(ranked, minimum, typed=True),
                                 sheet=gettext("评优推荐"),
                                 notes=[(gettext("机构"), f"{org.code} {org.name}"),
                                        (gettext("统计期间"), f"{period.start} — {period.end}"),
                                        (gettext("推荐对象"), label(TARGETS[target])),
                                        (gettext("评优推荐至少需要的结案数"), minimum)])
        found = ranking(org, target, period.start, period.end, context["weights"], minimum,
                        as_page(request.args.get("page")) * PAGE_SIZE, PAGE_SIZE)
        shown = with_subjects(found.candidates, target)
        context.update(rows=self._rows(shown, minimum, scores=scores, first=found.offset + 1),
                       period=period, links=[award_url(c, target, period) for c in shown],
                       eligible=[c.eligible for c in shown],
                       pages=max(1, -(-found.total // PAGE_SIZE)),
                       page=found.offset // PAGE_SIZE, total=found.total,
                       first_rank=found.offset + 1, unranked=found.unranked)
        return self.render("evaluation/nominations.html", **context)
