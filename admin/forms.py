"""Form base with CSRF, shared by Flask-Admin views and the portal's own pages."""
from __future__ import annotations

import copy

from flask_admin.form import SecureForm
from flask_babel import gettext

from network.errors import Msg


class CSRFForm(SecureForm):
    """Session-bound CSRF token on every form (Flask-Admin's own SecureForm)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Flask-Admin's field-error markup reads `widget.input_type`, which select widgets
        # lack: a page showing an error on a select would fail under StrictUndefined.
        for field in self._fields.values():
            if not hasattr(field.widget, "input_type"):
                field.widget = copy.copy(field.widget)
                field.widget.input_type = None



def tr(message) -> str:
    """Translate a domain message (Msg) into the current UI language."""
    if isinstance(message, Msg):
        return message.render(gettext)
    return gettext(str(message)) if message else ""


def apply_errors(form, errors: dict) -> list[str]:
    """Put domain field errors on the form's fields; return the ones no field shows."""
    leftover = []
    for name, msg in errors.items():
        field = getattr(form, name, None)
        text = tr(msg)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), text]
        else:
            leftover.append(text)
    return leftover
