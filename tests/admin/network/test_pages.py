"""The tree, the map (with its table and XLSX twin) and the home page, seen by each role.

Fixture `network`: QD 青岛市中心 → QD-02 市南区工作站 (QD-02-01 中山路工作室, QD-02-02 八大峡工作室),
QD-11 黄岛区工作站 (QD-11-01 黄岛工作室). The county manager `m02` is scoped to QD-02.
"""
import re

import pytest

from network.services import close_org, update_org
from tests.admin.scope_checks import xlsx_text

OTHER_COUNTY = ["黄岛区工作站", "黄岛工作室", "QD-11"]


@pytest.fixture
def located(network):
    """Coordinates (and Shandong division codes) on the city, one room of each county."""
    for key, lng, lat, division in (("city", "120.3826", "36.0671", "370200"),
                                    ("room1", "120.3300", "36.0650", "370202"),
                                    ("room3", "120.1980", "35.9600", "370211")):
        update_org(network[key], {"longitude": lng, "latitude": lat, "division_code": division},
                   actor="t", scope=None)
    return network


@pytest.fixture
def county_manager(network, make_user, auth):
    make_user("m02", role="manager", organization=network["shinan"])
    auth.login("m02")
    return auth


def test_anonymous_requests_go_to_login(client, network):
    for url in ("/admin/", "/admin/tree/", f"/admin/tree/children?id={network['city'].id}",
                "/admin/tree/search?q=QD", "/admin/map/", "/admin/map/data",
                "/admin/map/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_mediator_account_cannot_open_network_pages(network, make_mediator, make_user, auth):
    mediator = make_mediator(network["room1"])
    make_user("med", role="mediator", mediator=mediator)
    auth.login("med")
    for url in ("/admin/tree/", "/admin/map/data", "/admin/map/export.xlsx"):
        assert auth.client.get(url).status_code == 403, url


def test_county_tree_shows_its_subtree_with_counts_and_nothing_else(county_manager, network,
                                                                    make_mediator):
    make_mediator(network["room1"])
    make_mediator(network["room1"])
    make_mediator(network["room3"])
    close_org(network["room2"], actor="t", scope=None)
    page = county_manager.client.get("/admin/tree/").get_data(as_text=True)
    for text in ("市南区工作站", "中山路工作室", "八大峡工作室", "QD-02-01", "QD-02-02"):
        assert text in page
    for text in [*OTHER_COUNTY, "青岛市中心"]:
        assert text not in page
    county = re.search(r'data-code="QD-02">.*?n-children">(\d+)<.*?n-mediators"[^>]*>(\d+)<',
                       page, re.S)
    assert county.groups() == ("2", "2")
    closed_room = re.search(r'<li class="tree-node([^"]*)" data-id="\d+"\s+data-name="八大峡工作室"',
                            page)
    assert "node-closed" in closed_room.group(1)
    assert f'/admin/stations/details/?id={network["room1"].id}' in page


def test_admin_tree_has_both_counties(network, make_user, auth):
    make_user("root", role="admin")
    auth.login("root")
    page = auth.client.get("/admin/tree/").get_data(as_text=True)
    for text in ("青岛市中心", "市南区工作站", "黄岛区工作站", "QD-11-01"):
        assert text in page


def test_children_endpoint_is_scoped(county_manager, network, make_mediator):
    make_mediator(network["room1"])
    client = county_manager.client
    response = client.get(f"/admin/tree/children?id={network['shinan'].id}")
    assert response.status_code == 200
    data = response.get_json()
    assert [(n["code"], n["mediators_total"], n["children"]) for n in data["nodes"]] == [
        ("QD-02-01", 1, 0), ("QD-02-02", 0, 0)]
    assert "中山路工作室" in data["html"]
    for outsider in ("huangdao", "room3", "city"):
        response = client.get(f"/admin/tree/children?id={network[outsider].id}")
        assert response.status_code == 403, outsider
        assert response.get_json()["error"] == "forbidden"
        assert "黄岛" not in response.get_data(as_text=True)
    assert client.get("/admin/tree/children?id=999999").status_code == 404
    response = client.get("/admin/tree/children?id=abc")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_search_endpoint_is_scoped(county_manager, network):
    client = county_manager.client
    found = client.get("/admin/tree/search?q=工作室").get_json()["results"]
    assert [r["code"] for r in found] == ["QD-02-01", "QD-02-02"]
    assert found[0]["path"] == "青岛市中心 / 市南区工作站 / 中山路工作室"
    assert client.get("/admin/tree/search?q=QD-11").get_json()["results"] == []
    assert client.get("/admin/tree/search?q=qd-02-0").get_json()["results"][0]["code"] \
        == "QD-02-01"


def test_map_data_is_scoped_and_uses_the_local_province_shape(county_manager, located):
    data = county_manager.client.get("/admin/map/data").get_json()
    assert [p["code"] for p in data["points"]] == ["QD-02-01"]
    assert data["map"] == "370000"
    assert data["map_url"] == "/static/vendor/echarts/maps/370000.json"
    assert county_manager.client.get(data["map_url"]).status_code == 200
    series = data["option"]["series"]
    assert [s["name"] for s in series] == ["社区级"]
    assert series[0]["data"][0]["name"] == "中山路工作室（QD-02-01）"
    assert series[0]["data"][0]["value"][:2] == [120.33, 36.065]
    text = str(data)
    for name in OTHER_COUNTY + ["青岛市中心"]:
        assert name not in text


def test_map_for_admin_has_every_located_station_by_level(located, make_user, auth):
    make_user("root", role="admin")
    auth.login("root")
    data = auth.client.get("/admin/map/data").get_json()
    assert [p["code"] for p in data["points"]] == ["QD", "QD-02-01", "QD-11-01"]
    by_series = {s["name"]: [d["name"] for d in s["data"]] for s in data["option"]["series"]}
    assert by_series == {"市级": ["青岛市中心（QD）"],
                         "社区级": ["中山路工作室（QD-02-01）", "黄岛工作室（QD-11-01）"]}


def test_map_falls_back_to_china_across_provinces(located, make_org, make_user, auth):
    other = make_org("NB", name="宁波市中心", longitude="121.5500", latitude="29.8700",
                     division_code="330200")
    assert other.longitude is not None
    make_user("root", role="admin")
    auth.login("root")
    assert auth.client.get("/admin/map/data").get_json()["map"] == "100000"


def test_map_page_table_is_scoped_and_assets_are_local(county_manager, located):
    page = county_manager.client.get("/admin/map/").get_data(as_text=True)
    assert "中山路工作室" in page and "120.330000" in page
    for name in OTHER_COUNTY:
        assert name not in page
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert "/static/vendor/echarts/echarts.min.js" in scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert county_manager.client.get("/static/vendor/echarts/echarts.min.js").status_code == 200


def test_map_table_export_is_scoped(county_manager, located):
    response = county_manager.client.get("/admin/map/export.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    text = xlsx_text(response.get_data())
    assert "机构名称" in text and "中山路工作室" in text and "QD-02-01" in text
    for name in OTHER_COUNTY + ["青岛市中心"]:
        assert name not in text


def _card(page, attr, key):
    return int(re.search(rf'data-{attr}="{key}">(\d+)<', page).group(1))


def test_home_counts_for_a_county_manager(county_manager, network, make_mediator):
    make_mediator(network["room1"], employment="full")
    make_mediator(network["room1"], employment="part")
    make_mediator(network["room2"], employment="part", status="off")
    make_mediator(network["room3"], employment="full")
    close_org(network["room2"], actor="t", scope=None)
    page = county_manager.client.get("/admin/").get_data(as_text=True)
    assert _card(page, "level", 2) == 1
    assert _card(page, "level", 3) == 1
    assert _card(page, "level", 1) == 0
    assert re.search(r'id="closed-count">(\d+)<', page).group(1) == "1"
    assert re.search(r'id="mediator-count">(\d+)<', page).group(1) == "2"
    assert _card(page, "employment", "full") == 1
    assert _card(page, "employment", "part") == 1
    assert 'href="/admin/tree/"' in page and 'href="/admin/stations/"' in page


def test_mediator_home_shows_only_their_own_record(network, make_mediator, make_user, auth):
    import datetime as dt

    from org.services import move_mediator

    mine = make_mediator(network["room1"], staff_no="ME01", name="王芳", gender="F",
                         employment="full")
    make_mediator(network["room3"], staff_no="OT99", name="李四")
    move_mediator(mine, network["room2"], actor="t", scope=None, on=dt.date(2024, 5, 1))
    make_user("wangfang", role="mediator", mediator=mine)
    auth.login("wangfang")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "王芳" in page and "ME01" in page
    assert "李四" not in page and "OT99" not in page
    station = re.search(r'id="my-station">(.*?)</dd>', page, re.S).group(1)
    assert "八大峡工作室" in station
    assert "专职" in re.search(r'id="my-employment">(.*?)</dd>', page, re.S).group(1)
    assert "在岗" in re.search(r'id="my-status">(.*?)</dd>', page, re.S).group(1)
    history = re.search(r'id="my-assignments">(.*?)</table>', page, re.S).group(1)
    assert history.index("QD-02-02") < history.index("QD-02-01")
    assert "2024-04-30" in history


@pytest.fixture
def small_eager_limit(app):
    """Make the fixture network count as "big", so the tree page loads it lazily."""
    old = app.config.get("TREE_EAGER_LIMIT")
    app.config["TREE_EAGER_LIMIT"] = 3
    yield
    if old is None:
        app.config.pop("TREE_EAGER_LIMIT")
    else:
        app.config["TREE_EAGER_LIMIT"] = old


def test_big_tree_sends_two_levels_and_loads_the_rest_on_demand(small_eager_limit, network,
                                                                  make_user, auth):
    make_user("root", role="admin")
    auth.login("root")
    page = auth.client.get("/admin/tree/").get_data(as_text=True)
    assert "市南区工作站" in page and "黄岛区工作站" in page
    assert "中山路工作室" not in page
    assert f'data-lazy="/admin/tree/children?id={network["shinan"].id}"' in page
    assert 'id="tree-partial"' in page
    html = auth.client.get(f"/admin/tree/children?id={network['shinan'].id}").get_json()["html"]
    assert "中山路工作室" in html and "八大峡工作室" in html and "黄岛" not in html
