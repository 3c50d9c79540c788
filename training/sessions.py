"""Write operations on sessions (场次): create, change, copy, cancel, multi-day dates.

Every change that a calendar subscriber should see bumps `sequence` (iCalendar SEQUENCE);
a change of 学时 or schedule rewrites the stored credited hours of the session's attendance
through training.hours, the one rule.

Scheduled minutes (the denominator of a late arrival's or early leaver's credited hours): for a
session held on one stretch of time they are 结束时间 − 开始时间, as domain.md states; for a
multi-day session (分日日程) they are the sum of its days' (end − start), not last end − first
start. domain.md's rule predates multi-day sessions: applied to a session of two mornings it
would count the night in between, so someone present for the whole of one morning would be
credited a sliver of the 学时. Summing the days is the same rule applied to each day
(`_schedule`), and equals it for a one-day session.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from network import audit
from network.dates import OUT_OF_RANGE, SHANGHAI, in_range
from network.db import db, locked
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.fields import plain
from network.models import CLOSED, Organization, now
from org.models import EMPLOYMENT, GRADES

from . import hours as hours_rule
from .models import (
    CANCELLED,
    FINISHED,
    OPEN,
    PLANNED,
    SESSION_STATUSES,
    Course,
    Session,
    SessionAudience,
    SessionDate,
    TrainingKind,
)
from .notices import notify_cancelled
from .rollup import refresh_sessions

TIME_FORMAT = "%Y-%m-%d %H:%M"
TIME_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}(:\d{2})?$")
FIELDS = ["code", "course", "kind", "host", "trainers", "venue", "online_link", "start", "end",
          "hours", "capacity", "enrol_deadline", "mandatory", "needs_approval", "status",
          "audience_grades", "audience_employment"]
# what a calendar subscriber sees: a change of any bumps SEQUENCE
SCHEDULE_FIELDS = ("start", "end", "venue", "online_link", "status", "trainers")
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
# one day of a multi-day session: `2026-05-06 09:00-12:00` (a dash, en dash or ～ between)
DATE_LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s+(\d{1,2}:\d{2})\s*[-–—~～至]\s*(\d{1,2}:\d{2})$")


def parse_grades(value: Any) -> str:
    """面向等级 as grade codes in ladder order, comma-joined ("" = every grade). Codes or
    labels (四级, 未定级) are accepted, as a list or one text separated by 、 or commas."""
    items = (list(value) if isinstance(value, (list, tuple, set))
             else LIST_SEPARATORS.split(str(value or "").strip()))
    by_name = {**{code: code for code in GRADES}, **{str(label): code for code, label in GRADES.items()}}
    wanted, unknown = set(), []
    for item in (str(i).strip() for i in items):
        if item and item in by_name:
            wanted.add(by_name[item])
        elif item:
            unknown.append(item)
    if unknown:
        raise ValueError(Msg("未知的等级「%(value)s」，应为：%(choices)s", value="、".join(unknown),
                             choices="、".join(str(label) for label in GRADES.values())))
    return ",".join(code for code in GRADES if code in wanted)


def grades_of(session: Session) -> set[str]:
    """The grade codes a session is meant for (empty: every grade). Tolerates text stored
    before the field was checked: unknown words are ignored."""
    try:
        text = parse_grades(session.audience_grades)
    except ValueError:
        by_name = {str(label): code for code, label in GRADES.items()}
        text = ",".join(by_name.get(w, w) for w in LIST_SEPARATORS.split(session.audience_grades)
                        if by_name.get(w, w) in GRADES)
    return set(filter(None, text.split(",")))


def parse_dates(value: Any) -> list[tuple[dt.datetime, dt.datetime]]:
    """A multi-day session's days, sorted: pairs of times, or text with one day per line
    (`2026-05-06 09:00-12:00`). Days may not overlap. An empty value: no separate days."""
    if isinstance(value, str):
        pairs = []
        for number, line in enumerate(value.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            found = DATE_LINE.match(line)
            if not found:
                raise ValueError(Msg("第%(n)d行「%(line)s」格式应为 YYYY-MM-DD HH:MM-HH:MM",
                                     n=number, line=line[:40]))
            day, begin, finish = found.groups()
            try:
                pairs.append((parse_time(f"{dt.date.fromisoformat(_iso(day))} {begin:0>5}"),
                              parse_time(f"{dt.date.fromisoformat(_iso(day))} {finish:0>5}")))
            except ValueError:
                raise ValueError(Msg("第%(n)d行「%(line)s」不是有效的日期或时间", n=number,
                                     line=line[:40])) from None
    else:
        pairs = [(parse_time(start), parse_time(end)) for start, end in (value or [])]
    for start, end in pairs:
        if end <= start:
            raise ValueError(Msg("%(day)s 的结束时间应晚于开始时间",
                                 day=start.strftime("%Y-%m-%d")))
    pairs.sort()
    for (_, end), (start, _) in zip(pairs, pairs[1:], strict=False):
        if start < end:
            raise ValueError(Msg("各日期的时间段不能重叠"))
    return pairs


def _iso(day: str) -> str:
    year, month, date = day.split("-")
    return f"{year}-{int(month):02d}-{int(date):02d}"


def dates_text(session: Session) -> str:
    """The session's days as the form shows them, one per line."""
    return "\n".join(f"{d.start.astimezone(SHANGHAI):%Y-%m-%d %H:%M}-"
                     f"{d.end.astimezone(SHANGHAI):%H:%M}"
                     for d in session.dates.order_by(SessionDate.start)) if session.id else ""


