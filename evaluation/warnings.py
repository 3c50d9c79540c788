"""Early warnings (预警): what a manager should look at today, and who has looked at it.

Four rules of issue 4, each with its threshold in evaluation.settings ("warn.*"):
- quiet: a station (unit of level 县级 or below, not closed) whose subtree received no case in
  the last `warn.quiet_months` months;
- low_success: success rate over the last 12 months below `warn.low_success_rate` with at least
  `warn.low_success_min_closed` closed cases (figures of the station's subtree, from evaluation.kpis);
- open_case: a case still 调解中 more than `warn.open_days` days after its 受理日期;
- surge: cases received in the last complete month above `warn.surge_factor` times the average of
  the six months before, and at least `warn.surge_min_received` (2 cases against 0.5 is noise).

`severity` ranks warnings across kinds for the page's "most serious first" order: how far each
is past its own threshold (1.0 = at the threshold).

Warnings are computed, never stored: only acknowledgements are (`WarningAck`, keyed by the
warning's stable key). The whole computation is a fixed number of queries, whatever the number
of stations: per-station figures come from grouped queries over rollups and cases.

A province has hundreds of thousands of open cases past the limit (one open_case warning each),
so pages never build those one by one (issue 17): the home page's number and the warnings page
count them from the open-case rows (`overdue_counts`, evaluation.overdue, migration 023), the
page lists them per station (`overdue_by_station`) and one station's cases only on demand
(`station_overdue`, a page at a time). `current_warnings` (export, tests) still builds all.
The station rules read rollups and one index probe per unit, never every case of the scope:
what they cost grows with the units, not with the ledger.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw

from network import audit
from network.dates import add_months, local_today, month_end
from network.db import N_, db, is_postgres
from network.errors import DomainError, Msg, ValidationError
from network.models import CLOSED, COUNTY, Organization
from network.settings import get_settings
from network.tree import subtree, subtree_ids

from . import kpis, overdue
from .models import CONCLUDED, OPEN, SUCCESS, Case, DayRollup, Rollup, WarningAck

QUIET, LOW_SUCCESS, OPEN_CASE, SURGE = "quiet", "low_success", "open_case", "surge"
KINDS = {
    QUIET: N_("长期未受理案件"),
    LOW_SUCCESS: N_("调解成功率偏低"),
    OPEN_CASE: N_("案件久调未结"),
    SURGE: N_("受理量激增"),
}
SETTING_KEYS = ["warn.quiet_months", "warn.low_success_rate", "warn.low_success_min_closed",
                "warn.open_days", "warn.surge_factor", "warn.surge_min_received"]
SUCCESS_WINDOW_MONTHS = 12
SURGE_BASE_MONTHS = 6
COMMENT_MAX = 500


@dataclass
class EarlyWarning:
    kind: str
    station: Organization
    key: str
    message: Msg  # what triggered it, in words, with its figures
    figures: dict
    # Where the cases behind it are: {"case_id": id} or {"station": code, "from": d, "to": d}.
    link: dict
    case: Case | None = None
    ack: WarningAck | None = field(default=None)

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _ancestor_ids(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


class _Network:
    """The organisations of a scope, loaded once: stations to judge and every path."""

    def __init__(self, scope: Organization | None):
        self.scope = scope
        # the columns the rules and the pages use: whole rows cost a province's home page
        # ~20 ms more in converting its 3,167 units' other columns
        o = Organization
        units = list(subtree(scope).select(o.id, o.code, o.name, o.level, o.parent, o.path,
                                           o.status, o.founded).order_by(o.code))
        self.paths = {u.id: u.path for u in units}
        self.stations = {u.id: u for u in units if u.level >= COUNTY and u.status != CLOSED}

    def case_scope(self) -> pw.Node | None:
        return None if self.scope is None else Case.station.in_(subtree_ids(self.scope))

    def to_stations(self, per_station: dict) -> dict[int, list]:
        """{station id: [values of every case station in its subtree]} (cases of a station
        count at the station and at each judged ancestor)."""
        out: dict[int, list] = {}
        for station_id, value in per_station.items():
            for ancestor in _ancestor_ids(self.paths.get(station_id, "")):
                if ancestor in self.stations:
                    out.setdefault(ancestor, []).append(value)
        return out

    def closed_and_succeeded(self, start: dt.date, end: dt.date) -> dict[int, list[int]]:
        """{station: [closed, succeeded]} of each station's subtree over [start, end], the only
        figures the low-success rule needs: months from the rollups, edge days from the day
        rollups and the stations' own cases closed on them (`kpis.plan_range`). Two sums, not
        every KPI: the received count and ten other sums of the edge days' cases were read
        for nothing (~40 % of a province's home page)."""
        out = {sid: [0, 0] for sid in self.stations}
        if not out:
            return out
        ids = list(out)
        plan = kpis.plan_range(start, end)

        def add(rows, sign: int = 1) -> None:
            for sid, closed, succeeded in rows:
                out[sid][0] += sign * int(closed or 0)
                out[sid][1] += sign * int(succeeded or 0)

        if plan.months is not None:
            add(_sums(Rollup, Rollup.month.between(*plan.months), ids))
        for ranges, sign in ((plan.add, 1), (plan.subtract, -1)):
            if ranges:
                add(_sums(DayRollup, _between_any(DayRollup.day, ranges), ids), sign)
                succeeded = pw.fn.SUM(pw.Case(None, [(Case.result == SUCCESS, 1)], 0))
                add(Case.select(Case.station, pw.fn.COUNT(pw.SQL("*")), succeeded)
                    .where(kpis.ids_in(Case.station, ids) & Case.result.in_(CONCLUDED)
                           & kpis.in_ranges(Case.closed, ranges))
                    .group_by(Case.station).tuples(), sign)
        return out


def _sums(model, when: pw.Node, ids: list[int]):
    return (model.select(model.organization, pw.fn.SUM(model.closed), pw.fn.SUM(model.succeeded))
            .where(kpis.ids_in(model.organization, ids) & when)
            .group_by(model.organization).tuples())


def _between_any(field: pw.Field, ranges: list[tuple[dt.date, dt.date]]) -> pw.Node:
    cond = None
    for start, end in ranges:
        cond = field.between(start, end) if cond is None else cond | field.between(start, end)
    return cond


def _cases_link(station: Organization, start: dt.date | None, end: dt.date) -> dict:
    return {"station": station.code, "from": start, "to": end}


def _quiet(net: _Network, as_of: dt.date, months: int) -> list[EarlyWarning]:
    since = add_months(as_of, -months) + dt.timedelta(days=1)
    last = {}
    for sid, values in net.to_stations(_last_received(net, as_of)).items():
        last[sid] = max(v if isinstance(v, dt.date) else dt.date.fromisoformat(v) for v in values)
    out = []
    for sid, station in net.stations.items():
        latest = last.get(sid)
        if latest is not None and latest >= since:
            continue
        if station.founded is not None and station.founded >= since:
            continue  # too young to have been quiet that long
        message = (Msg("最近%(n)s个月未受理案件，最近一次受理：%(last)s", n=months,
                       last=latest.isoformat()) if latest else
                   Msg("最近%(n)s个月未受理案件，从未受理过案件", n=months))
        out.append(EarlyWarning(
            QUIET, station, f"{QUIET}:{station.code}:{latest.isoformat() if latest else 'none'}",
            message, {"months": months, "last_received": latest},
            _cases_link(station, None, as_of)))
    return out


def _last_received(net: _Network, as_of: dt.date) -> dict[int, dt.date]:
    """{unit: the last 受理日期 ≤ as_of of its own cases}, for every unit of the scope that has
    one: a probe of the (station, received) index per unit, not a MAX over every case of the
    scope (a province: ~0.9 s at 1M cases, growing with the ledger)."""
    last = (Case.select(Case.received)
            .where((Case.station == Organization.id) & (Case.received <= as_of))
            .order_by(Case.received.desc()).limit(1))
    query = Organization.select(Organization.id, last.alias("last"))
    if net.scope is not None:
        query = query.where(kpis.ids_in(Organization.id, list(net.paths)))
    return {org_id: day for org_id, day in query.tuples() if day is not None}


def _low_success(net: _Network, as_of: dt.date, threshold: float,
                 min_closed: int) -> list[EarlyWarning]:
    start = add_months(as_of, -SUCCESS_WINDOW_MONTHS) + dt.timedelta(days=1)
    limit = Decimal(str(threshold))
    out = []
    for sid, (closed, succeeded) in net.closed_and_succeeded(start, as_of).items():
        values = {"closed": closed, "succeeded": succeeded,
                  "success_rate": kpis.success_rate(succeeded, closed)}
        if closed < min_closed or values["success_rate"] >= limit:
            continue
        station = net.stations[sid]
        out.append(EarlyWarning(
            LOW_SUCCESS, station, f"{LOW_SUCCESS}:{station.code}:{as_of:%Y-%m}",
            Msg("%(start)s至%(end)s结案%(closed)s件，成功%(ok)s件，成功率%(rate)s%%，"
                "低于%(limit)s%%", start=start.isoformat(), end=as_of.isoformat(),
                closed=values["closed"], ok=values["succeeded"],
                rate=f"{values['success_rate'] * 100:.2f}", limit=f"{limit * 100:.2f}"),
            {"from": start, "to": as_of, "closed": values["closed"],
             "succeeded": values["succeeded"], "success_rate": values["success_rate"],
             "threshold": limit},
            _cases_link(station, start, as_of)))
    return out


def _overdue(where: pw.Node | None, as_of: dt.date, days: int) -> pw.Node:
    """Open cases received more than `days` days before `as_of` (matching `where`)."""
    cond = (Case.result == OPEN) & (Case.received < as_of - dt.timedelta(days=days))
    return cond if where is None else cond & where


def _case_key() -> pw.Node:
    return pw.Value(f"{OPEN_CASE}:").concat(Case.case_no)


def _acked_case_ids() -> pw.ModelSelect:
    """Ids of the cases whose open_case warning was acknowledged (acks are few: one lookup of
    案件编号 each)."""
    prefix = f"{OPEN_CASE}:"
    number = pw.fn.SUBSTR(WarningAck.key, len(prefix) + 1)
    return (Case.select(Case.id).join(WarningAck, on=(Case.case_no == number))
            .where(WarningAck.key.startswith(prefix)))


def _case_warning(case: Case, as_of: dt.date, days: int) -> EarlyWarning:
    age = (as_of - case.received).days
    return EarlyWarning(
        OPEN_CASE, case.station, f"{OPEN_CASE}:{case.case_no}",
        Msg("案件%(no)s于%(day)s受理，已%(age)s天仍在调解中（超过%(limit)s天）",
            no=case.case_no, day=case.received.isoformat(), age=age, limit=days),
        {"case_no": case.case_no, "received": case.received, "days": age, "limit": days},
        {"case_id": case.id}, case=case)


def _case_query(where: pw.Node) -> pw.ModelSelect:
    return (Case.select(Case, Organization)
            .join(Organization, on=(Case.station == Organization.id), attr="station")
            .where(where).order_by(Case.received, Case.case_no))


def _open_cases(net: _Network, as_of: dt.date, days: int) -> list[EarlyWarning]:
    return [_case_warning(case, as_of, days)
            for case in _case_query(_overdue(net.case_scope(), as_of, days))]


def _open_days() -> int:
    return get_settings(["warn.open_days"])["warn.open_days"]


def _in_scope(scope: Organization | None) -> pw.Node | None:
    return None if scope is None else Case.station.in_(subtree_ids(scope))


def overdue_counts(scope: Organization | None, as_of: dt.date | None = None) -> tuple[int, int]:
    """(open_case warnings, of which not acknowledged) under `scope`: from the open-case rows
    (evaluation.overdue), a fixed number of statements whatever the size of the ledger."""
    as_of = as_of or local_today()
    total, acked = overdue.counts(scope, _cut(as_of))
    return total, total - acked


def overdue_by_station(scope: Organization | None, as_of: dt.date | None = None, *,
                       page: int = 0, per_page: int = 50
                       ) -> tuple[int, list[tuple[Organization, int, int]]]:
    """Stations with open_case warnings under `scope`, by code: (how many stations, a page of
    (station, warnings, not acknowledged)). Rows grow with stations and months only."""
    as_of = as_of or local_today()
    total, rows = overdue.by_station(scope, _cut(as_of), page=page, per_page=per_page)
    return total, [(org, n, n - acked) for org, n, acked in rows]


def _cut(as_of: dt.date) -> dt.date:
    """Cases received before this day and still open are overdue."""
    return as_of - dt.timedelta(days=_open_days())


def overdue_warnings(scope: Organization | None, as_of: dt.date | None = None, *,
                     acked: bool, limit: int = 50) -> list[EarlyWarning]:
    """The first `limit` open_case warnings under `scope` (acknowledged or not), oldest first,
    each with its acknowledgement: for a page that lists them when they are few."""
    as_of = as_of or local_today()
    days = _open_days()
    chosen = Case.id.in_(_acked_case_ids())
    where = _overdue(_in_scope(scope), as_of, days) & (chosen if acked else ~chosen)
    found = [_case_warning(case, as_of, days) for case in _case_query(where).limit(limit)]
    _attach_acks(found)
    return found


def station_overdue(station: Organization, as_of: dt.date | None = None, *, acked: bool,
                    page: int = 0, per_page: int = 50) -> tuple[int, list[EarlyWarning]]:
    """One station's own open_case warnings (acknowledged or not), a page at a time, each
    with its acknowledgement: (how many, the page)."""
    as_of = as_of or local_today()
    days = _open_days()
    chosen = Case.id.in_(_acked_case_ids())
    where = _overdue(Case.station == station.id, as_of, days) & (chosen if acked else ~chosen)
    total = Case.select().where(where).count()
    found = [_case_warning(case, as_of, days) for case in
             _case_query(where).offset(page * per_page).limit(per_page)]
    _attach_acks(found)
    return total, found


def _attach_acks(found: list[EarlyWarning]) -> None:
    if found:
        acks = {a.key: a for a in WarningAck.select().where(
            _keys_in(WarningAck.key, [w.key for w in found]))}
        for warning in found:
            warning.ack = acks.get(warning.key)


def _keys_in(field: pw.Field, keys: list[str]) -> pw.Node:
    """`field IN keys` as one parameter: peewee compiles an IN list value by value, and the
    3,150 quiet stations of a province took ~0.15 s of its home page only to build the SQL."""
    if len(keys) <= 50:
        return field.in_(keys)
    if is_postgres():
        return pw.NodeList((field, pw.SQL("= ANY(%s::text[])", [keys])))
    return field.in_(pw.SQL("(SELECT value FROM json_each(?))", [json.dumps(keys)]))


def _surge(net: _Network, as_of: dt.date, factor: float,
           minimum: int = 0) -> list[EarlyWarning]:
    month = kpis.month_start(kpis.month_start(as_of) - dt.timedelta(days=1))
    base_start = add_months(month, -SURGE_BASE_MONTHS)
    if not net.stations:
        return []
    # summed per station in SQL: one row per station, not one per station and month
    in_month = pw.Case(None, [(Rollup.month == month, Rollup.received)], 0)
    current: dict[int, int] = {}
    base: dict[int, int] = {}
    for org_id, now, before in (
            Rollup.select(Rollup.organization, pw.fn.SUM(in_month),
                          pw.fn.SUM(Rollup.received - in_month))
            .where(kpis.ids_in(Rollup.organization, list(net.stations))
                   & Rollup.month.between(base_start, month))
            .group_by(Rollup.organization).tuples()):
        if now:
            current[org_id] = int(now)
        base[org_id] = int(before or 0)
    limit = Decimal(str(factor))
    out = []
    for sid, count in current.items():
        average = Decimal(base.get(sid, 0)) / SURGE_BASE_MONTHS
        # No history, no baseline: a station's first cases are not a surge.
        if not average or Decimal(count) <= limit * average or count < minimum:
            continue
        station = net.stations[sid]
        out.append(EarlyWarning(
            SURGE, station, f"{SURGE}:{station.code}:{month:%Y-%m}",
            Msg("%(month)s受理%(count)s件，前六个月月均%(avg)s件，超过%(factor)s倍",
                month=f"{month:%Y-%m}", count=count, avg=f"{average:.2f}",
                factor=f"{limit.normalize():f}"),
            {"month": month, "received": count, "average": average.quantize(Decimal("0.01")),
             "factor": limit},
            _cases_link(station, month, month_end(month))))
    return out


def current_warnings(scope: Organization | None, as_of: dt.date | None = None, *,
                     with_acks: bool = True, cases: bool = True) -> list[EarlyWarning]:
    """Every warning under `scope` (None: the whole network) as of `as_of` (today), in the
    order of KINDS then station code; each carries its acknowledgement, if any. With `cases`
    False, the station warnings only (their number grows with stations, not with cases)."""
    as_of = as_of or local_today()
    values = get_settings(SETTING_KEYS)
    net = _Network(scope)
    found = (_quiet(net, as_of, values["warn.quiet_months"])
             + _low_success(net, as_of, values["warn.low_success_rate"],
                            values["warn.low_success_min_closed"])
             + (_open_cases(net, as_of, values["warn.open_days"]) if cases else [])
             + _surge(net, as_of, values["warn.surge_factor"],
                      values["warn.surge_min_received"]))
    order = list(KINDS)
    found.sort(key=lambda w: (order.index(w.kind), w.station.code, w.key))
    if with_acks:
        _attach_acks(found)
    return found


def severity(warning: EarlyWarning) -> float:
    """How far past its threshold a warning is (1.0: just at it; larger is worse)."""
    f = warning.figures
    if warning.kind == OPEN_CASE:
        return f["days"] / max(f["limit"], 1)
    if warning.kind == SURGE:
        return float(f["received"]) / max(float(f["average"] * f["factor"]), 0.01)
    if warning.kind == LOW_SUCCESS:
        return float(f["threshold"]) / max(float(f["success_rate"]), 0.01)
    return 1.0 if f["last_received"] else 2.0  # quiet; never received anything is worse


def open_count(scope: Organization | None, as_of: dt.date | None = None) -> int:
    """Warnings nobody has acknowledged yet (the number on the home page): the station
    warnings built, the open cases counted in SQL."""
    stations = sum(1 for w in current_warnings(scope, as_of, cases=False) if w.ack is None)
    return stations + overdue_counts(scope, as_of)[1]


def _find(key: str, scope: Organization | None, as_of: dt.date) -> EarlyWarning | None:
    """The warning `key` under `scope` as of `as_of`, or None: an open_case key by its case
    (one look-up), any other among the station warnings."""
    if key.startswith(f"{OPEN_CASE}:"):
        days = _open_days()
        case = _case_query(_overdue(_in_scope(scope), as_of, days)
                           & (Case.case_no == key[len(OPEN_CASE) + 1:])).first()
        return None if case is None else _case_warning(case, as_of, days)
    return next((w for w in current_warnings(scope, as_of, with_acks=False, cases=False)
                 if w.key == key), None)


def acknowledge(key: str, comment: str, *, actor: str, scope: Organization | None,
                as_of: dt.date | None = None) -> WarningAck:
    """Record that `actor` has seen the warning `key`, with what they say about it (audited).

    Only a warning that exists now, inside the actor's scope, can be acknowledged; the comment
    is required.
    """
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": Msg("请填写处理说明")})
    if len(comment) > COMMENT_MAX or not all(c.isprintable() or c in "\r\n\t" for c in comment):
        raise ValidationError({"comment": Msg("处理说明不能超过%(n)s个字符，且不能含控制字符",
                                              n=COMMENT_MAX)})
    key = (key or "").strip()
    as_of = as_of or local_today()
    warning = _find(key, scope, as_of)
    if warning is None:  # one answer for a key outside the scope and an unknown one
        raise DomainError(Msg("预警不存在或已解除"))
    with db.atomic():
        if WarningAck.select().where(WarningAck.key == key).exists():
            raise DomainError(Msg("该预警已确认"))
        ack = WarningAck.create(key=key, acknowledged_by=actor, comment=comment)
        audit.record(actor, "acknowledge", "warning", key[:40],
                     f"{warning.station.name}：{KINDS[warning.kind]}",
                     {"key": key, "comment": comment}, org_path=warning.station.path)
    return ack
