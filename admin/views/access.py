"""Who may open a page: one rule for model views and plain pages alike."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user

from org.accounts import ADMIN, MANAGER


class RoleAccess:
    """Mixin for Flask-Admin views: anonymous users go to the log-in page, a logged-in user
    whose role is not in `roles` gets 403 (never a redirect loop, never the page)."""

    roles: tuple[str, ...] = (ADMIN, MANAGER)

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.role in self.roles

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)