def audience_codes(session: Session) -> list[str]:
    if not session.id:
        return []
    return [code for (code,) in Organization.select(Organization.code).join(
        SessionAudience, on=(SessionAudience.organization == Organization.id))
        .where(SessionAudience.session == session.id).order_by(Organization.code).tuples()]


def _parse_orgs(value: Any) -> list[Organization]:
    items = (list(value) if isinstance(value, (list, tuple, set))
             else LIST_SEPARATORS.split(str(value or "").strip()))
    found, missing = [], []
    for item in items:
        if isinstance(item, Organization):
            found.append(item)
            continue
        code = plain(item)
        if not code:
            continue
        org = Organization.get_or_none(Organization.code == code)
        (found.append(org) if org is not None else missing.append(code))
    if missing:
        raise ValueError(Msg("机构「%(code)s」不存在", code="、".join(missing)))
    return list({org.id: org for org in found}.values())


def status_now(status: str, end: dt.datetime, at: dt.datetime | None = None) -> str:
    """The status to show: a planned or open session whose end has passed is 已结束 (nobody
    sets it by hand after the day, and 报名中 for last week's session misleads)."""
    if status in (PLANNED, OPEN) and end < (at or dt.datetime.now(SHANGHAI)):
        return FINISHED
    return status


def parse_time(value: Any) -> dt.datetime:
    """`YYYY-MM-DD HH:MM` (Asia/Shanghai) or a datetime (naive: Asia/Shanghai) → aware."""
    if isinstance(value, dt.datetime):
        parsed = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    else:
        text = str(value or "").strip()
        try:
            parsed = dt.datetime.strptime(text, TIME_FORMAT)
        except ValueError:
            try:  # Excel cells come back as 'YYYY-MM-DD HH:MM:SS'
                parsed = dt.datetime.strptime(text, TIME_FORMAT + ":%S")
            except ValueError:
                if TIME_SHAPE.match(text):  # written right, but no such day or time
                    raise ValueError(Msg("「%(v)s」不是有效的日期或时间", v=text)) from None
                raise ValueError(Msg("时间格式应为 YYYY-MM-DD HH:MM")) from None
        parsed = parsed.replace(tzinfo=SHANGHAI)
    if not in_range(parsed.date()):  # year 1 at 00:00 Shanghai is year 0 in UTC: no date
        raise ValueError(OUT_OF_RANGE)
    return parsed


