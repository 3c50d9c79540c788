"""The home page: what each role needs to see first.

Managers and trainers see the counts of their jurisdiction with links to the pages behind
them; a mediator sees their own record, current station and history of assignments. Each
domain's room adds its own panels (`add_panel`: a template and a function computing its
context) for the roles it serves, so the home page needs no change when a room grows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from werkzeug.routing import BuildError

from evaluation.warnings import open_count
from network.models import LEVELS, STATUSES
from network.stats import unit_counts
from org.models import (
    ADMIN,
    ASSIGNMENT_KINDS,
    EMPLOYMENT,
    GENDERS,
    MANAGER,
    MEDIATOR,
    MEDIATOR_STATUSES,
    ROLES,
)
from org.stats import assignment_history, mediator_counts

from .base import RoleAccess, current_scope


@dataclass(frozen=True)
class Panel:
    roles: tuple[str, ...]
    template: str  # rendered with `panel` (this), `data` (what `context` returned) and `scope`
    context: Callable[[object, object], dict]  # (user, scope) -> data; {} hides the panel
    order: int = 50


PANELS: list[Panel] = []


def add_panel(panel: Panel) -> None:
    if panel not in PANELS:
        PANELS.append(panel)
        PANELS.sort(key=lambda p: p.order)


def panels_for(user, scope) -> list[tuple[Panel, dict]]:
    shown = []
    for panel in PANELS:
        if user.role in panel.roles:
            data = panel.context(user, scope)
            if data:
                shown.append((panel, data))
    return shown


def network_counts(scope) -> dict:
    """Units per level, closed units and mediators on duty under `scope`, two queries."""
    units = unit_counts(scope)
    mediators = mediator_counts(scope)
    return {**units, "mediators": mediators["on_duty"], "employment": mediators["employment"]}


def _link(endpoint: str) -> str | None:
    """URL of a page if it is registered (and the user may open it), else None."""
    try:
        return url_for(endpoint)
    except BuildError:
        return None


class HomeView(RoleAccess, AdminIndexView):
    roles = tuple(ROLES)

    @expose("/")
    def index(self):
        if current_user.role == MEDIATOR:
            mediator = current_user.mediator
            return self.render(
                "portal/home_mediator.html", mediator=mediator,
                history=assignment_history(mediator) if mediator else [],
                genders=GENDERS, employment=EMPLOYMENT, statuses=MEDIATOR_STATUSES,
                assignment_kinds=ASSIGNMENT_KINDS, org_statuses=STATUSES,
                panels=panels_for(current_user, None))
        scope = current_scope()
        links = {"tree": _link("tree.index"), "map": _link("map.index"),
                 "stations": _link("stations.index_view"),
                 "mediators": _link("mediators.index_view")}
        # Unacknowledged early warnings: what a manager should look at first.
        warning_count = open_count(scope) if current_user.role in (ADMIN, MANAGER) else None
        links["warnings"] = _link("warnings.index") if warning_count is not None else None
        return self.render("portal/home.html", scope=scope, counts=network_counts(scope),
                           levels=LEVELS, employment=EMPLOYMENT, links=links,
                           warning_count=warning_count,
                           panels=panels_for(current_user, scope))
