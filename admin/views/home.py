"""The home page: what each role needs to see first."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from network.models import CLOSED, LEVELS, Organization
from network.tree import in_subtree, subtree
from org.accounts import MEDIATOR
from org.models import Mediator

from .base import current_scope


def network_counts(scope) -> dict:
    """Organisations per level (open ones) and mediators on duty under `scope`, two queries."""
    import peewee as pw

    rows = (subtree(scope).select(Organization.level, pw.fn.COUNT(Organization.id))
            .where(Organization.status != CLOSED).group_by(Organization.level).tuples())
    per_level = {level: 0 for level in LEVELS}
    per_level.update(dict(rows))
    mediators = (Mediator.select().join(Organization)
                 .where(in_subtree(Organization.path, scope))
                 .where(Mediator.status == "on").count())
    return {"per_level": per_level, "mediators": mediators}


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self):
        if current_user.role == MEDIATOR:
            mediator = current_user.mediator
            return self.render("portal/home_mediator.html", mediator=mediator)
        scope = current_scope()
        return self.render("portal/home.html", scope=scope, counts=network_counts(scope),
                           levels=LEVELS)
