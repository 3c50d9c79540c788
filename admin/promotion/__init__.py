"""Promotion's web room: grades (the ladder, each mediator's history, complaints), the
eligibility API, 我的等级 on the mediator's home, promotion rounds with review, 公示 and
objections, and their summary."""
from __future__ import annotations

from flask_babel import lazy_gettext


def add_views(admin) -> None:
    from org.models import Complaint

    from .charts import PromotionChartsView
    from .complaints import ComplaintView
    from .details import install as install_details
    from .grades import GradeView, LadderView
    from .home import install as install_home
    from .near import NearView
    from .public import install as install_public
    from .rounds import RoundView

    category = lazy_gettext("等级与晋升")
    admin.add_view(LadderView(name=lazy_gettext("晋升标准"), category=category,
                              endpoint="ladder", url="/admin/ladder"))
    admin.add_view(GradeView(name=lazy_gettext("等级记录"), category=category,
                             endpoint="grades", url="/admin/grades"))
    admin.add_view(ComplaintView(Complaint, name=lazy_gettext("投诉"), category=category,
                                 endpoint="complaints"))
    admin.add_view(RoundView(name=lazy_gettext("晋升评审"), category=category,
                             endpoint="rounds", url="/admin/rounds"))
    admin.add_view(PromotionChartsView(name=lazy_gettext("等级分布与历次晋升"),
                                       category=category, endpoint="promotion_charts",
                                       url="/admin/promotion-charts"))
    admin.add_view(NearView(name=lazy_gettext("接近晋升条件"), category=category,
                            endpoint="near", url="/admin/near"))
    install_details(admin.app)
    install_home()
    install_public(admin.app)
