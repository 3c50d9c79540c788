"""The API keeps its OpenAPI contract (issue 16 #11): schemathesis generates requests from
/api/v1/openapi.json and checks every answer against it (no 500, documented status codes,
content types and bodies, schema-valid input accepted), a few examples per operation; and
the two mismatches it found, as plain regression tests."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from evaluation.periods import MAX_MONTHS
from tests.admin.network.test_api import bearer, issue_token

Q1 = "from=2024-01-01&to=2024-03-31"


@pytest.fixture
def admin_token(runner, ledger, make_user):
    make_user("root", "admin")
    return issue_token(runner, "root")


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_keeps_its_contract(case, admin_token):
    query = case.query or {}
    if _across_parameters(case.path, str(query.get("from", "")), str(query.get("to", "~"))):
        # refused (400, documented) by a rule across two parameters that a JSON schema cannot
        # state, so schema-valid data need not be accepted here
        case.call_and_validate(headers=bearer(admin_token),
                               excluded_checks=[schemathesis.checks.positive_data_acceptance])
        return
    case.call_and_validate(headers=bearer(admin_token))


def _across_parameters(path: str, start: str, end: str) -> bool:
    """`from` after `to`, or a monthly range longer than periods.MAX_MONTHS months."""
    if start > end:
        return True
    if path.endswith("/monthly") and start[:7].count("-") == 1 and end[:7].count("-") == 1:
        months = (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7]) + 1
        return months > MAX_MONTHS
    return False


def test_kpis_without_station_for_an_administrator_use_the_one_top_unit(client, admin_token):
    body = client.get(f"/api/v1/kpis?{Q1}", headers=bearer(admin_token)).get_json()
    assert (body["station"], body["received"], body["succeeded"]) == ("QD", 7, 4)


def test_kpis_without_station_with_two_top_units_is_a_400(client, admin_token, make_org):
    make_org("JN", name="济南市中心")
    response = client.get(f"/api/v1/kpis?{Q1}", headers=bearer(admin_token))
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_stations_paging_bounds_are_the_declared_ones(client, app, admin_token):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p["schema"] for p in
              spec["paths"]["/stations"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 1000)
    assert params["offset"]["minimum"] == 0
    ok = client.get("/api/v1/stations?limit=1000&offset=0", headers=bearer(admin_token))
    assert ok.status_code == 200 and ok.get_json()["limit"] == 1000
    for query in ("limit=1001", "offset=-1"):
        assert client.get(f"/api/v1/stations?{query}",
                          headers=bearer(admin_token)).status_code == 400
