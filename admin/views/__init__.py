"""Builds the one Flask-Admin instance: the home page, then each domain's room in menu order,
then the system pages (imports, audit log, settings) that serve every domain."""
from __future__ import annotations

from pathlib import Path

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext

from .. import evaluation, network, org
from .home import HomeView
from .imports import ImportView
from .settings import SettingsView


def init_admin(app) -> Admin:
    admin = Admin(
        app,
        name=lazy_gettext("金融纠纷调解网络管理平台"),
        theme=Bootstrap4Theme(swatch=app.config["FLASK_ADMIN_SWATCH"],
                              base_template="admin/portal_master.html", fluid=True),
        index_view=HomeView(name=lazy_gettext("首页"), url="/admin"),
        # Flask-Admin strings its own Chinese catalogue lacks (the page-size menu).
        translations_path=str(Path(__file__).resolve().parents[1] / "translations"),
    )
    network.add_views(admin)
    org.add_views(admin)
    evaluation.add_views(admin)
    system = lazy_gettext("系统")
    admin.add_view(ImportView(name=lazy_gettext("数据导入"), category=system,
                              endpoint="imports", url="/admin/imports"))
    network.add_system_views(admin, system)
    admin.add_view(SettingsView(name=lazy_gettext("系统参数"), category=system,
                                endpoint="settings", url="/admin/settings"))
    return admin
