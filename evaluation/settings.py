"""Thresholds and weights the city administrator edits: data, not code.

Every tunable of evaluation (traffic-light colours, early-warning rules, award weights) is
declared once in SETTINGS with its default, type and label; the database holds only the values
an administrator changed. A value is always returned in its declared type.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import peewee as pw

from network import audit
from network.db import N_, BaseModel, db
from network.errors import Msg, ValidationError


class Spec(NamedTuple):
    default: Any
    kind: type  # int, float (stored as decimal text) or bool
    label: str
    group: str
    minimum: float | None = None
    maximum: float | None = None


TRAFFIC = N_("红黄绿灯阈值")
WARNINGS = N_("预警规则")
AWARDS = N_("评优权重")

SETTINGS: dict[str, Spec] = {
    "traffic.success_green": Spec(0.65, float, N_("调解成功率 ≥ 此值为绿灯"), TRAFFIC, 0, 1),
    "traffic.success_yellow": Spec(0.50, float, N_("调解成功率 ≥ 此值为黄灯（否则红灯）"), TRAFFIC, 0, 1),
    "traffic.days_green": Spec(20.0, float, N_("平均办理天数 ≤ 此值为绿灯"), TRAFFIC, 0, 3650),
    "traffic.days_yellow": Spec(30.0, float, N_("平均办理天数 ≤ 此值为黄灯（否则红灯）"), TRAFFIC, 0, 3650),
    "warn.quiet_months": Spec(3, int, N_("连续多少个月未受理案件即预警"), WARNINGS, 1, 36),
    "warn.low_success_rate": Spec(0.50, float, N_("调解成功率低于此值即预警"), WARNINGS, 0, 1),
    "warn.low_success_min_closed": Spec(10, int, N_("成功率预警至少需要的结案数"), WARNINGS, 1, 100000),
    "warn.open_days": Spec(60, int, N_("在办案件超过多少天即预警"), WARNINGS, 1, 3650),
    "warn.surge_factor": Spec(2.0, float, N_("月受理量超过前六个月平均值的倍数即预警"), WARNINGS, 1, 100),
    "award.weight_success_rate": Spec(0.40, float, N_("评优权重：调解成功率"), AWARDS, 0, 100),
    "award.weight_closed": Spec(0.25, float, N_("评优权重：结案数"), AWARDS, 0, 100),
    "award.weight_agreed_amount": Spec(0.10, float, N_("评优权重：协议金额"), AWARDS, 0, 100),
    "award.weight_speed": Spec(0.15, float, N_("评优权重：办理速度（平均天数越少越好）"), AWARDS, 0, 100),
    "award.weight_fulfilment_rate": Spec(0.10, float, N_("评优权重：履行率"), AWARDS, 0, 100),
}


class Setting(BaseModel):
    key = pw.CharField(max_length=60, unique=True)
    value = pw.CharField(max_length=100)
    updated_by = pw.CharField(max_length=80, default="")
    updated_at = pw.DateTimeField(default=lambda: dt.datetime.now().replace(microsecond=0))


def _convert(key: str, raw: Any) -> Any:
    spec = SETTINGS[key]
    if spec.kind is bool:
        return str(raw).lower() in ("1", "true", "yes", "on", "是")
    try:
        number = Decimal(str(raw).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValueError(Msg("「%(label)s」应为数字", label=Msg(spec.label))) from None
    if spec.kind is int and number != number.to_integral_value():
        raise ValueError(Msg("「%(label)s」应为整数", label=Msg(spec.label)))
    if (spec.minimum is not None and number < Decimal(str(spec.minimum))) or (
            spec.maximum is not None and number > Decimal(str(spec.maximum))):
        raise ValueError(Msg("「%(label)s」应在%(lo)s到%(hi)s之间", label=Msg(spec.label),
                             lo=spec.minimum, hi=spec.maximum))
    return int(number) if spec.kind is int else float(number)


def get_settings(keys: list[str] | None = None) -> dict[str, Any]:
    """Current values (stored or default) for `keys` (all when None), in one query."""
    keys = list(SETTINGS) if keys is None else keys
    stored = {s.key: s.value for s in Setting.select().where(Setting.key.in_(keys))}
    values = {}
    for key in keys:
        try:
            values[key] = _convert(key, stored[key]) if key in stored else SETTINGS[key].default
        except ValueError:
            values[key] = SETTINGS[key].default
    return values


def get_setting(key: str) -> Any:
    return get_settings([key])[key]


def update_settings(changes: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """Validate every value first, then store them all (audited) or none."""
    errors, clean = {}, {}
    for key, raw in changes.items():
        if key not in SETTINGS:
            errors[key] = Msg("未知参数")
            continue
        try:
            clean[key] = _convert(key, raw)
        except ValueError as exc:
            errors[key] = exc.args[0]
    if errors:
        raise ValidationError(errors)
    before = get_settings(list(clean))
    with db.atomic():
        for key, value in clean.items():
            if value == before[key]:
                continue
            text = json.dumps(value)
            row = Setting.get_or_none(Setting.key == key)
            if row is None:
                Setting.create(key=key, value=text, updated_by=actor)
            else:
                row.value, row.updated_by = text, actor
                row.updated_at = dt.datetime.now().replace(microsecond=0)
                row.save()
        changed = {k: [before[k], v] for k, v in clean.items() if v != before[k]}
        if changed:
            audit.record(actor, "update", "setting", "", "考核参数", changed)
    return get_settings()
