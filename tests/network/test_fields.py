"""The field-cleaning kit reads limits, required and choices from the model fields."""
from __future__ import annotations

import peewee as pw
import pytest

from network.errors import Msg, ValidationError
from network.fields import FieldKit


class Probe(pw.Model):
    code = pw.CharField(max_length=5)
    note = pw.CharField(max_length=4, null=True)
    size = pw.CharField(max_length=1, default="s", choices=[("s", "小"), ("l", "大")])
    colour = pw.CharField(max_length=1, choices=[("r", "红"), ("g", "绿")])


KIT = FieldKit(Probe)


def clean(data: dict) -> tuple[dict, dict]:
    out, errors = {}, {}
    for name in ("code", "note"):
        KIT.text(data, name, out, errors)
    for name in ("size", "colour"):
        KIT.choice(data, name, out, errors, label=Msg(name))
    return out, {k: str(v) for k, v in errors.items()}


def test_text_fields_follow_max_length_and_nullability():
    out, errors = clean({"code": " AB\x00C ", "note": ""})
    assert (out, errors) == ({"code": "ABC", "note": None}, {})
    out, errors = clean({"code": "", "note": "12345"})
    assert errors == {"code": "必填", "note": "不能超过4个字符"}
    assert clean({})[0] == {}  # a field the data leaves out is left alone


def test_choices_accept_code_or_label_and_name_the_choices():
    out, errors = clean({"size": "大", "colour": "g"})
    assert (out, errors) == ({"size": "l", "colour": "g"}, {})
    out, errors = clean({"size": "", "colour": ""})
    assert out == {"colour": None}  # size keeps its default; colour has none: required
    assert errors == {"colour": "colour应为：红、绿"}
    assert clean({"size": "中"})[1] == {"size": "size应为：小、大"}
    assert KIT.codes("size") == {"小": "s", "大": "l", "s": "s", "l": "l"}
    assert (KIT.required("code"), KIT.required("note"), KIT.required("size")) == (
        True, False, False)


def test_mediator_and_station_cleaners_read_the_models(monkeypatch, database):
    """Narrow a column on the model: the services' messages follow without a retyped limit."""
    from network.models import Organization
    from network.services import _clean
    from org.models import Mediator
    from org.services import clean_mediator

    monkeypatch.setattr(Mediator.name, "max_length", 3)
    with pytest.raises(ValidationError) as caught:
        clean_mediator({"name": "欧阳小明"}, None)
    assert str(caught.value.errors["name"]) == "不能超过3个字符"
    monkeypatch.setattr(Organization.address, "max_length", 2)
    with pytest.raises(ValidationError) as caught:
        _clean({"address": "中山路"}, None)
    assert str(caught.value.errors["address"]) == "不能超过2个字符"
