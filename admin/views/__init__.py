"""Registers every Flask-Admin view and portal page with one Admin instance."""
from __future__ import annotations

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext

from evaluation.awards import Award
from evaluation.models import Case
from network.audit import AuditLog
from network.models import Organization, OrgKind
from org.accounts import User
from org.models import Mediator

from .audit import AuditView
from .awards import AwardView
from .cases import CaseView
from .dashboard import DashboardView
from .home import HomeView
from .imports import ImportView
from .mediators import MediatorView
from .network_pages import MapView, TreeView
from .nominations import NominationView
from .reports import ReportView
from .settings import SettingsView
from .stations import KindView, StationView
from .users import UserView
from .warnings import WarningView


def init_admin(app) -> Admin:
    admin = Admin(
        app,
        name=lazy_gettext("金融纠纷调解网络管理平台"),
        theme=Bootstrap4Theme(swatch=app.config["FLASK_ADMIN_SWATCH"], base_template="admin/portal_master.html"),
        index_view=HomeView(name=lazy_gettext("首页"), url="/admin"),
    )
    network = lazy_gettext("调解网络")
    admin.add_view(StationView(Organization, name=lazy_gettext("机构"), category=network,
                               endpoint="stations"))
    admin.add_view(KindView(OrgKind, name=lazy_gettext("机构类型"), category=network,
                            endpoint="kinds"))
    admin.add_view(TreeView(name=lazy_gettext("机构树"), category=network, endpoint="tree"))
    admin.add_view(MapView(name=lazy_gettext("机构地图"), category=network, endpoint="map"))
    people = lazy_gettext("人员")
    admin.add_view(MediatorView(Mediator, name=lazy_gettext("调解员"), category=people,
                                endpoint="mediators"))
    admin.add_view(UserView(User, name=lazy_gettext("账号"), category=people, endpoint="users"))
    admin.add_view(CaseView(Case, name=lazy_gettext("案件"), category=lazy_gettext("案件与考核"),
                            endpoint="cases"))
    admin.add_view(DashboardView(name=lazy_gettext("统计看板"), category=lazy_gettext("案件与考核"),
                                 endpoint="dashboard"))
    admin.add_view(WarningView(name=lazy_gettext("预警"), category=lazy_gettext("案件与考核"),
                               endpoint="warnings", url="/admin/warnings"))
    admin.add_view(AwardView(Award, name=lazy_gettext("表彰记录"), category=lazy_gettext("案件与考核"),
                             endpoint="awards"))
    admin.add_view(NominationView(name=lazy_gettext("评优推荐"), category=lazy_gettext("案件与考核"),
                                  endpoint="nominations", url="/admin/nominations"))
    admin.add_view(ReportView(name=lazy_gettext("统计报表"), category=lazy_gettext("案件与考核"),
                              endpoint="reports", url="/admin/reports"))
    admin.add_view(ImportView(name=lazy_gettext("数据导入"), category=lazy_gettext("系统"),
                              endpoint="imports", url="/admin/imports"))
    admin.add_view(AuditView(AuditLog, name=lazy_gettext("操作日志"), category=lazy_gettext("系统"),
                             endpoint="audit"))
    admin.add_view(SettingsView(name=lazy_gettext("考核参数"), category=lazy_gettext("系统"),
                                endpoint="settings", url="/admin/settings"))
    return admin
