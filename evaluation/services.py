"""Writing cases: validation, jurisdiction, the rollup delta and the audit trail, in one place.

Every entry point (portal forms, imports, CLI, API) goes through `clean_case` and the three
write functions, so a case that breaks a rule of domain.md never reaches the ledger and the
rollups always move in the same transaction as the case.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from network import audit
from network.dates import local_today, parse_date
from network.db import db, locked
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.fields import FieldKit
from network.models import Organization, now
from org.models import Mediator
from org.services import assigned_on

from . import rollups
from .models import (
    CONCLUDED,
    DISPUTE_TYPES,
    FULFILMENTS,
    METHODS,
    OPEN,
    RESULTS,
    SOURCES,
    Case,
)

FIELDS = ["case_no", "station", "mediator", "received", "closed", "dispute_type",
          "amount_involved", "agreed_amount", "result", "method", "source",
          "judicial_confirmed", "fulfilment"]
MAX_AMOUNT = Decimal("999999999999.99")
YES, NO = ("是", "true", "1", "y", "yes"), ("否", "false", "0", "n", "no", "")


# Limits and choice tables as the model declares them, read once (not per imported row).
CASE_FIELDS = FieldKit(Case)
CASE_NO_MAX = CASE_FIELDS.limit("case_no")
RESULT_CODES, METHOD_CODES, FULFILMENT_CODES = (
    CASE_FIELDS.codes("result"), CASE_FIELDS.codes("method"), CASE_FIELDS.codes("fulfilment"))


# Column names inside messages, as parts the English catalogue translates too.
LABELS = {name: Msg(label) for name, label in (
    ("received", "受理日期"), ("closed", "结案日期"), ("amount_involved", "标的金额"),
    ("agreed_amount", "协议金额"), ("result", "调解结果"), ("method", "调解方式"),
    ("fulfilment", "履行情况"), ("dispute_type", "纠纷类型"), ("source", "案件来源"))}


def _choices(table) -> str:
    return "、".join(table.values() if isinstance(table, dict) else table)


def parse_amount(value: Any) -> Decimal | None:
    """Yuan with at most two decimals, 0 … 999,999,999,999.99; '' means no amount."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if "," in text or "，" in text:
        text = text.replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(Msg("金额格式不正确：「%(v)s」", v=value)) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValueError(Msg("金额应在0到999999999999.99元之间：「%(v)s」", v=value))
    cents = amount.quantize(CENT)
    if cents != amount:
        raise ValueError(Msg("金额最多两位小数：「%(v)s」", v=value))
    return cents


CENT = Decimal("0.01")


def _current(instance: Case | None, data: dict[str, Any]) -> dict[str, Any]:
    """The instance's values for the keys `data` leaves out (no look-up of a station or
    mediator the data replaces anyway)."""
    if instance is None:
        return {}
    return {name: getattr(instance, name) for name in FIELDS if name not in data}


class CaseLookups:
    """What the case rules ask the database, one question at a time (forms, API, CLI).

    The case import answers the same questions from dictionaries it loads once per file
    (evaluation.imports.PreloadedLookups), so both go through `check_case`, the one place
    the rules are written. A station needs `id`, `code`, `name`, `path`; a mediator `id`,
    `staff_no`, `station_id`.

    With a `scope`, a mediator whose primary station lies outside it is known only where
    they serve (assigned to the case's station on the 受理日期): anywhere else the rules
    answer as for a 工号 that does not exist, so a refusal never tells a scoped user that a
    number is held outside their jurisdiction.
    """

    def __init__(self, scope: Organization | None = None):
        self.scope = scope

    def visible(self, mediator: Any) -> bool:
        return self.scope is None or self.scope.contains(self.unit(mediator.station_id))

    def unit(self, org_id: int) -> Any:
        return Organization.get_by_id(org_id)

    def station(self, code: str) -> Any:
        return Organization.get_or_none(Organization.code == code)

    def mediator(self, staff_no: str) -> Any:
        return Mediator.get_or_none(Mediator.staff_no == staff_no)

    def case_no_taken(self, case_no: str, own_id: int | None) -> bool:
        clash = Case.select().where(Case.case_no == case_no)
        if own_id is not None:
            clash = clash.where(Case.id != own_id)
        return clash.exists()

    def assigned(self, mediator_id: int, station_id: int, day: dt.date) -> bool:
        return assigned_on(mediator_id, station_id, day)


def _unknown_mediator(staff_no: str) -> Msg:
    return Msg("调解员工号「%(no)s」不存在", no=staff_no)


def clean_case(data: dict[str, Any], instance: Case | None = None, *,
               today: dt.date | None = None,
               scope: Organization | None = None) -> dict[str, Any]:
    """Check a whole case (the instance's values fill in keys `data` leaves out).

    Raises ValidationError with every problem at once; returns the typed values.
    """
    return check_case({**_current(instance, data), **data}, CaseLookups(scope),
                      own_id=instance.id if instance is not None else None,
                      today=today or local_today())


