"""Evaluation's web room: the case ledger, the dashboard, warnings, awards, nominations, the
statistical report, and /api/v1/kpis*."""
from __future__ import annotations

from flask_babel import lazy_gettext


def add_views(admin) -> None:
    from evaluation.models import Award, Case

    from .awards import AwardView
    from .cases import CaseView
    from .dashboard import DashboardView
    from .nominations import NominationView
    from .reports import ReportView
    from .warnings import WarningView

    category = lazy_gettext("案件与考核")
    admin.add_view(CaseView(Case, name=lazy_gettext("案件"), category=category, endpoint="cases"))
    admin.add_view(DashboardView(name=lazy_gettext("统计看板"), category=category,
                                 endpoint="dashboard"))
    admin.add_view(WarningView(name=lazy_gettext("预警"), category=category,
                               endpoint="warnings", url="/admin/warnings"))
    admin.add_view(AwardView(Award, name=lazy_gettext("表彰记录"), category=category,
                             endpoint="awards"))
    admin.add_view(NominationView(name=lazy_gettext("评优推荐"), category=category,
                                  endpoint="nominations", url="/admin/nominations"))
    admin.add_view(ReportView(name=lazy_gettext("统计报表"), category=category,
                              endpoint="reports", url="/admin/reports"))
