"""Pages of the network beyond the lists: the collapsible tree and the map of stations.

Both show only the caller's jurisdiction (`current_scope()`), and so do their JSON endpoints
and the XLSX twin of the map: an id outside the scope is answered 403 in JSON.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from flask import current_app, jsonify, render_template, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from pyecharts import options as opts
from pyecharts.charts import Geo
from pyecharts.globals import ChartType
from werkzeug.exceptions import Forbidden, NotFound

from network.models import CLOSED, LEVELS, STATUSES, Organization
from network.stats import EAGER_TREE_LIMIT, load_children, load_tree, path_ids, walk
from network.tree import subtree
from org.stats import mediators_by_subtree

from ..i18n import label
from ..views.base import Page, current_scope, json_error, scoped_org, xlsx_download

SEARCH_LIMIT = 50
LEVEL_COLOURS = {0: "#8e44ad", 1: "#c0392b", 2: "#2980b9", 3: "#27ae60"}
MAPS_DIR = "vendor/echarts/maps"
WHOLE_COUNTRY = "100000"


# --- the tree ---------------------------------------------------------------------------------

def _visible(org_id_text: str | None):
    """(organisation, error response): the unit asked for, if it lies in the caller's scope."""
    if not (org_id_text or "").isdigit():
        return None, json_error(400, "bad_request", gettext("参数 id 应为数字"))
    try:
        return scoped_org(pk=org_id_text), None
    except NotFound:
        return None, json_error(404, "not_found", gettext("机构不存在"))
    except Forbidden:
        return None, json_error(403, "forbidden", gettext("超出您的管辖范围"))


def _with_mediators(nodes, within):
    counts = mediators_by_subtree([n.org.id for n in walk(nodes)], within)
    for node in walk(nodes):
        node.extra = counts[node.org.id]
    return nodes


def node_json(node) -> dict:
    org = node.org
    return {
        "id": org.id, "code": org.code, "name": org.name, "level": org.level,
        "level_label": label(LEVELS.get(org.level)), "status": org.status,
        "status_label": label(STATUSES.get(org.status)), "children": node.child_count,
        "mediators_here": node.extra.get("here", 0),
        "mediators_total": node.extra.get("total", 0),
        "url": url_for("stations.details_view", id=org.id),
    }


class TreeView(Page):
    @expose("/")
    def index(self):
        scope = current_scope()
        limit = current_app.config.get("TREE_EAGER_LIMIT", EAGER_TREE_LIMIT)
        nodes = _with_mediators(load_tree(scope, limit), scope)
        partial = any(node.lazy for node in walk(nodes))
        return self.render("portal/tree.html", nodes=nodes, partial=partial, scope=scope,
                           statuses=STATUSES, closed=CLOSED)

    @expose("/children")
    def children(self):
        parent, error = _visible(request.args.get("id"))
        if error:
            return error
        nodes = _with_mediators(load_children(parent), parent)
        html = render_template("portal/tree_nodes.html", nodes=nodes, depth=1, closed=CLOSED,
                               statuses=STATUSES)
        return jsonify({"id": parent.id, "nodes": [node_json(n) for n in nodes], "html": html})

    @expose("/search")
    def search(self):
        """Units whose name or code contains `q`, with the names of their ancestors."""
        term = (request.args.get("q") or "").strip()
        if not term:
            return jsonify({"q": term, "results": []})
        pattern = "%" + term.replace("\\", "").replace("%", "").replace("_", "") + "%"
        found = list(subtree(current_scope())
                     .where((Organization.name ** pattern) | (Organization.code ** pattern))
                     .order_by(Organization.code).limit(SEARCH_LIMIT))
        chain_ids = {i for o in found for i in path_ids(o.path)}
        names = dict(Organization.select(Organization.id, Organization.name)
                     .where(Organization.id.in_(list(chain_ids) or [0])).tuples())
        results = [{
            "id": o.id, "code": o.code, "name": o.name, "status": o.status,
            "path": " / ".join(names.get(i, "") for i in path_ids(o.path)),
            "url": url_for("stations.details_view", id=o.id),
        } for o in found]
        return jsonify({"q": term, "results": results})