def check_case(data: dict[str, Any], lookups: CaseLookups, *, own_id: int | None,
               today: dt.date) -> dict[str, Any]:
    """The rules of a case (domain.md), asking `lookups` for stations, mediators, clashing
    案件编号 and assignments. `own_id` is the id of the case being edited, if any.

    Raises ValidationError with every problem at once; returns the typed values.
    """
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}

    case_no = "" if data.get("case_no") is None else str(data["case_no"]).strip()
    if not case_no:
        errors["case_no"] = Msg("必填")
    elif len(case_no) > CASE_NO_MAX or not case_no.isprintable():
        errors["case_no"] = Msg("案件编号不能超过%(n)d个字符，且不能含控制字符", n=CASE_NO_MAX)
    elif lookups.case_no_taken(case_no, own_id):
        errors["case_no"] = Msg("案件编号「%(no)s」已存在", no=case_no)
    out["case_no"] = case_no

    station = data.get("station")
    if not isinstance(station, Organization):
        code = "" if station is None else str(station).strip()
        station = lookups.station(code) if code else None
        if station is None:
            errors["station"] = (Msg("机构编码「%(code)s」不存在", code=code) if code
                                 else Msg("必填"))
    out["station"] = station

    mediator = data.get("mediator")
    hidden = False  # typed 工号 of a mediator outside the scope (CaseLookups)
    if not isinstance(mediator, Mediator):
        staff_no = "" if mediator is None else str(mediator).strip()
        mediator = lookups.mediator(staff_no) if staff_no else None
        if mediator is None:
            errors["mediator"] = (_unknown_mediator(staff_no) if staff_no
                                  else Msg("必填"))
        else:
            hidden = not lookups.visible(mediator)
    out["mediator"] = mediator

    for name, label in (("received", LABELS["received"]), ("closed", LABELS["closed"])):
        try:
            out[name] = parse_date(data.get(name))
        except ValueError:
            errors[name] = Msg("%(label)s格式应为 YYYY-MM-DD：「%(v)s」", label=label,
                               v=data.get(name))
            continue
        if out[name] is not None and out[name] > today:
            errors[name] = Msg("%(label)s不能晚于今天", label=label)
    if "received" not in errors and out["received"] is None:
        errors["received"] = Msg("必填")

    for name, label in (("amount_involved", LABELS["amount_involved"]),
                        ("agreed_amount", LABELS["agreed_amount"])):
        try:
            out[name] = parse_amount(data.get(name))
        except ValueError as exc:
            errors[name] = Msg("%(label)s：%(msg)s", label=label, msg=exc.args[0])
    if "amount_involved" not in errors and out["amount_involved"] is None:
        errors["amount_involved"] = Msg("必填")

    for name, table, codes, label, required in (
            ("result", RESULTS, RESULT_CODES, LABELS["result"], True),
            ("method", METHODS, METHOD_CODES, LABELS["method"], True),
            ("fulfilment", FULFILMENTS, FULFILMENT_CODES, LABELS["fulfilment"], False)):
        value = data.get(name)
        if value is None or not str(value).strip():
            out[name] = None
            if required:
                errors[name] = Msg("必填")
            continue
        out[name] = codes.get(str(value).strip())
        if out[name] is None:
            errors[name] = Msg("%(label)s「%(v)s」无效，应为：%(choices)s", label=label, v=value,
                               choices=_choices(table))
    for name, choices, label, required in (
            ("dispute_type", DISPUTE_TYPES, LABELS["dispute_type"], True),
            ("source", SOURCES, LABELS["source"], False)):
        value = "" if data.get(name) is None else str(data[name]).strip()
        out[name] = value or None
        if not value and required:
            errors[name] = Msg("必填")
        elif value and value not in choices:
            errors[name] = Msg("%(label)s「%(v)s」无效，应为：%(choices)s", label=label, v=value,
                               choices=_choices(choices))

    confirmed = data.get("judicial_confirmed")
    if isinstance(confirmed, bool):
        out["judicial_confirmed"] = confirmed
    else:
        text = "" if confirmed is None else str(confirmed).strip().lower()
        out["judicial_confirmed"] = text in YES
        if text not in YES and text not in NO:
            errors["judicial_confirmed"] = Msg("司法确认「%(v)s」无效，应为：是、否", v=confirmed)

    received, closed, result = out.get("received"), out.get("closed"), out.get("result")
    if received and closed and "closed" not in errors and closed < received:
        errors["closed"] = Msg("结案日期不能早于受理日期")
    if result == OPEN and closed is not None:
        errors["closed"] = Msg("调解中的案件不能填写结案日期")
    elif result in CONCLUDED and closed is None and "closed" not in errors:
        errors["closed"] = Msg("已结案（%(result)s）的案件必须填写结案日期",
                               result=Msg(RESULTS[result]))
    involved, agreed = out.get("amount_involved"), out.get("agreed_amount")
    if involved is not None and agreed is not None and agreed > involved:
        errors["agreed_amount"] = Msg("协议金额不能高于标的金额")
    if (station is not None and mediator is not None and received is not None
            and "received" not in errors):
        if not lookups.assigned(mediator.id, station.id, received):
            # named by the 工号 typed, not by name: a refusal must not tell who holds it
            errors["mediator"] = _unknown_mediator(mediator.staff_no) if hidden else Msg(
                "调解员「%(no)s」在受理日期 %(day)s 未在「%(station)s」任职",
                no=mediator.staff_no, day=received.isoformat(), station=station.name)
    elif hidden:
        errors["mediator"] = _unknown_mediator(mediator.staff_no)
    if errors:
        raise ValidationError(errors)
    return out


