"""Errors that domain operations raise, with messages the web layer can translate.

A message keeps its Chinese template and its parameters apart, so `str()` gives Chinese (the
default language, and what CLI and import reports show) while the web layer can look the
template up in the English catalogue.
"""
from __future__ import annotations

from .db import N_


class Msg:
    """A message template and its parameters. A parameter may itself be a Msg (a reason
    inside "案件编号「K-1」：…", a column label), or a list of them joined by "；", so that
    every part is looked up in the catalogue, not only the outer template."""

    __slots__ = ("template", "params")

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params

    def render(self, translate=None) -> str:
        """The text, with `translate(template) -> template` applied to every part (None:
        the Chinese source)."""
        template = translate(self.template) if translate is not None else self.template
        if not self.params:
            return template
        return template % {name: _render(value, translate)
                           for name, value in self.params.items()}

    def to_dict(self) -> dict:
        """Plain JSON (an import job keeps its errors) that `from_dict` turns back."""
        return {"template": self.template,
                "params": {name: _plain(value) for name, value in self.params.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> Msg:
        return cls(data["template"], **{name: _revived(value)
                                        for name, value in (data.get("params") or {}).items()})

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Msg({str(self)!r})"

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


SEPARATOR = N_("；")  # between the parts of a list parameter, translated like them


def _render(value, translate) -> object:
    if isinstance(value, Msg):
        return value.render(translate)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Msg) for v in value):
        separator = translate(SEPARATOR) if translate is not None else SEPARATOR
        return separator.join(v.render(translate) for v in value)
    return value


def _plain(value) -> object:
    if isinstance(value, Msg):
        return {"msg": value.to_dict()}
    if isinstance(value, list | tuple) and value and all(isinstance(v, Msg) for v in value):
        return {"msgs": [v.to_dict() for v in value]}
    return value


def _revived(value) -> object:
    if isinstance(value, dict) and set(value) == {"msg"}:
        return Msg.from_dict(value["msg"])
    if isinstance(value, dict) and set(value) == {"msgs"}:
        return [Msg.from_dict(v) for v in value["msgs"]]
    return value


class DomainError(Exception):
    """A rule of the domain refused an operation; nothing was written."""

    def __init__(self, message: Msg | str, field: str | None = None):
        self.message = message if isinstance(message, Msg) else Msg(message)
        self.field = field
        super().__init__(str(self.message))


class ValidationError(DomainError):
    """One or more fields are wrong: {field: Msg}."""

    def __init__(self, errors: dict[str, Msg | str]):
        self.errors = {k: (v if isinstance(v, Msg) else Msg(v)) for k, v in errors.items()}
        first = next(iter(self.errors.items()))
        super().__init__(first[1], first[0])

    def __str__(self) -> str:
        return "；".join(str(m) for m in self.errors.values())


class OutOfScope(DomainError):
    """The acting user's jurisdiction does not reach this object."""




class NotFound(DomainError):
    pass


class FileProblem(DomainError):
    """The file as a whole cannot be read (wrong type, empty, corrupt, bad encoding, or larger
    than the import limits allow)."""
