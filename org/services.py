"""Write operations on mediators and their assignments, each atomic and audited."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import peewee as pw

from network import audit
from network.dates import local_today, parse_date
from network.db import db
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.fields import FieldKit
from network.models import CLOSED, Organization, now

from .accounts import User, follow_station
from .identity import check_id_number, check_mobile, mask_identifiers
from .models import (
    ASSIGNMENT_KINDS,
    EDUCATION,
    POLITICAL,
    Assignment,
    Mediator,
)

MEDIATOR_FIELDS = FieldKit(Mediator)
STAFF_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")
FIELDS = ["staff_no", "name", "gender", "id_number", "birth_date", "mobile", "education",
          "speciality", "political_status", "employment", "employer", "joined", "status",
          "station"]




def in_scope(mediator: Mediator, scope: Organization | None) -> bool:
    return scope is None or scope.contains(mediator.station)


def _check_station(station: Organization | None, scope: Organization | None) -> None:
    if station is None:
        raise ValidationError({"station": Msg("必填")})
    if scope is not None and not scope.contains(station):
        raise OutOfScope(Msg("机构「%(code)s」超出您的管辖范围", code=station.code))


def clean_mediator(data: dict[str, Any], instance: Mediator | None) -> dict[str, Any]:
    """Normalise and check a mediator's fields; every problem is reported at once."""
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}

    def text(name: str) -> None:
        MEDIATOR_FIELDS.text(data, name, out, errors)

    text("staff_no")
    if out.get("staff_no") and "staff_no" not in errors:
        if not STAFF_NO_RE.match(out["staff_no"]):
            errors["staff_no"] = Msg("工号只能包含字母、数字、-、_")
        else:
            clash = Mediator.select().where(Mediator.staff_no == out["staff_no"])
            if instance is not None:
                clash = clash.where(Mediator.id != instance.id)
            if clash.exists():
                errors["staff_no"] = Msg("工号「%(no)s」已存在", no=out["staff_no"])
    text("name")
    text("speciality")
    text("employer")
    for name, label in (("gender", Msg("性别")), ("employment", Msg("专兼职")),
                        ("status", Msg("状态"))):
        MEDIATOR_FIELDS.choice(data, name, out, errors, label=label)
    for name, choices, label in (("education", EDUCATION, Msg("学历")),
                                 ("political_status", POLITICAL, Msg("政治面貌"))):
        if name in data:
            value = (data[name] or "").strip() if isinstance(data[name], str) else data[name]
            if value and value not in choices:
                errors[name] = Msg("%(label)s应为：%(choices)s", label=label,
                                   choices="、".join(choices))
            out[name] = value or None
    for name in ("joined", "birth_date"):
        if name in data:
            try:
                out[name] = parse_date(data[name])
            except ValueError as exc:
                errors[name] = exc.args[0]
    if out.get("joined") and out["joined"] > local_today():
        errors["joined"] = Msg("入职日期不能晚于今天")
    if "mobile" in data:
        if data["mobile"] in (None, ""):
            out["mobile"] = None
        else:
            try:
                out["mobile"] = check_mobile(str(data["mobile"]))
            except ValueError as exc:
                errors["mobile"] = exc.args[0]
    if "id_number" in data or "gender" in data or "birth_date" in data:
        number = data.get("id_number", instance.id_number if instance else "")
        gender = out.get("gender", instance.gender if instance else None)
        try:
            number, born, _sex = check_id_number(
                str(number or ""), gender if "gender" not in errors else None,
                out.get("birth_date"))
            out["id_number"] = number
            out["birth_date"] = born
            clash = Mediator.select().where(Mediator.id_number == number)
            if instance is not None:
                clash = clash.where(Mediator.id != instance.id)
            if clash.exists():
                errors["id_number"] = Msg("该身份证号已登记为其他调解员")
        except ValueError as exc:
            msg = exc.args[0]
            field = "birth_date" if "出生日期与" in str(msg) else (
                "gender" if "性别" in str(msg) else "id_number")
            errors[field] = msg
    if "station" in data:
        station = data["station"]
        if isinstance(station, Organization):
            out["station"] = station
        elif station in (None, ""):
            errors["station"] = Msg("必填")
        else:
            found = Organization.get_or_none(Organization.code == str(station).strip())
            if found is None:
                errors["station"] = Msg("机构编码「%(code)s」不存在", code=station)
            out["station"] = found
        if out.get("station") is not None and out["station"].status == CLOSED:
            errors["station"] = Msg("机构「%(name)s」已撤销", name=out["station"].name)
    if errors:
        raise ValidationError(errors)
    return out


def _audit_snapshot(mediator: Mediator) -> dict:
    return mask_identifiers(audit.snapshot(mediator, FIELDS))


def create_mediator(data: dict[str, Any], *, actor: str, scope: Organization | None,
                    kind: str = "resident", start: dt.date | None = None) -> Mediator:
    values = clean_mediator(data, None)
    _check_station(values.get("station"), scope)
    if kind not in ASSIGNMENT_KINDS:
        raise ValidationError({"kind": Msg("驻点方式应为：常驻、轮驻、随叫随到")})
    with db.atomic():
        mediator = Mediator.create(**values)
        Assignment.create(mediator=mediator, station=mediator.station, kind=kind,
                          is_primary=True, start=start or mediator.joined or local_today())
        audit.record(actor, "create", "mediator", mediator.id, str(mediator),
                     _audit_snapshot(mediator), org_path=mediator.station.path)
    return mediator


