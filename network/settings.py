"""Settings an administrator edits: data, not code, declared by each domain in one registry.

Each package declares its tunables once (`register`), with default, type, limits, label,
group and help text; the database holds only the values an administrator changed, and a value
is always returned in its declared type. The settings page lists every registered setting, so
a new one appears there without touching the page.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from . import audit
from .dates import local_now
from .db import N_, db
from .errors import Msg, ValidationError
from .models import Setting


class Spec(NamedTuple):
    default: Any
    kind: type  # int, float (stored as decimal text) or bool
    label: str
    group: str
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


SETTINGS: dict[str, Spec] = {}

audit.register(tables={"setting": N_("系统参数")})


def register(specs: dict[str, Spec]) -> None:
    """Declare a package's settings (keys are namespaced: "warn.open_days")."""
    for key in specs:
        if key in SETTINGS and SETTINGS[key] != specs[key]:
            raise ValueError(f"setting {key} declared twice")
    SETTINGS.update(specs)


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
                row.updated_at = local_now()
                row.save()
        changed = {k: [before[k], v] for k, v in clean.items() if v != before[k]}
        if changed:
            audit.record(actor, "update", "setting", "", "系统参数", changed)
    return get_settings()
