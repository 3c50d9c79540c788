"""Column formatters shared by the people and accounts views.

Flask-Admin calls a formatter as `f(view, context, model, name)`. Export refuses formatters
named `inner` (it takes them for macros), so each factory names its function.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask_babel import lazy_gettext
from markupsafe import Markup

from ..i18n import label


def choice(table: dict, attr: str | None = None) -> Callable:
    """Show the translated label of a stored code (`M` → 男)."""

    def choice_label(view, context, model, name):
        return label(table.get(getattr(model, attr or name)))

    return choice_label


def masked(mask: Callable[[str | None], str], attr: str | None = None) -> Callable:
    """Show an identifier through its mask: lists, details and exports never hold it whole."""

    def masked_value(view, context, model, name):
        return mask(getattr(model, attr or name))

    return masked_value


def related(attr: str, show: Callable = str) -> Callable:
    """A foreign key as text (empty when unset), without a query when it was joined."""

    def related_value(view, context, model, name):
        value = getattr(model, attr)
        return show(value) if value is not None else ""

    return related_value


def yes_no(attr: str) -> Callable:
    def yes_no_value(view, context, model, name):
        return lazy_gettext("是") if getattr(model, attr) else lazy_gettext("否")

    return yes_no_value


def choices(table: dict, blank: bool = False) -> list[tuple[str, str]]:
    """Select options from a {code: N_ label} table, or a list of labels that are the codes."""
    items = table.items() if isinstance(table, dict) else ((v, v) for v in table)
    options = [(code, lazy_gettext(text)) for code, text in items]
    return ([("", "—")] if blank else []) + options


def linked(attr: str, endpoint: str, show: Callable = str) -> Callable:
    """A foreign key as a link to its own details page (the target checks the scope)."""

    def linked_value(view, context, model, name):
        value = getattr(model, attr)
        if value is None:
            return ""
        return Markup('<a class="detail-link" href="{}">{}</a>').format(
            url_for(f"{endpoint}.details_view", id=value.id), show(value))

    return linked_value