def parse_hours(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(Msg("学时应为数字，如 2 或 1.5")) from None
    if not number.is_finite() or number <= 0 or (number * 2) % 1 != 0:
        raise ValueError(Msg("学时应为大于0的0.5的整数倍"))
    if number > 999:
        raise ValueError(Msg("学时不能超过999"))
    return number.quantize(Decimal("0.1"))


def _kind(value: Any) -> TrainingKind | None:
    if isinstance(value, TrainingKind):
        return value
    text = str(value or "").strip()
    if "\x00" in text:  # no name holds one (and PostgreSQL refuses it in a query)
        return None
    return TrainingKind.get_or_none((TrainingKind.name == text) | (TrainingKind.code == text))


def _host(value: Any) -> Organization | None:
    if isinstance(value, Organization):
        return value
    code = str(value or "").strip()
    return None if "\x00" in code else Organization.get_or_none(Organization.code == code)


def clean_session(data: dict[str, Any], instance: Session | None) -> dict[str, Any]:
    """Normalise and check a session's fields; every problem is reported at once. A course
    named but not known is created with the session's kind (`course` is then a name)."""
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}

    def text(name: str, limit: int, required: bool = False) -> None:
        if name not in data:
            return
        value = plain(data[name])
        if required and not value:
            errors[name] = Msg("必填")
        elif len(value) > limit:
            errors[name] = Msg("不能超过%(n)d个字符", n=limit)
        out[name] = value

    text("code", 40, required=True)
    if out.get("code") and "code" not in errors:
        clash = Session.select().where(Session.code == out["code"])
        if instance is not None:
            clash = clash.where(Session.id != instance.id)
        if clash.exists():
            errors["code"] = Msg("场次编号「%(code)s」已存在", code=out["code"])
    for name, limit in (("trainers", 200), ("venue", 200), ("online_link", 500)):
        text(name, limit)
    if "kind" in data:
        kind = _kind(data["kind"])
        if kind is None:
            errors["kind"] = Msg("培训类型应为：%(choices)s", choices="、".join(
                k.name for k in TrainingKind.select().order_by(TrainingKind.sort_order)))
        out["kind"] = kind
    if "course" in data:
        course = data["course"]
        if not isinstance(course, Course):
            name = plain(course)
            if not name:
                errors["course"] = Msg("必填")
            elif len(name) > 100:
                errors["course"] = Msg("不能超过%(n)d个字符", n=100)
            course = Course.get_or_none(Course.name == name) or name
        out["course"] = course
    if "host" in data:
        host = _host(data["host"])
        if host is None:
            errors["host"] = Msg("机构「%(code)s」不存在", code=str(data["host"] or "").strip())
        elif host.status == CLOSED:
            errors["host"] = Msg("机构「%(code)s」已撤销", code=host.code)
        out["host"] = host
    for name in ("start", "end", "enrol_deadline"):
        if name not in data:
            continue
        if data[name] in (None, "") and name == "enrol_deadline":
            out[name] = None
            continue
        if not isinstance(data[name], dt.datetime) and not str(data[name] or "").strip():
            errors[name] = Msg("必填")
            continue
        try:
            out[name] = parse_time(data[name])
        except ValueError as exc:
            errors[name] = exc.args[0]
    if "dates" in data:
        try:
            out["dates"] = parse_dates(data["dates"])
        except ValueError as exc:
            errors["dates"] = exc.args[0]
        else:
            if out["dates"]:  # the days decide the span; a wrong start/end typed beside is moot
                out["start"], out["end"] = out["dates"][0][0], out["dates"][-1][1]
                errors.pop("start", None)
                errors.pop("end", None)
    start = out.get("start", instance.start if instance else None)
    end = out.get("end", instance.end if instance else None)
    if start and end and "start" not in errors and "end" not in errors and end <= start:
        errors["end"] = Msg("结束时间应晚于开始时间")
    deadline = out.get("enrol_deadline")
    if deadline and start and "start" not in errors and deadline > start:
        errors["enrol_deadline"] = Msg("报名截止时间不能晚于开始时间")
    if "hours" in data:
        try:
            out["hours"] = parse_hours(data["hours"])
        except ValueError as exc:
            errors["hours"] = exc.args[0]
    if "capacity" in data:
        try:
            capacity = int(str(data["capacity"]).strip())
            if capacity <= 0 or capacity > 100000:
                raise ValueError
            out["capacity"] = capacity
            booked = instance.booked if instance else 0
            if capacity < booked:
                errors["capacity"] = Msg("容量不能少于已占名额（%(n)d）", n=booked)
        except ValueError:
            errors["capacity"] = Msg("容量应为正整数")
    if "audience_grades" in data:
        try:
            out["audience_grades"] = parse_grades(data["audience_grades"])
        except ValueError as exc:
            errors["audience_grades"] = exc.args[0]
    if "audience_orgs" in data:
        try:
            out["audience_orgs"] = _parse_orgs(data["audience_orgs"])
        except ValueError as exc:
            errors["audience_orgs"] = exc.args[0]
    if "audience_employment" in data:
        value = str(data["audience_employment"] or "").strip()
        if value and value not in EMPLOYMENT:
            errors["audience_employment"] = Msg("专兼职应为：专职、兼职或留空")
        out["audience_employment"] = value
    for name in ("mandatory", "needs_approval"):
        if name in data:
            out[name] = bool(data[name])
    if "status" in data:
        if data["status"] not in SESSION_STATUSES or data["status"] == CANCELLED:
            errors["status"] = Msg("状态应为：计划、报名中、已结束（取消请用取消操作）")
        out["status"] = data["status"]
    if errors:
        raise ValidationError(errors)
    return out