# --- the map ----------------------------------------------------------------------------------

def located_stations(scope) -> list[Organization]:
    """Caller-visible organisations with both coordinates, in code order."""
    return list(subtree(scope)
                .where(Organization.longitude.is_null(False), Organization.latitude.is_null(False))
                .order_by(Organization.code))


def map_shape(stations: list[Organization]) -> str:
    """The province all stations share (by 行政区划代码) when its shape ships, else China."""
    provinces = Counter(o.division_code[:2] for o in stations if o.division_code)
    if len(provinces) == 1:
        code = next(iter(provinces)) + "0000"
        if (Path(current_app.static_folder) / MAPS_DIR / f"{code}.json").is_file():
            return code
    return WHOLE_COUNTRY


def station_map_option(stations: list[Organization], shape: str) -> dict:
    """ECharts option (built with pyecharts): one scatter series per level on a geo map."""
    chart = Geo()
    chart.add_schema(maptype=shape, is_roam=True,
                     itemstyle_opts=opts.ItemStyleOpts(color="#eef3f8", border_color="#9aaabb"))
    for level, level_label in LEVELS.items():
        points = [o for o in stations if o.level == level]
        if not points:
            continue
        for org in points:
            chart.add_coordinate(f"{org.name}（{org.code}）", float(org.longitude),
                                 float(org.latitude))
        chart.add(label(level_label), [(f"{o.name}（{o.code}）", level) for o in points],
                  type_=ChartType.SCATTER, symbol_size=10 if level < 3 else 7,
                  label_opts=opts.LabelOpts(is_show=False),
                  itemstyle_opts=opts.ItemStyleOpts(color=LEVEL_COLOURS.get(level)))
    chart.set_global_opts(tooltip_opts=opts.TooltipOpts(trigger="item", formatter="{b}"),
                          legend_opts=opts.LegendOpts(pos_top="0"))
    option = json.loads(chart.dump_options())
    if stations:
        lngs = [float(o.longitude) for o in stations]
        lats = [float(o.latitude) for o in stations]
        pad = max(max(lngs) - min(lngs), max(lats) - min(lats), 0.2) * 0.15
        geo = option["geo"][0] if isinstance(option.get("geo"), list) else option["geo"]
        geo["boundingCoords"] = [[min(lngs) - pad, max(lats) + pad],
                                 [max(lngs) + pad, min(lats) - pad]]
    return option


MAP_COLUMNS = [lazy_gettext("机构名称"), lazy_gettext("机构编码"), lazy_gettext("层级"),
               lazy_gettext("经度"), lazy_gettext("纬度")]


def _map_rows(stations) -> list[list]:
    return [[o.name, o.code, label(LEVELS.get(o.level)), float(o.longitude), float(o.latitude)]
            for o in stations]


class MapView(Page):
    @expose("/")
    def index(self):
        stations = located_stations(current_scope())
        return self.render("portal/map.html", stations=stations, levels=LEVELS,
                           columns=[str(c) for c in MAP_COLUMNS])

    @expose("/data")
    def data(self):
        stations = located_stations(current_scope())
        shape = map_shape(stations)
        return jsonify({
            "map": shape,
            "map_url": url_for("static", filename=f"{MAPS_DIR}/{shape}.json"),
            "count": len(stations),
            "points": [{"id": o.id, "code": o.code, "name": o.name, "level": o.level,
                        "lng": float(o.longitude), "lat": float(o.latitude)} for o in stations],
            "option": station_map_option(stations, shape),
        })

    @expose("/export.xlsx")
    def export(self):
        stations = located_stations(current_scope())
        return xlsx_download(gettext("机构地图"), [str(c) for c in MAP_COLUMNS],
                             _map_rows(stations))

