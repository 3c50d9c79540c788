"""/api/v1/kpis, /kpis/children, /kpis/monthly: values (hand-counted ledger), scope, errors."""
from __future__ import annotations

import pytest

URLS = ["/api/v1/kpis", "/api/v1/kpis/children", "/api/v1/kpis/monthly"]
Q1 = "from=2024-01-01&to=2024-03-31"


@pytest.fixture
def county_manager(ledger, make_user, auth):
    make_user("mgr2", "manager", organization="QD-02")
    auth.login("mgr2")
    return auth.client


@pytest.fixture
def admin_client(ledger, make_user, auth):
    make_user("root", "admin")
    auth.login("root")
    return auth.client


def error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] and body["message"]
    return body


def test_city_quarter_values(admin_client):
    body = admin_client.get(f"/api/v1/kpis?station=QD&{Q1}").get_json()
    # Hand count in tests/evaluation/test_kpis.py::test_city_first_quarter.
    assert body == {
        "station": "QD", "name": "青岛市中心", "from": "2024-01-01", "to": "2024-03-31",
        "received": 7, "closed": 6, "succeeded": 4, "failed": 1, "withdrawn": 1,
        "success_rate": 0.6667, "amount_involved": "18700.75", "agreed_amount": "9550.25",
        "avg_days": 11.5, "online": 2, "judicial_confirmed": 2, "fulfilment_rate": 0.3333,
    }


def test_children_and_monthly(admin_client):
    rows = admin_client.get(f"/api/v1/kpis/children?station=QD&{Q1}").get_json()
    assert [(r["station"], r["received"], r["closed"], r["agreed_amount"]) for r in rows] == [
        ("QD-02", 6, 5, "8550.00"), ("QD-11", 1, 1, "1000.25")]
    months = admin_client.get(
        "/api/v1/kpis/monthly?station=QD&from=2024-01-15&to=2024-03-10").get_json()
    # Jan 15–31: received B C, closed A; February: received D E F, closed B C F;
    # March 1–10: received G, closed E.
    assert [(m["month"], m["from"], m["to"], m["received"], m["closed"]) for m in months] == [
        ("2024-01", "2024-01-15", "2024-01-31", 2, 1),
        ("2024-02", "2024-02-01", "2024-02-29", 3, 3),
        ("2024-03", "2024-03-01", "2024-03-10", 1, 1)]
    assert months[1]["amount_involved"] == "7600.50"


def test_county_manager_defaults_to_own_unit_and_sees_below(county_manager):
    body = county_manager.get(f"/api/v1/kpis?{Q1}").get_json()
    assert (body["station"], body["received"], body["closed"]) == ("QD-02", 6, 5)
    body = county_manager.get(f"/api/v1/kpis?station=QD-02-02&{Q1}").get_json()
    assert (body["received"], body["withdrawn"]) == (2, 1)


@pytest.mark.parametrize("url", URLS)
def test_outside_scope_is_404_like_an_unknown_station(county_manager, url):
    error(county_manager.get(f"{url}?station=QD-11&{Q1}"), 404)
    error(county_manager.get(f"{url}?station=QD&{Q1}"), 404)


@pytest.mark.parametrize("url", URLS)
def test_not_logged_in_is_401(client, ledger, url):
    error(client.get(f"{url}?station=QD&{Q1}"), 401)


@pytest.mark.parametrize("url", URLS)
def test_unknown_station_is_404(admin_client, url):
    error(admin_client.get(f"{url}?station=NOPE&{Q1}"), 404)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("query", [
    "station=QD&to=2024-03-31",                    # missing from
    "station=QD&from=2024-01-01",                  # missing to
    "station=QD&from=2024-02-30&to=2024-03-31",    # no such day
    "station=QD&from=20240101&to=2024-03-31",      # not YYYY-MM-DD
    "station=QD&from=abc&to=2024-03-31",
    "station=QD&from=2024-04-01&to=2024-03-31",    # from after to
    "station=QD&from=0001-01-01&to=9999-12-31",    # outside the supported years
])
def test_bad_parameters_are_400(admin_client, url, query):
    error(admin_client.get(f"{url}?{query}"), 400)


def test_monthly_range_is_limited(admin_client):
    error(admin_client.get("/api/v1/kpis/monthly?station=QD&from=2000-01-01&to=2024-12-31"),
          400)


def test_token_auth_and_openapi(client, runner, county_manager):
    result = runner.invoke(args=["users", "token", "mgr2"])
    token = result.output.strip().splitlines()[-1]
    fresh = client.application.test_client()
    response = fresh.get(f"/api/v1/kpis?station=QD-02&{Q1}",
                         headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["received"] == 6
    paths = fresh.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/kpis", "/kpis/children", "/kpis/monthly"} <= set(paths)


def test_stats_rebuild_cli(runner, ledger):
    from evaluation import rollups
    from evaluation.models import Rollup

    before = rollups.state()
    Rollup.delete().execute()
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "已重建统计" in result.output
    assert rollups.state() == before