def check_scope(session: Session, scope: Organization | None) -> None:
    if scope is not None and not scope.contains(session.host):
        raise OutOfScope(Msg("场次「%(code)s」超出您的管辖范围", code=session.code))


def _check_host(host: Organization, scope: Organization | None) -> None:
    if scope is not None and not scope.contains(host):
        raise OutOfScope(Msg("机构「%(code)s」超出您的管辖范围", code=host.code), field="host")


def _course(values: dict[str, Any]) -> None:
    """A course named for the first time is created with the session's kind."""
    course = values.get("course")
    if isinstance(course, str):
        values["course"] = Course.create(name=course, kind=values["kind"])


def _check_audience(orgs: list[Organization] | None, scope: Organization | None) -> None:
    for org in orgs or []:
        if scope is not None and not scope.contains(org):
            raise OutOfScope(Msg("机构「%(code)s」超出您的管辖范围", code=org.code),
                             field="audience_orgs")


def _write_audience(session: Session, orgs: list[Organization] | None) -> None:
    if orgs is None:
        return
    SessionAudience.delete().where(SessionAudience.session == session.id).execute()
    for org in orgs:
        SessionAudience.create(session=session, organization=org)


PARKED = dt.datetime(1900, 1, 1, tzinfo=SHANGHAI)


def _write_dates(session: Session, dates: list[tuple[dt.datetime, dt.datetime]] | None) -> None:
    """Rewrite the days in place, first to last, so that a day keeps its row (and the .ics
    UID built from it) when only its times change."""
    if dates is None:
        return
    rows = list(SessionDate.select().where(SessionDate.session == session.id)
                .order_by(SessionDate.start))
    # park the kept rows out of the way of the unique (session, start) index first
    for index, row in enumerate(rows[:len(dates)]):
        SessionDate.update(start=PARKED + dt.timedelta(days=index)).where(
            SessionDate.id == row.id).execute()
    for row, (start, end) in zip(rows, dates, strict=False):
        SessionDate.update(start=start, end=end).where(SessionDate.id == row.id).execute()
    SessionDate.delete().where(SessionDate.id.in_([r.id for r in rows[len(dates):]])).execute()
    for start, end in dates[len(rows):]:
        SessionDate.create(session=session, start=start, end=end)


def _extras(session: Session) -> dict[str, str]:
    """The audience organisations and days as the audit trail records them."""
    return {"audience_orgs": "、".join(audience_codes(session)),
            "dates": dates_text(session).replace("\n", "；")}


