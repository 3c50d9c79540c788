"""The network's web room: organisations and kinds, the tree and the map, the audit log, and
/api/v1/stations."""
from __future__ import annotations

from flask_babel import lazy_gettext


def add_views(admin) -> None:
    from network.models import Organization, OrgKind

    from .pages import MapView, TreeView
    from .stations import KindView, StationView

    network = lazy_gettext("调解网络")
    admin.add_view(StationView(Organization, name=lazy_gettext("机构"), category=network,
                               endpoint="stations"))
    admin.add_view(KindView(OrgKind, name=lazy_gettext("机构类型"), category=network,
                            endpoint="kinds"))
    admin.add_view(TreeView(name=lazy_gettext("机构树"), category=network, endpoint="tree"))
    admin.add_view(MapView(name=lazy_gettext("机构地图"), category=network, endpoint="map"))


def add_system_views(admin, category) -> None:
    from network.models import AuditLog

    from .audit import AuditView

    admin.add_view(AuditView(AuditLog, name=lazy_gettext("操作日志"), category=category,
                             endpoint="audit"))
