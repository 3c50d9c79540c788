"""系统参数: the administrator edits every package's settings on one page.

The form is built from network.settings' registry (one text field per entry, grouped as
declared, with its type, limits and help), so a new setting of any package appears here
without touching the page. Saving goes through update_settings:
every value is checked first and a wrong one is shown on its field with nothing saved.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from wtforms import StringField

from network.errors import ValidationError
from network.settings import SETTINGS, get_settings, update_settings
from org.models import ADMIN

from ..forms import CSRFForm, tr
from ..i18n import label
from .base import Page


def field_name(key: str) -> str:
    return key.replace(".", "__")


def settings_form(formdata=None, values: dict | None = None) -> CSRFForm:
    """A CSRF form with one field per declared setting, filled with `values`."""
    fields = {field_name(key): StringField(label(spec.label)) for key, spec in SETTINGS.items()}
    form_class = type("SettingsForm", (CSRFForm,), fields)
    data = {field_name(k): _shown(v) for k, v in (values or {}).items()}
    return form_class(formdata, data=data)


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def accepted(spec) -> str:
    """What a value must be, in words: its type and its limits."""
    kind = gettext("是/否") if spec.kind is bool else (
        gettext("整数") if spec.kind is int else gettext("数字"))
    if spec.minimum is None and spec.maximum is None:
        return kind
    return f"{kind}，{_shown(spec.minimum)} – {_shown(spec.maximum)}"


def grouped_fields(form) -> list[tuple[str, list[dict]]]:
    """[(group label, [{key, field, default, accepted, help}])] in the order of declaration."""
    groups: dict[str, list] = {}
    for key, spec in SETTINGS.items():
        groups.setdefault(spec.group, []).append({
            "key": key, "field": form[field_name(key)], "default": _shown(spec.default),
            "accepted": accepted(spec), "help": label(spec.help) if spec.help else ""})
    return [(label(group), items) for group, items in groups.items()]


class SettingsView(Page):
    roles = (ADMIN,)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        current = get_settings()
        if request.method == "GET":
            form = settings_form(values=current)
        else:
            form = settings_form(request.form)
            if not form.validate():
                flash(gettext("页面已过期，请重新提交"), "error")
            elif self._save(form):
                flash(gettext("系统参数已保存"), "success")
                return redirect(url_for(".index"))
        return self.render("settings/index.html", groups=grouped_fields(form), form=form,
                           current={k: _shown(v) for k, v in current.items()})

    def _save(self, form) -> bool:
        changes = {key: form[field_name(key)].data for key in SETTINGS
                   if form[field_name(key)].data is not None}
        try:
            update_settings(changes, actor=current_user.username)
        except ValidationError as exc:
            for key, message in exc.errors.items():
                if key in SETTINGS:
                    form[field_name(key)].errors = [tr(message)]
                else:
                    flash(tr(message), "error")
            return False
        return True
