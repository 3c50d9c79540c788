"""预警: the early warnings of the caller's jurisdiction, grouped by kind, with the cases behind
each one, acknowledgement with a comment (admin and managers) and an XLSX export.

Everything shown and every acknowledgement goes through evaluation.warnings with the caller's
scope, so a key typed from a neighbouring county is refused by the domain, not by the page.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from wtforms import HiddenField, StringField

from evaluation import warnings
from network.errors import DomainError, OutOfScope, ValidationError
from org.models import ADMIN, MANAGER, TRAINER

from ..forms import CSRFForm, tr
from ..i18n import label
from ..views.base import MAX_PAGE, Page, current_scope, scoped_org, xlsx_download
from ..views.filters import DateFromFilter, DateToFilter, SubtreeFilter
from .cases import CaseView

PER_PAGE = 50
EXPORT_CASES = 5000  # past this many cases open too long, the export sums them per unit


class AckForm(CSRFForm):
    key = HiddenField()
    comment = StringField()


def _filter_arg(kind: type, column) -> str:
    """The URL argument of one of the case list's filters (Flask-Admin numbers them)."""
    for index, flt in enumerate(CaseView.column_filters):
        if type(flt) is kind and flt.column is column:
            return f"flt{index}_{index}"
    raise LookupError(kind.__name__)


def cases_url(warning: warnings.EarlyWarning) -> str:
    """The case list filtered to the cases behind a warning, or the one case's details."""
    link = warning.link
    if "case_id" in link:
        return url_for("cases.details_view", id=link["case_id"])
    from evaluation.models import Case

    args = {_filter_arg(SubtreeFilter, Case.station): link["station"]}
    if link.get("from"):
        args[_filter_arg(DateFromFilter, Case.received)] = link["from"].isoformat()
    if link.get("to"):
        args[_filter_arg(DateToFilter, Case.received)] = link["to"].isoformat()
    return url_for("cases.index_view", **args)


def grouped(found: list[warnings.EarlyWarning]) -> list[tuple[str, str, list]]:
    """[(kind, label, warnings)] in the order of the kinds, every kind present (maybe empty)."""
    return [(kind, label(text), [w for w in found if w.kind == kind])
            for kind, text in warnings.KINDS.items()]


def shown(groups: list[tuple[str, str, list]], page: int
          ) -> list[tuple[str, str, list, int]]:
    """Each group's page of PER_PAGE warnings and its total: a province has thousands of
    station warnings (3,150 quiet stations in the bench), and rendering each with its form
    was most of the page's time."""
    start = page * PER_PAGE
    return [(kind, text, items[start:start + PER_PAGE], len(items))
            for kind, text, items in groups]


class Choice:
    """The list's filters as typed into the URL: a kind, a unit (its subtree, inside the
    caller's scope) and the order ("severity": most serious first, across kinds)."""

    def __init__(self, args):
        self.kind = args.get("kind") if args.get("kind") in warnings.KINDS else ""
        code = (args.get("org") or "").strip()
        self.org = scoped_org(code) if code else None
        self.sort = "severity" if args.get("sort") == "severity" else ""

    def keep(self, warning: warnings.EarlyWarning) -> bool:
        return ((not self.kind or warning.kind == self.kind)
                and (self.org is None or self.org.contains(warning.station)))

    def args(self) -> dict:
        return {k: v for k, v in (("kind", self.kind), ("sort", self.sort),
                                  ("org", self.org.code if self.org else "")) if v}


