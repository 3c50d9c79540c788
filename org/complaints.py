"""Complaints (投诉) against mediators: recorded by hand or imported, each write audited.

Only upheld complaints (属实) matter to promotion; the others are kept because a bureau
reports how many complaints it received and how many it found true.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from network import audit
from network.db import db
from network.errors import Msg, OutOfScope, ValidationError
from network.fields import plain
from network.models import Organization, now

from .models import Complaint, Mediator
from .services import in_scope, parse_date

FIELDS = ["mediator", "filed_on", "upheld", "summary"]
YES, NO = "是", "否"
SUMMARY_LIMIT = 1000


def _upheld(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip()
    return {YES: True, NO: False}.get(text)


def clean_complaint(data: dict[str, Any]) -> dict[str, Any]:
    """Check a complaint's fields; every problem at once. `mediator` is a Mediator or a 工号."""
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}
    if "mediator" in data:
        mediator = data["mediator"]
        if not isinstance(mediator, Mediator):
            no = str(mediator or "").strip()
            mediator = Mediator.get_or_none(Mediator.staff_no == no) if no else None
            if mediator is None:
                errors["mediator"] = (Msg("工号「%(no)s」不存在", no=no) if no else Msg("必填"))
        out["mediator"] = mediator
    if "filed_on" in data:
        try:
            out["filed_on"] = parse_date(data["filed_on"])
        except ValueError as exc:
            errors["filed_on"] = exc.args[0]
        else:
            if out["filed_on"] is None:
                errors["filed_on"] = Msg("必填")
    if "upheld" in data:
        out["upheld"] = _upheld(data["upheld"])
        if out["upheld"] is None:
            errors["upheld"] = Msg("是否属实应为：是、否")
    if "summary" in data:
        out["summary"] = plain(data["summary"])
        if len(out["summary"]) > SUMMARY_LIMIT:
            errors["summary"] = Msg("不能超过%(n)d个字符", n=SUMMARY_LIMIT)
    if errors:
        raise ValidationError(errors)
    return out


def _check_scope(mediator: Mediator, scope: Organization | None) -> None:
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("调解员「%(no)s」超出您的管辖范围", no=mediator.staff_no),
                         "mediator")


def _snapshot(complaint: Complaint) -> dict:
    snap = audit.snapshot(complaint, FIELDS)
    snap["mediator"] = complaint.mediator.staff_no
    return snap


def create_complaint(data: dict[str, Any], *, actor: str,
                     scope: Organization | None) -> Complaint:
    values = clean_complaint({"summary": "", **data})
    for name in ("mediator", "filed_on", "upheld"):
        if name not in values:
            raise ValidationError({name: Msg("必填")})
    _check_scope(values["mediator"], scope)
    with db.atomic():
        complaint = Complaint.create(**values, recorded_by=actor or "")
        audit.record(actor, "create", "complaint", complaint.id, str(values["mediator"]),
                     _snapshot(complaint), org_path=values["mediator"].station.path)
    return complaint


def update_complaint(complaint: Complaint, data: dict[str, Any], *, actor: str,
                     scope: Organization | None) -> Complaint:
    """Change a complaint (e.g. the finding once investigated); a move to another mediator
    needs both in scope."""
    _check_scope(complaint.mediator, scope)
    values = clean_complaint(data)
    if "mediator" in values:
        _check_scope(values["mediator"], scope)
    with db.atomic():
        before = _snapshot(complaint)
        for key, value in values.items():
            setattr(complaint, key, value)
        changes = audit.diff(before, _snapshot(complaint))
        if changes:
            complaint.updated_at = now()
            complaint.save()
            audit.record(actor, "update", "complaint", complaint.id, str(complaint.mediator),
                         changes, org_path=complaint.mediator.station.path)
    return complaint


def delete_complaint(complaint: Complaint, *, actor: str, scope: Organization | None) -> None:
    _check_scope(complaint.mediator, scope)
    with db.atomic():
        audit.record(actor, "delete", "complaint", complaint.id, str(complaint.mediator),
                     _snapshot(complaint), org_path=complaint.mediator.station.path)
        complaint.delete_instance()


def find_same(values: dict[str, Any]) -> Complaint | None:
    """An existing complaint with exactly these fields (a file imported twice adds nothing)."""
    return (Complaint.select()
            .where((Complaint.mediator == values["mediator"])
                   & (Complaint.filed_on == values["filed_on"])
                   & (Complaint.upheld == values["upheld"])
                   & (Complaint.summary == values["summary"]))
            .first())


# --- reads for eligibility (set-based: a province at once) ------------------------------------

def _upheld_in(mediator_ids: Any, start: dt.date, end: dt.date) -> pw.Node:
    return (Complaint.mediator.in_(mediator_ids) & (Complaint.upheld == True)  # noqa: E712
            & Complaint.filed_on.between(start, end))


def upheld_complaints(mediator_ids: Any, start: dt.date, end: dt.date) -> dict[int, int]:
    """{mediator id: upheld complaints dated in [start, end]}; one grouped query."""
    query = (Complaint.select(Complaint.mediator, pw.fn.COUNT(Complaint.id))
             .where(_upheld_in(mediator_ids, start, end)).group_by(Complaint.mediator))
    return dict(query.tuples())


def upheld_complaint_ids(mediator_ids: Any, start: dt.date, end: dt.date
                         ) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    query = (Complaint.select(Complaint.mediator, Complaint.id)
             .where(_upheld_in(mediator_ids, start, end)).order_by(Complaint.id))
    for mediator_id, complaint_id in query.tuples():
        out.setdefault(mediator_id, []).append(complaint_id)
    return out
