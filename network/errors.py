"""Errors that domain operations raise, with messages the web layer can translate.

A message keeps its Chinese template and its parameters apart, so `str()` gives Chinese (the
default language, and what CLI and import reports show) while the web layer can look the
template up in the English catalogue.
"""
from __future__ import annotations


class Msg:
    __slots__ = ("template", "params")

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return self.template % self.params if self.params else self.template

    def __repr__(self) -> str:
        return f"Msg({str(self)!r})"

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


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
