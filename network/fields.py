"""Field cleaning read from the peewee models: one place for limits, required and choices.

A model field already declares its max_length, whether it may be NULL (and its default) and
its choices. Cleaners ask `FieldKit(Model)` instead of retyping 32, 100 or a vocabulary, so a
widened column or a new choice reaches forms, imports and the API with the migration that
makes it. The kit is built once per model, at import time: a cleaner called for each row of a
large file pays dictionary look-ups, not reflection.
"""
from __future__ import annotations

from typing import Any

import peewee as pw

from .errors import Msg


def plain(value: Any) -> str:
    """Typed text as it is stored: a string, NUL dropped (PostgreSQL refuses it in any text,
    SQLite would store it silently), stripped; None is empty."""
    return "" if value is None else str(value).replace("\x00", "").strip()


class FieldKit:
    """The cleaning rules of one model's fields. Methods that clean take the data, and the
    `out` and `errors` dicts they fill (errors keyed by field name), so a cleaner reports
    every problem of a record at once."""

    def __init__(self, model: type[pw.Model]):
        self.fields: dict[str, pw.Field] = model._meta.fields

    def limit(self, name: str) -> int:
        return self.fields[name].max_length

    def required(self, name: str) -> bool:
        """NOT NULL without a default: a value must be given."""
        field = self.fields[name]
        return not field.null and field.default is None

    def labels(self, name: str) -> dict[Any, str]:
        """code → label of a field with choices."""
        return dict(self.fields[name].choices)

    def codes(self, name: str) -> dict[str, Any]:
        """The code for what a person may type: the stored code or its label."""
        labels = self.labels(name)
        return {**{label: code for code, label in labels.items()},
                **{str(code): code for code in labels}}

    def text(self, data: dict[str, Any], name: str, out: dict[str, Any],
             errors: dict[str, Msg]) -> None:
        """A text field: stripped, NUL dropped (PostgreSQL refuses it in any text, SQLite
        would store it silently), required or None when empty, at most max_length."""
        if name not in data:
            return
        value = plain(data[name])
        required = self.required(name)
        if required and not value:
            errors[name] = Msg("必填")
        elif len(value) > self.limit(name):
            errors[name] = Msg("不能超过%(n)d个字符", n=self.limit(name))
        out[name] = value if (value or required) else None

    def choice(self, data: dict[str, Any], name: str, out: dict[str, Any],
               errors: dict[str, Msg], *, label: Msg) -> None:
        """A field with choices, given by code or label; empty keeps the stored value or the
        default unless the field is required."""
        if name not in data:
            return
        value = data[name]
        if value in (None, "") and not self.required(name):
            return
        code = self.codes(name).get(str(value).strip()) if value is not None else None
        if code is None:
            errors[name] = Msg("%(label)s应为：%(choices)s", label=label,
                               choices="、".join(self.labels(name).values()))
        out[name] = code
