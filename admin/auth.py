"""Log-in, log-out, the login manager, API token look-up, and role checks for pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from network import audit
from network.db import db
from network.errors import DomainError
from org.accounts import Throttled, authenticate, scope_of, user_for_token
from org.models import User

from .forms import CSRFForm, tr
from .redirects import safe_next

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("请先登录")
login_manager.login_message_category = "warning"


@login_manager.user_loader
def _load_user(user_id: str):
    if not str(user_id).isdigit():
        return None
    user = User.get_or_none(User.id == int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def _load_from_token(req):
    """`Authorization: Bearer TOKEN` authenticates API calls without a session."""
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(header[7:].strip())
    return None


class LoginForm(CSRFForm):
    username = StringField(lazy_gettext("用户名"), validators=[DataRequired()])
    password = PasswordField(lazy_gettext("密码"), validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(request.form)
    error, status = None, 400
    if request.method == "POST" and form.validate():
        try:
            user = authenticate(form.username.data, form.password.data,
                                address=request.remote_addr or "")
        except DomainError as exc:
            error = tr(exc.message)
            status = 429 if isinstance(exc, Throttled) else 400
        else:
            login_user(user)
            with db.atomic():
                audit.record(user.username, "login", "user", user.id, user.username,
                             org_path=user.organization.path if user.organization else "")
            flash(gettext("欢迎，%(name)s", name=user.display_name or user.username), "success")
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST" and form.csrf_token.errors:
        error = gettext("页面已过期，请重新提交")
    return render_template("auth/login.html", form=form, error=error), (status if error else 200)


class LogoutForm(CSRFForm):
    """Only the CSRF token: another site cannot log a user out. The token does not expire,
    so a page left open all day still logs out."""

    class Meta:
        csrf_time_limit = None


def logout_csrf_field():
    return LogoutForm().csrf_token(id="logout-csrf-token")


@bp.route("/logout", methods=["POST"])
def logout():
    if not LogoutForm(request.form).validate():
        flash(gettext("页面已过期，请重新提交"), "error")
        return redirect(url_for("pages.home")), 303
    logout_user()
    return redirect(url_for("auth.login"))


def current_scope():
    """The organisation whose subtree the current user may see; None for the whole network."""
    return scope_of(current_user)



def init_app(app) -> None:
    login_manager.init_app(app)
    app.jinja_env.globals["logout_csrf_field"] = logout_csrf_field
    app.register_blueprint(bp)
