"""Checks and masking of personal identifiers (身份证号, mobile numbers)."""
from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from network.dates import local_today
from network.errors import Msg

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def check_id_number(value: str, gender: str | None = None,
                    birth_date: dt.date | None = None) -> tuple[str, dt.date, str]:
    """Validate an 18-digit 身份证号 and return (normalised, birth date, gender 'M'/'F').

    Raises ValueError carrying a Msg when the checksum, date or the given gender/birth date
    disagree with the number.
    """
    raw = (value or "").strip().upper()
    if not raw:
        raise ValueError(Msg("必填"))
    if len(raw) != 18:
        raise ValueError(Msg("身份证号应为18位"))
    if not re.fullmatch(r"\d{17}[\dX]", raw):
        raise ValueError(Msg("身份证号格式不正确"))
    try:
        born = ric.get_birth_date(raw)
    except StdnumError:
        raise ValueError(Msg("身份证号中的出生日期无效")) from None
    if born > local_today() or born.year < 1900:
        raise ValueError(Msg("身份证号中的出生日期无效"))
    # Region codes change over time and people keep their numbers, so only the checksum and
    # the date are checked, not the region against today's code list.
    if ric.calc_check_digit(raw) != raw[-1]:
        raise ValueError(Msg("身份证号校验位错误"))
    number = raw
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    if gender and gender != sex:
        raise ValueError(Msg("性别与身份证号不符（身份证号显示为%(g)s）", g="男" if sex == "M" else "女"))
    if birth_date and birth_date != born:
        raise ValueError(Msg("出生日期与身份证号不符（身份证号显示为%(d)s）", d=born.isoformat()))
    return number, born, sex


def check_mobile(value: str) -> str:
    raw = re.sub(r"[\s-]", "", value or "")
    if raw.startswith("+86"):
        raw = raw[3:]
    if not MOBILE_RE.match(raw):
        raise ValueError(Msg("手机号应为11位中国大陆手机号码"))
    return raw


def mask_id_number(value: str | None) -> str:
    """370202********0021: region and last four digits stay, the birth date is hidden."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_mobile(value: str | None) -> str:
    """138****1234."""
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_birth_date(value) -> str:
    """The birth date is digits 7-14 of the 身份证号: shown in clear beside a masked number it
    would give the whole number back, so it is hidden wherever the number is."""
    return "****-**-**" if value else ""


MASKS = {"id_number": mask_id_number, "mobile": mask_mobile, "birth_date": mask_birth_date}


def mask_identifiers(changes: dict) -> dict:
    """Identifiers masked in an audit snapshot ({field: value}) or diff ({field: [old, new]}):
    the trail is readable by more people than may see a full 身份证号."""
    out = dict(changes)
    for name, mask in MASKS.items():
        if name in out:
            value = out[name]
            out[name] = [mask(v) for v in value] if isinstance(value, list) else mask(value)
    return out
