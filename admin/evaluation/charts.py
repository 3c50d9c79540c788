"""ECharts options of the dashboard, built with pyecharts and handed to the page as JSON.

Each builder takes figures already computed (no queries here) and returns the option dict
(`dump_options()`), with a toolbox that saves the chart as a PNG named after it. The page loads
the local echarts.min.js; nothing is fetched from the internet.
"""
from __future__ import annotations

import json

from flask_babel import gettext
from pyecharts import options as opts
from pyecharts.charts import Bar, Geo, Line, Pie
from pyecharts.globals import ChartType

LIGHT_COLOURS = {"green": "#28a745", "yellow": "#f0ad00", "red": "#dc3545", "none": "#9aa5b1"}
PALETTE = ["#2f7ed8", "#0d9488", "#f59e0b", "#8b5cf6", "#ef4444", "#64748b", "#14b8a6",
           "#eab308"]


def _toolbox(name: str) -> opts.ToolboxOpts:
    return opts.ToolboxOpts(pos_right="10", pos_left=None, feature={
        "saveAsImage": {"title": gettext("保存为图片"), "name": name, "pixelRatio": 2}})


def _finish(chart, name: str, **global_opts) -> dict:
    chart.set_global_opts(toolbox_opts=_toolbox(name),
                          legend_opts=opts.LegendOpts(pos_top="0", pos_left="center"),
                          **global_opts)
    option = json.loads(chart.dump_options())
    option["color"] = PALETTE
    return option


def _init() -> dict:
    return {"bg_color": "#ffffff"}


def trend_option(name: str, months: list[str], received: list[int], closed: list[int],
                 rates: list[float]) -> dict:
    """受理数 and 结案数 as bars, 调解成功率 (%) as a line on a second axis, per month."""
    chart = (Bar(init_opts=opts.InitOpts(**_init()))
             .add_xaxis(months)
             .add_yaxis(gettext("受理数"), received, label_opts=opts.LabelOpts(is_show=False))
             .add_yaxis(gettext("结案数"), closed, label_opts=opts.LabelOpts(is_show=False))
             .extend_axis(yaxis=opts.AxisOpts(name="%", min_=0, max_=100, position="right",
                                              splitline_opts=opts.SplitLineOpts(is_show=False))))
    # None (a month without closed cases) stays a gap: connectNulls off.
    line = (Line().add_xaxis(months)
            .add_yaxis(gettext("调解成功率（%）"), rates, yaxis_index=1, is_smooth=True,
                       is_connect_nones=False, label_opts=opts.LabelOpts(is_show=False)))
    chart.overlap(line)
    return _finish(chart, name, tooltip_opts=opts.TooltipOpts(trigger="axis"),
                   yaxis_opts=opts.AxisOpts(name=gettext("件"), min_=0))


def children_option(name: str, names: list[str], received: list[int], closed: list[int],
                    succeeded: list[int]) -> dict:
    """Horizontal bars per direct child unit (first unit on top); the page turns a click into
    a drill-down."""
    chart = (Bar(init_opts=opts.InitOpts(**_init()))
             .add_xaxis(names[::-1])
             .add_yaxis(gettext("受理数"), received[::-1], label_opts=opts.LabelOpts(is_show=False))
             .add_yaxis(gettext("结案数"), closed[::-1], label_opts=opts.LabelOpts(is_show=False))
             .add_yaxis(gettext("调解成功"), succeeded[::-1],
                        label_opts=opts.LabelOpts(is_show=False))
             .reversal_axis())
    option = _finish(chart, name, tooltip_opts=opts.TooltipOpts(trigger="axis"),
                     xaxis_opts=opts.AxisOpts(name=gettext("件"), min_=0),
                     yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(interval=0)))
    option["grid"] = {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True}
    return option


def _empty_title() -> opts.TitleOpts:
    return opts.TitleOpts(title=gettext("本期没有数据"), pos_left="center", pos_top="middle",
                          title_textstyle_opts=opts.TextStyleOpts(color="#9aa5b1",
                                                                  font_size=14))


def pie_option(name: str, series: str, pairs: list[tuple[str, int]]) -> dict:
    chart = Pie(init_opts=opts.InitOpts(**_init()))
    if pairs:  # pyecharts cannot build a pie of nothing
        chart.add(series, pairs, radius=["30%", "54%"], center=["50%", "58%"],
                  label_opts=opts.LabelOpts(formatter="{d}%"))
    option = _finish(chart, name, tooltip_opts=opts.TooltipOpts(trigger="item",
                                                                formatter="{b}: {c} ({d}%)"),
                     title_opts=opts.TitleOpts() if pairs else _empty_title())
    option["legend"][0].update({"type": "scroll", "left": 8, "right": 40})
    for serie in option.get("series", []):
        serie["label"]["overflow"] = "none"  # short "12.34%" labels: never cut to "1..."
    return option


def bar_option(name: str, series: str, pairs: list[tuple[str, int]],
               unit: str | None = None) -> dict:
    """Horizontal bars, largest on top, so long Chinese category names stay readable; the
    value axis is named `unit` (cases, 件, unless given)."""
    pairs = pairs[::-1]
    chart = (Bar(init_opts=opts.InitOpts(**_init()))
             .add_xaxis([k for k, _ in pairs])
             .add_yaxis(series, [v for _, v in pairs], bar_max_width="28",
                        label_opts=opts.LabelOpts(position="right"))
             .reversal_axis())
    option = _finish(chart, name, tooltip_opts=opts.TooltipOpts(trigger="axis"),
                     title_opts=opts.TitleOpts() if pairs else _empty_title(),
                     xaxis_opts=opts.AxisOpts(name=unit or gettext("件"), min_=0),
                     yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(interval=0)))
    option["grid"] = {"left": 8, "right": 36, "top": 36, "bottom": 8, "containLabel": True}
    return option


def light_map_option(name: str, shape: str, points: list[dict], light_labels: dict) -> dict:
    """Child stations on the map, one scatter series per traffic light of their success rate.

    `points`: {"name", "lng", "lat", "rate" (percent), "light"} per located child.
    """
    chart = Geo(init_opts=opts.InitOpts(**_init()))
    chart.add_schema(maptype=shape, is_roam=True,
                     itemstyle_opts=opts.ItemStyleOpts(color="#eef3f8", border_color="#9aaabb"))
    for light, light_label in light_labels.items():
        group = [p for p in points if p["light"] == light]
        if not group:
            continue
        for p in group:
            chart.add_coordinate(p["name"], p["lng"], p["lat"])
        chart.add(light_label, [(p["name"], p["rate"]) for p in group],
                  type_=ChartType.SCATTER, symbol_size=14,
                  label_opts=opts.LabelOpts(is_show=True, formatter="{b}", position="right",
                                            color="#333"),
                  itemstyle_opts=opts.ItemStyleOpts(color=LIGHT_COLOURS[light]))
    option = _finish(chart, name, tooltip_opts=opts.TooltipOpts(trigger="item"))
    option.pop("color", None)
    for series in option.get("series", []):
        series["labelLayout"] = {"hideOverlap": True}  # neighbours' names must not overlap
    if points:
        lngs, lats = [p["lng"] for p in points], [p["lat"] for p in points]
        pad = max(max(lngs) - min(lngs), max(lats) - min(lats), 0.2) * 0.25
        geo = option["geo"][0] if isinstance(option.get("geo"), list) else option["geo"]
        geo["boundingCoords"] = [[min(lngs) - pad, max(lats) + pad],
                                 [max(lngs) + pad, min(lats) - pad]]
    return option