class WarningView(Page):
    roles = (ADMIN, MANAGER, TRAINER)
    ack_roles = (ADMIN, MANAGER)

    def can_acknowledge(self) -> bool:
        return current_user.role in self.ack_roles

    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = AckForm(request.form if request.method == "POST" else None)
        failed_key = None
        if request.method == "POST":
            if not self.can_acknowledge():
                abort(403)
            failed_key = self._acknowledge(form)
            if failed_key is None:
                return redirect(url_for(".index", show=request.args.get("show") or None,
                                        station=request.args.get("station") or None))
        show_acked = request.args.get("show") == "acked"
        choice = Choice(request.args)
        # station warnings are built (they grow with stations); the cases open too long are
        # counted in SQL and listed one by one only when they are few, else per station (a
        # province has hundreds of thousands), one station's cases on demand (?station=)
        scope = choice.org or current_scope()
        found = [w for w in warnings.current_warnings(scope, cases=False) if choice.keep(w)]
        with_cases = choice.kind in ("", warnings.OPEN_CASE)
        overdue, overdue_open = warnings.overdue_counts(scope) if with_cases else (0, 0)
        stations, station_total = None, 0
        page = min(max(request.args.get("page", 0, type=int), 0), MAX_PAGE)
        # `page` pages the one long list of the view: the chosen station kind's warnings, all
        # of them by severity, else the stations with cases open too long
        paged = bool(choice.sort) or choice.kind not in ("", warnings.OPEN_CASE)
        if overdue_open > PER_PAGE and not paged:
            station_total, stations = warnings.overdue_by_station(scope, page=page,
                                                                  per_page=PER_PAGE)
        elif overdue_open:
            found += warnings.overdue_warnings(scope, acked=False, limit=PER_PAGE)
        if show_acked and with_cases and 0 < overdue - overdue_open <= PER_PAGE:
            found += warnings.overdue_warnings(scope, acked=True, limit=PER_PAGE)
        station = scoped_org(request.args["station"]) if request.args.get("station") else None
        station_cases = station_total_cases = None
        if station is not None:
            station_page = min(max(request.args.get("station_page", 0, type=int), 0), MAX_PAGE)
            station_total_cases, station_cases = warnings.station_overdue(
                station, acked=show_acked, page=station_page, per_page=PER_PAGE)
        open_ones = [w for w in found if w.ack is None]
        acked = [w for w in found if w.ack is not None]
        if choice.sort:
            open_ones.sort(key=lambda w: -warnings.severity(w))
            groups = [("all", gettext("全部预警（按严重程度，最严重的在前）"), open_ones)]
        else:
            groups = grouped(open_ones)
        groups = shown(groups, page if paged else 0)
        return self.render("warnings/index.html", groups=groups, acked=acked,
                           show_acked=show_acked, form=form, failed_key=failed_key,
                           can_ack=self.can_acknowledge(), cases_url=cases_url, tr=tr,
                           choice=choice, kinds=warnings.KINDS, severity=warnings.severity,
                           overdue_open=overdue_open, stations=stations, paged=paged,
                           station_total=station_total, page=page, per_page=PER_PAGE,
                           station=station, station_cases=station_cases,
                           station_total_cases=station_total_cases)

    @expose("/bulk", methods=["POST"])
    def bulk(self):
        """Acknowledge the ticked warnings with one comment; each through the domain (scope,
        existence, duplicates), the ones refused are named."""
        if not self.can_acknowledge():
            abort(403)
        form = AckForm(request.form)
        keys = [k.strip() for k in request.form.getlist("keys") if k.strip()][:500]
        back = redirect(url_for(".index", **Choice(request.args).args()))
        if not form.validate():
            flash(gettext("页面已过期，请重新提交"), "error")
            return back
        if not keys:
            flash(gettext("请先勾选要确认的预警"), "error")
            return back
        done, refused = 0, []
        for key in keys:
            try:
                warnings.acknowledge(key, form.comment.data, actor=current_user.username,
                                     scope=current_scope())
                done += 1
            except ValidationError as exc:
                flash("；".join(tr(m) for m in exc.errors.values()), "error")
                return back
            except DomainError as exc:  # OutOfScope included: named, nothing leaks
                refused.append(f"{key}：{tr(exc.message)}")
        if done:
            flash(gettext("已确认%(n)d条预警", n=done), "success")
        if refused:
            flash(gettext("未能确认：%(list)s", list="；".join(refused)), "error")
        return back

    def _acknowledge(self, form: AckForm) -> str | None:
        """None when stored; else the key whose form shows the error."""
        key = (form.key.data or "").strip()
        if not form.validate():
            form.comment.errors = [gettext("页面已过期，请重新提交")]
            return key
        try:
            warnings.acknowledge(key, form.comment.data, actor=current_user.username,
                                 scope=current_scope())
        except ValidationError as exc:
            form.comment.errors = [tr(m) for m in exc.errors.values()]
            return key
        except OutOfScope as exc:
            abort(403, tr(exc.message))
        except DomainError as exc:
            flash(tr(exc.message), "error")
            return None
        flash(gettext("预警已确认"), "success")
        return None

    @expose("/export.xlsx")
    def export(self):
        """Every warning of the scope, one row each, except the cases open too long: past
        EXPORT_CASES of them (a province has hundreds of thousands) one row per unit with its
        counts, and a unit's cases in that unit's own export (?station=CODE)."""
        headers = [gettext("预警类型"), gettext("机构编码"), gettext("机构名称"), gettext("说明"),
                   gettext("状态"), gettext("确认人"), gettext("处理说明"), gettext("确认时间")]
        station = scoped_org(request.args["station"]) if request.args.get("station") else None
        notes, summary = [], []
        if station is not None:
            found = [w for acked in (False, True) for w in warnings.station_overdue(
                station, acked=acked, per_page=EXPORT_CASES)[1]]
            notes.append((gettext("机构"), f"{station.code} {station.name}"))
        else:
            scope = current_scope()
            found = warnings.current_warnings(scope, cases=False)
            overdue, _ = warnings.overdue_counts(scope)
            if overdue <= EXPORT_CASES:
                found += [w for acked in (False, True)
                          for w in warnings.overdue_warnings(scope, acked=acked,
                                                             limit=EXPORT_CASES)]
            else:
                summary = warnings.overdue_by_station(scope, per_page=overdue)[1]
                notes.append((label(warnings.KINDS[warnings.OPEN_CASE]), gettext(
                    "共%(n)d件，超过%(limit)d件，按机构汇总；逐件明细请在预警页按机构导出",
                    n=overdue, limit=EXPORT_CASES)))
        order = list(warnings.KINDS)
        rows = [((order.index(w.kind), w.station.code, w.key), [
            label(w.kind_label), w.station.code, w.station.name, tr(w.message),
            gettext("已确认") if w.ack else gettext("未确认"),
            w.ack.acknowledged_by if w.ack else "", w.ack.comment if w.ack else "",
            w.ack.at if w.ack else None]) for w in found]
        rows += [((order.index(warnings.OPEN_CASE), org.code, ""), [
            label(warnings.KINDS[warnings.OPEN_CASE]), org.code, org.name,
            gettext("%(n)d件案件久调未结（逐件明细请按机构导出）", n=n),
            gettext("%(n)d件未确认", n=unacked), "", "", None])
            for org, n, unacked in summary]
        rows.sort(key=lambda row: row[0])
        return xlsx_download(gettext("预警"), headers, [row for _, row in rows], notes=notes)