def _check_scope(station: Organization, scope: Organization | None) -> None:
    if scope is not None and not scope.contains(station):
        raise OutOfScope(Msg("机构「%(code)s」超出您的管辖范围", code=station.code))


def in_scope(case: Case, scope: Organization | None) -> bool:
    return scope is None or scope.contains(case.station)


def _fresh_station(case: Case) -> Organization:
    """The case's station as stored now: a case object loaded before a move of its unit
    would otherwise carry the old path to the scope check and the rollup delta."""
    case.station = Organization.get_by_id(case.station_id)
    return case.station


def _named_station(data: dict[str, Any], instance: Case | None) -> Organization | None:
    station = data["station"] if "station" in data else (
        instance.station if instance is not None else None)
    if station is None or isinstance(station, Organization):
        return station
    code = str(station).strip()
    return CaseLookups().station(code) if code else None


def _check_station_first(data: dict[str, Any], instance: Case | None,
                         scope: Organization | None) -> None:
    """Refuse a station outside the caller's jurisdiction before any other rule: the rules'
    messages name the station and the mediator, which the caller may not see there."""
    station = _named_station(data, instance)
    if station is not None:
        _check_scope(station, scope)


def create_case(data: dict[str, Any], *, actor: str, scope: Organization | None) -> Case:
    """Record a case and add it to the rollups of its station and every ancestor."""
    _check_station_first(data, None, scope)
    with db.atomic():
        values = clean_case(data, scope=scope)
        _check_scope(values["station"], scope)
        case = Case.create(**values)
        rollups.case_changed(None, (case.station.path, case))
        audit.record(actor, "create", "case", case.id, str(case),
                     audit.snapshot(case, FIELDS), org_path=case.station.path)
    return case


def _stored(case: Case) -> Case:
    """The case as stored now, its row locked to the end of the transaction on PostgreSQL
    (SQLite has one writer at a time). A rollup delta must start from the stored values: two
    edits at once, each from the row it loaded, would both take the same old values away."""
    stored = locked(Case.select().where(Case.id == case.id)).get_or_none()
    if stored is None:
        raise DomainError(Msg("案件「%(no)s」已被他人删除", no=case.case_no))
    _fresh_station(stored)
    return stored


def update_case(case: Case, data: dict[str, Any], *, actor: str,
                scope: Organization | None) -> Case:
    """Change a case; the rollups lose its stored contribution and gain the new one. `case`
    is brought up to what is stored afterwards."""
    _check_scope(_fresh_station(case), scope)
    _check_station_first(data, case, scope)
    with db.atomic():
        stored = _stored(case)
        _check_scope(stored.station, scope)
        values = clean_case(data, stored, scope=scope)
        _check_scope(values["station"], scope)
        before = audit.snapshot(stored, FIELDS)
        old = (stored.station.path, Case(**stored.__data__))
        for key, value in values.items():
            setattr(stored, key, value)
        stored.updated_at = now()
        stored.save()
        rollups.case_changed(old, (stored.station.path, stored))
        changes = audit.diff(before, audit.snapshot(stored, FIELDS))
        if changes:
            audit.record(actor, "update", "case", stored.id, str(stored), changes,
                         org_path=stored.station.path)
    case.__data__.update(stored.__data__)
    case.station = stored.station
    case._dirty.clear()  # what it holds is what is stored
    return case


def delete_case(case: Case, *, actor: str, scope: Organization | None) -> None:
    """Remove a mistaken entry and its stored contribution to the rollups."""
    _check_scope(_fresh_station(case), scope)
    with db.atomic():
        stored = _stored(case)
        _check_scope(stored.station, scope)
        rollups.case_changed((stored.station.path, stored), None)
        audit.record(actor, "delete", "case", stored.id, str(stored),
                     audit.snapshot(stored, FIELDS), org_path=stored.station.path)
        stored.delete_instance()