def update_mediator(mediator: Mediator, data: dict[str, Any], *, actor: str,
                    scope: Organization | None, kind: str | None = None,
                    on: dt.date | None = None) -> Mediator:
    """Change fields; a new station is a move, which keeps the old assignment as history."""
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("超出您的管辖范围"))
    values = clean_mediator(data, mediator)
    with db.atomic():
        before = audit.snapshot(mediator, FIELDS)
        new_station = values.pop("station", mediator.station)
        if new_station.id != mediator.station_id:
            move_mediator(mediator, new_station, actor=actor, scope=scope,
                          kind=kind or "resident", on=on)
        elif kind is not None:
            current = primary_assignment(mediator)
            if current is not None and current.kind != kind:
                current.kind = kind
                current.save()
        for key, value in values.items():
            setattr(mediator, key, value)
        mediator.updated_at = now()
        # the form's columns only: the station is move_mediator's, kept with the assignments
        mediator.save(only=[Mediator._meta.fields[key] for key in values] + [Mediator.updated_at])
        changes = mask_identifiers(audit.diff(before, audit.snapshot(mediator, FIELDS)))
        changes.pop("station", None)
        if changes:
            audit.record(actor, "update", "mediator", mediator.id, str(mediator), changes,
                         org_path=mediator.station.path)
    return mediator


def primary_assignment(mediator: Mediator) -> Assignment | None:
    return (Assignment.select()
            .where((Assignment.mediator == mediator) & Assignment.is_primary
                   & Assignment.end.is_null())
            .order_by(Assignment.start.desc()).first())


def move_mediator(mediator: Mediator, station: Organization, *, actor: str,
                  scope: Organization | None, kind: str = "resident",
                  on: dt.date | None = None) -> Mediator:
    """Primary station changes on date `on`: the old primary assignment ends the day before."""
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("超出您的管辖范围"))
    _check_station(station, scope)
    if station.status == CLOSED:
        raise ValidationError({"station": Msg("机构「%(name)s」已撤销", name=station.name)})
    if kind not in ASSIGNMENT_KINDS:
        raise ValidationError({"kind": Msg("驻点方式应为：常驻、轮驻、随叫随到")})
    on = on or local_today()
    with db.atomic():
        old_station = mediator.station
        current = primary_assignment(mediator)
        if current is not None:
            if on <= current.start:
                raise ValidationError({"start": Msg("调动日期必须晚于当前任职开始日期 %(d)s",
                                                    d=current.start.isoformat())})
            current.end = on - dt.timedelta(days=1)
            current.save()
        Assignment.create(mediator=mediator, station=station, kind=kind, is_primary=True,
                          start=on)
        mediator.station = station
        mediator.updated_at = now()
        mediator.save(only=[Mediator.station, Mediator.updated_at])
        follow_station(mediator, station, actor=actor)
        audit.record(actor, "move", "mediator", mediator.id, str(mediator),
                     {"station": [str(old_station), str(station)], "date": on.isoformat()},
                     org_path=station.path)
    return mediator


def add_assignment(mediator: Mediator, station: Organization, *, actor: str,
                   scope: Organization | None, kind: str, start: dt.date) -> Assignment:
    """A secondary (non-primary) assignment, e.g. rotating duty at a court room."""
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("超出您的管辖范围"))
    _check_station(station, scope)
    if kind not in ASSIGNMENT_KINDS:
        raise ValidationError({"kind": Msg("驻点方式应为：常驻、轮驻、随叫随到")})
    with db.atomic():
        assignment = Assignment.create(mediator=mediator, station=station, kind=kind,
                                       is_primary=False, start=start)
        audit.record(actor, "create", "assignment", assignment.id, str(mediator),
                     {"station": str(station), "kind": kind, "start": start.isoformat()},
                     org_path=station.path)
    return assignment


def assigned_on(mediator_id: int, station_id: int, day: dt.date) -> bool:
    """Was the mediator serving that station (any assignment kind) on that day?"""
    return (Assignment.select()
            .where((Assignment.mediator == mediator_id) & (Assignment.station == station_id)
                   & (Assignment.start <= day)
                   & (Assignment.end.is_null() | (Assignment.end >= day)))
            .exists())


def reveal(mediator: Mediator, field: str, *, actor: str, scope: Organization | None) -> str:
    """Return one unmasked identifier and leave an audit record saying who looked."""
    if field not in ("id_number", "mobile"):
        raise DomainError(Msg("不能查看该字段"))
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("超出您的管辖范围"))
    audit.record(actor, "reveal", "mediator", mediator.id, str(mediator), {"field": field},
                 org_path=mediator.station.path)
    return getattr(mediator, field) or ""


def delete_mediator(mediator: Mediator, *, actor: str, scope: Organization | None) -> None:
    """Delete only a mistaken entry; anyone with a past (service before today, an account)
    stays, marked 离岗, because statistics and the audit trail refer to them."""
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("超出您的管辖范围"))
    history = (Assignment.select()
               .where((Assignment.mediator == mediator) & (Assignment.start < local_today()))
               .exists())
    if history or User.select().where(User.mediator == mediator).exists():
        raise DomainError(Msg("调解员「%(name)s」已有任职历史或登录账号，不能删除；请改为离岗",
                              name=mediator.name))
    snap = _audit_snapshot(mediator)
    try:
        with db.atomic():
            audit.record(actor, "delete", "mediator", mediator.id, str(mediator), snap,
                         org_path=mediator.station.path)
            Assignment.delete().where(Assignment.mediator == mediator).execute()
            mediator.delete_instance()
    except pw.IntegrityError as exc:
        raise DomainError(Msg("调解员「%(name)s」已有业务记录，不能删除；请改为离岗",
                              name=mediator.name)) from exc
