"""Award records (评优表彰): who was honoured, by which body, for which period, under which 文号.

A recipient is exactly one mediator or one station. An award belongs to the jurisdiction of its
recipient (the mediator's current station, or the station itself): a manager records, edits and
deletes awards only inside their own subtree, and every change is audited with that path.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from network import audit
from network.dates import parse_date
from network.db import db
from network.errors import Msg, OutOfScope, ValidationError
from network.fields import plain
from network.models import CITY as CITY_UNIT
from network.models import Organization, now
from network.tree import subtree_ids
from org.models import Mediator

from .models import AWARD_LEVELS, AWARD_TYPES, CITY, Award

FIELDS = ["award_type", "level", "mediator", "station", "period", "doc_no", "awarded_on",
          "note"]


def in_scope_condition(scope: Organization) -> pw.Node:
    """Awards whose recipient lies in `scope`'s subtree (sub-selects, no join)."""
    units = subtree_ids(scope)
    return (Award.station.in_(units)
            | Award.mediator.in_(Mediator.select(Mediator.id).where(Mediator.station.in_(units))))


def _text(data: dict, name: str, limit: int, errors: dict, required: bool) -> str:
    value = plain(data.get(name))
    if required and not value:
        errors[name] = Msg("必填")
    elif len(value) > limit:
        errors[name] = Msg("不能超过%(n)d个字符", n=limit)
    return value


def _ref(model, value):
    if value is None or value == "" or isinstance(value, model):
        return value or None
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    # An id beyond the databases' integer range identifies nothing (and would make the
    # PostgreSQL driver raise).
    return model.get_or_none(model.id == pk) if 0 < pk < 2**63 else None


def clean_award(data: dict[str, Any], instance: Award | None = None) -> dict[str, Any]:
    """Check a whole award (the instance fills in keys `data` leaves out); all errors at once."""
    if instance is not None:
        data = {**{name: getattr(instance, name) for name in FIELDS}, **data}
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}
    out["award_type"] = _text(data, "award_type", 20, errors, True)
    if "award_type" not in errors and out["award_type"] not in AWARD_TYPES:
        errors["award_type"] = Msg("奖项「%(v)s」无效，应为：%(choices)s", v=out["award_type"],
                                   choices="、".join(AWARD_TYPES))
    level = _text(data, "level", 10, errors, True)
    out["level"] = next((code for code, text in AWARD_LEVELS.items() if level in (code, text)),
                        None)
    if "level" not in errors and out["level"] is None:
        errors["level"] = Msg("授予级别「%(v)s」无效，应为：市级、县级", v=level)
    out["period"] = _text(data, "period", 20, errors, True)
    out["doc_no"] = _text(data, "doc_no", 60, errors, False)
    out["note"] = _text(data, "note", 2000, errors, False)
    try:
        out["awarded_on"] = parse_date(data.get("awarded_on"))
        if out["awarded_on"] is None:
            errors["awarded_on"] = Msg("必填")
        elif not dt.date(1900, 1, 1) <= out["awarded_on"] <= dt.date(2999, 12, 31):
            errors["awarded_on"] = Msg("表彰日期应在1900-01-01至2999-12-31之间")
    except ValueError:
        errors["awarded_on"] = Msg("表彰日期格式应为 YYYY-MM-DD：「%(v)s」",
                                   v=data.get("awarded_on"))
    out["mediator"] = _ref(Mediator, data.get("mediator"))
    out["station"] = _ref(Organization, data.get("station"))
    for name in ("mediator", "station"):
        if data.get(name) not in (None, "") and out[name] is None:
            errors[name] = Msg("所选记录不存在")
    if not errors.keys() & {"mediator", "station"}:
        if out["mediator"] is None and out["station"] is None:
            errors["mediator"] = Msg("请选择获奖调解员或获奖机构（二者选其一）")
        elif out["mediator"] is not None and out["station"] is not None:
            errors["station"] = Msg("获奖对象只能是一名调解员或一个机构，不能同时填写")
    if errors:
        raise ValidationError(errors)
    return out


def _recipient_org(values: dict) -> Organization:
    if values["mediator"] is not None:
        return Organization.get_by_id(values["mediator"].station_id)
    return values["station"]


def _check_scope(org: Organization | None, scope: Organization | None) -> None:
    if scope is not None and (org is None or not scope.contains(org)):
        raise OutOfScope(Msg("获奖对象超出您的管辖范围"))


def _check_level(level: str | None, scope: Organization | None) -> None:
    """A 市级 award is conferred by the city: only a user whose jurisdiction is a city or
    above records, changes or deletes one; a county manager keeps to 县级 awards."""
    if level == CITY and scope is not None and scope.level > CITY_UNIT:
        raise ValidationError({"level": Msg("市级表彰只能由市级及以上的管理员录入或修改")})


def _values_snapshot(award: Award) -> dict:
    return audit.snapshot(award, FIELDS)


def create_award(data: dict[str, Any], *, actor: str, scope: Organization | None) -> Award:
    values = clean_award(data)
    org = _recipient_org(values)
    _check_scope(org, scope)
    _check_level(values["level"], scope)
    with db.atomic():
        award = Award.create(**values)
        audit.record(actor, "create", "award", award.id, str(award), _values_snapshot(award),
                     org_path=org.path)
    return award


def update_award(award: Award, data: dict[str, Any], *, actor: str,
                 scope: Organization | None) -> Award:
    """Both the award as stored and the award as changed must lie in the actor's subtree."""
    _check_scope(award.recipient_org(), scope)
    _check_level(award.level, scope)
    values = clean_award(data, award)
    org = _recipient_org(values)
    _check_scope(org, scope)
    _check_level(values.get("level", award.level), scope)
    with db.atomic():
        before = _values_snapshot(award)
        for name, value in values.items():
            setattr(award, name, value)
        award.updated_at = now()
        award.save()
        changes = audit.diff(before, _values_snapshot(award))
        if changes:
            audit.record(actor, "update", "award", award.id, str(award), changes,
                         org_path=org.path)
    return award


def delete_award(award: Award, *, actor: str, scope: Organization | None) -> None:
    org = award.recipient_org()
    _check_scope(org, scope)
    _check_level(award.level, scope)
    with db.atomic():
        audit.record(actor, "delete", "award", award.id, str(award), _values_snapshot(award),
                     org_path=org.path if org else "")
        award.delete_instance()
