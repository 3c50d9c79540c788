"""Evaluation's tunables (traffic-light colours, early-warning rules, award weights), declared
in network.settings' registry so that the one settings page lists them with every other
package's.
"""
from __future__ import annotations

from network.db import N_
from network.settings import Spec, register

TRAFFIC = N_("红黄绿灯阈值")
WARNINGS = N_("预警规则")
AWARDS = N_("评优权重")

EVALUATION_SETTINGS: dict[str, Spec] = {
    "traffic.success_green": Spec(0.65, float, N_("调解成功率 ≥ 此值为绿灯"), TRAFFIC, 0, 1),
    "traffic.success_yellow": Spec(0.50, float, N_("调解成功率 ≥ 此值为黄灯（否则红灯）"), TRAFFIC, 0, 1),
    "traffic.days_green": Spec(20.0, float, N_("平均办理天数 ≤ 此值为绿灯"), TRAFFIC, 0, 3650),
    "traffic.days_yellow": Spec(30.0, float, N_("平均办理天数 ≤ 此值为黄灯（否则红灯）"), TRAFFIC, 0, 3650),
    "warn.quiet_months": Spec(3, int, N_("连续多少个月未受理案件即预警"), WARNINGS, 1, 36),
    "warn.low_success_rate": Spec(0.50, float, N_("调解成功率低于此值即预警"), WARNINGS, 0, 1),
    "warn.low_success_min_closed": Spec(10, int, N_("成功率预警至少需要的结案数"), WARNINGS, 1, 100000),
    "warn.open_days": Spec(60, int, N_("在办案件超过多少天即预警"), WARNINGS, 1, 3650),
    "warn.surge_factor": Spec(2.0, float, N_("月受理量超过前六个月平均值的倍数即预警"), WARNINGS, 1, 100),
    "warn.surge_min_received": Spec(
        10, int, N_("受理量激增预警至少需要的月受理数"), WARNINGS, 0, 100000,
        help=N_("上月受理数少于此值时不报激增：前六个月月均 0.5 件、上月 2 件不算激增。")),
    "award.min_closed": Spec(
        5, int, N_("评优推荐至少需要的结案数"), AWARDS, 0, 100000,
        help=N_("期间内结案数少于此值的候选对象不参与排名，列在名单最后：4 件全部成功不应排在"
                "60 件成功 85% 之前。设为 0 则不限。")),
    "award.weight_success_rate": Spec(0.40, float, N_("评优权重：调解成功率"), AWARDS, 0, 100),
    "award.weight_closed": Spec(0.25, float, N_("评优权重：结案数"), AWARDS, 0, 100),
    "award.weight_agreed_amount": Spec(0.10, float, N_("评优权重：协议金额"), AWARDS, 0, 100),
    "award.weight_speed": Spec(0.15, float, N_("评优权重：办理速度（平均天数越少越好）"), AWARDS, 0, 100),
    "award.weight_fulfilment_rate": Spec(0.10, float, N_("评优权重：履行率"), AWARDS, 0, 100),
}

register(EVALUATION_SETTINGS)