def _schedule(session: Session) -> None:
    session.start_day = session.start.astimezone(SHANGHAI).date()
    dates = list(session.dates) if session.id else []
    if dates:
        session.minutes = sum(int((d.end - d.start).total_seconds() // 60) for d in dates)
    else:
        session.minutes = int((session.end - session.start).total_seconds() // 60)


REQUIRED = ("code", "course", "kind", "host", "start", "end", "hours", "capacity")
# kept by their own statements (seats, 人次 from the attendance), never by update_session
KEPT = ("id", "booked", "participants")


def create_session(data: dict[str, Any], *, actor: str, scope: Organization | None) -> Session:
    values = clean_session({**{k: None for k in REQUIRED}, **data}, None)
    _check_host(values["host"], scope)
    orgs, dates = values.pop("audience_orgs", None), values.pop("dates", None)
    _check_audience(orgs, scope)
    with db.atomic():
        _course(values)
        session = Session(**values)
        _schedule(session)
        session.save()
        if orgs or dates:
            _write_audience(session, orgs)
            _write_dates(session, dates)
            _schedule(session)
            session.save()
        audit.record(actor, "create", "training_session", session.id, session.code,
                     {**audit.snapshot(session, FIELDS), **_extras(session)},
                     org_path=session.host.path)
        return session


def _stored(session: Session) -> None:
    """Bring `session` up to its stored row, locked to the end of the transaction on
    PostgreSQL: a form loaded before a cancel must not write its older status back (the edit
    would un-cancel the session after everyone was told), nor check the capacity against
    seats counted before the last sign-ups."""
    stored = locked(Session.select().where(Session.id == session.id)).get_or_none()
    if stored is None:
        raise DomainError(Msg("场次「%(code)s」已被删除", code=session.code))
    session.__data__.update(stored.__data__)
    session.__rel__.clear()
    session._dirty.clear()


def update_session(session: Session, data: dict[str, Any], *, actor: str,
                   scope: Organization | None) -> Session:
    check_scope(session, scope)
    with db.atomic():
        _stored(session)
        if session.status == CANCELLED:
            raise DomainError(Msg("场次「%(code)s」已取消，不能修改", code=session.code))
        values = clean_session(data, session)
        if "host" in values:
            _check_host(values["host"], scope)
        orgs, dates = values.pop("audience_orgs", None), values.pop("dates", None)
        _check_audience(orgs, scope)
        _course(values)
        before = {**audit.snapshot(session, FIELDS), **_extras(session)}
        old = {name: getattr(session, name)
               for name in (*SCHEDULE_FIELDS, "hours", "minutes", "kind_id", "start_day")}
        _write_audience(session, orgs)
        _write_dates(session, dates)
        for name, value in values.items():
            setattr(session, name, value)
        _schedule(session)
        after_days = _extras(session)["dates"]
        if (any(getattr(session, name) != old[name] for name in SCHEDULE_FIELDS)
                or after_days != before["dates"]):
            session.sequence += 1
        session.updated_at = now()
        # every column but the counters (KEPT): the object may be older than the last sign-up
        # or attendance record (a form loaded before it, enrol_many beside it)
        session.save(only=[f for f in Session._meta.sorted_fields if f.name not in KEPT])
        if session.hours != old["hours"] or session.minutes != old["minutes"]:
            hours_rule.recredit_session(session)
        if any(getattr(session, name) != old[name]
               for name in ("hours", "minutes", "kind_id", "start_day")):
            refresh_sessions([session.id], extra_years=[old["start_day"].year])
        changes = audit.diff(before, {**audit.snapshot(session, FIELDS), **_extras(session)})
        if changes:
            audit.record(actor, "update", "training_session", session.id, session.code,
                         changes, org_path=session.host.path)
        return session


def set_dates(session: Session, dates: Any, *, actor: str,
              scope: Organization | None) -> Session:
    """Replace a multi-day session's dates; the session spans the first start to the last
    end and its scheduled minutes become the sum of the dates."""
    return update_session(session, {"dates": dates}, actor=actor, scope=scope)


def copy_data(session: Session, *, code: str, start: Any) -> dict[str, Any]:
    """What a copy of `session` starting at `start` would be created with (the web form checks
    its calendar warnings before copying): same course, kind, host, length, audience, days."""
    begin = parse_time(start)
    shift = begin - session.start
    data = {name: getattr(session, name) for name in FIELDS if name != "status"}
    data.update(code=code, start=begin, end=session.end + shift,
                enrol_deadline=(session.enrol_deadline + shift
                                if session.enrol_deadline else None),
                audience_orgs=audience_codes(session),
                dates=[(d.start + shift, d.end + shift)
                       for d in session.dates.order_by(SessionDate.start)])
    return data


def copy_session(session: Session, *, code: str, start: Any, actor: str,
                 scope: Organization | None) -> Session:
    """A new session like `session` (same course, kind, host, length, audience), at `start`."""
    check_scope(session, scope)
    return create_session(copy_data(session, code=code, start=start), actor=actor, scope=scope)


def cancel_session(session: Session, reason: str, *, actor: str,
                   scope: Organization | None) -> Session:
    """Cancel with a reason; everyone holding or waiting for a seat is told in the portal."""
    check_scope(session, scope)
    reason = plain(reason)
    if not reason:
        raise ValidationError({"cancel_reason": Msg("请填写取消原因")})
    if len(reason) > 200:
        raise ValidationError({"cancel_reason": Msg("不能超过%(n)d个字符", n=200)})
    if session.status == CANCELLED:
        raise DomainError(Msg("场次「%(code)s」已取消", code=session.code))
    if session.status == FINISHED:
        raise DomainError(Msg("场次「%(code)s」已结束，不能取消", code=session.code))
    with db.atomic():
        Session.update(status=CANCELLED, cancel_reason=reason, sequence=Session.sequence + 1,
                       updated_at=now()).where(Session.id == session.id).execute()
        session = Session.get_by_id(session.id)
        refresh_sessions([session.id])
        notify_cancelled(session)
        audit.record(actor, "close", "training_session", session.id, session.code,
                     {"status": [None, "cancelled"], "cancel_reason": [None, reason]},
                     org_path=session.host.path)
        return session
