"""The JSON API: authentication, jurisdiction, errors as JSON, the OpenAPI description."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture
def manager(network, make_user):
    """A county manager of 市南区 (QD-02)."""
    return make_user("mgr2", "manager", organization="QD-02")


def issue_token(runner, username: str) -> str:
    result = runner.invoke(args=["users", "token", username])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_json_error(response, status: int, error: str | None = None) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error", "message"} and body["message"]
    if error is not None:
        assert body["error"] == error
    return body


# --- authentication ---------------------------------------------------------------------------

def test_no_credentials_is_401_json(client, network):
    assert_json_error(client.get("/api/v1/stations/QD"), 401, "unauthorized")
    assert_json_error(client.get("/api/v1/stations"), 401, "unauthorized")


def test_bad_bearer_token_is_401_json(client, runner, manager):
    issue_token(runner, "mgr2")  # a real token exists, but not this one
    response = client.get("/api/v1/stations/QD-02", headers=bearer("not-a-real-token"))
    assert_json_error(response, 401, "unauthorized")


def test_token_from_cli_authenticates(client, runner, manager):
    token = issue_token(runner, "mgr2")
    response = client.get("/api/v1/stations/QD-02", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["code"] == "QD-02"


def test_token_of_disabled_account_is_refused(client, runner, manager):
    token = issue_token(runner, "mgr2")
    manager.active = False
    manager.save()
    assert_json_error(client.get("/api/v1/stations/QD-02", headers=bearer(token)), 401)


def test_session_cookie_authenticates(client, auth, manager):
    auth.login("mgr2")
    response = client.get("/api/v1/stations/QD-02-01")
    assert response.status_code == 200
    assert response.get_json()["name"] == "中山路工作室"


# --- one station ------------------------------------------------------------------------------

def test_station_fields(client, auth, network, make_user):
    make_user("boss", "admin")
    auth.login("boss")
    body = client.get("/api/v1/stations/QD-02").get_json()
    assert body["code"] == "QD-02"
    assert body["name"] == "市南区工作站"
    assert body["level"] == 2
    assert body["level_name"] == "县级"
    assert body["parent"] == "QD"
    assert body["kind"] == "调解工作站"
    assert body["division"] is None
    assert body["status"] == "active"
    assert body["children"] == 2  # QD-02-01 and QD-02-02
    city = client.get("/api/v1/stations/QD").get_json()
    assert city["parent"] is None and city["children"] == 2  # QD-02 and QD-11
    room = client.get("/api/v1/stations/QD-11-01").get_json()
    assert room["parent"] == "QD-11" and room["children"] == 0 and room["level"] == 3


def test_unknown_code_is_404_json(client, auth, manager):
    auth.login("mgr2")
    assert_json_error(client.get("/api/v1/stations/NOPE"), 404, "not_found")


@pytest.mark.parametrize("code", ["%00", "QD%00", "%E4%B8%AD", "x" * 40])
def test_impossible_codes_are_404_not_500(client, auth, manager, code):
    auth.login("mgr2")
    assert_json_error(client.get(f"/api/v1/stations/{code}"), 404, "not_found")
    assert_json_error(client.get(f"/api/v1/stations?under={code}"), 404, "not_found")


def test_station_outside_scope_answers_like_a_missing_one(client, auth, manager):
    """A code outside the scope gets the very answer of an unknown code (issue 16 #9)."""
    auth.login("mgr2")
    missing = client.get("/api/v1/stations/QD-99").get_json()
    for code in ("QD-11", "QD-11-01", "QD"):
        body = assert_json_error(client.get(f"/api/v1/stations/{code}"), 404, "not_found")
        assert body["message"] == missing["message"].replace("QD-99", code)


# --- subtrees ---------------------------------------------------------------------------------

def codes(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(item["code"] for item in response.get_json()["items"])


def test_list_without_under_is_callers_subtree(client, auth, manager):
    auth.login("mgr2")
    response = client.get("/api/v1/stations")
    assert codes(response) == ["QD-02", "QD-02-01", "QD-02-02"]
    assert response.get_json()["total"] == 3


def test_list_under_code_inside_scope(client, auth, manager):
    auth.login("mgr2")
    assert codes(client.get("/api/v1/stations?under=QD-02-01")) == ["QD-02-01"]


def test_admin_sees_whole_network_and_any_subtree(client, auth, network, make_user):
    make_user("boss", "admin")
    auth.login("boss")
    assert codes(client.get("/api/v1/stations")) == [
        "QD", "QD-02", "QD-02-01", "QD-02-02", "QD-11", "QD-11-01"]
    assert codes(client.get("/api/v1/stations?under=QD-11")) == ["QD-11", "QD-11-01"]


def test_list_items_carry_parent_and_children(client, auth, manager):
    auth.login("mgr2")
    items = {i["code"]: i for i in client.get("/api/v1/stations").get_json()["items"]}
    assert items["QD-02"]["parent"] == "QD" and items["QD-02"]["children"] == 2
    assert items["QD-02-02"]["parent"] == "QD-02" and items["QD-02-02"]["children"] == 0


def test_list_under_outside_scope_is_404_like_unknown(client, auth, manager):
    auth.login("mgr2")
    assert_json_error(client.get("/api/v1/stations?under=QD-11"), 404, "not_found")
    assert_json_error(client.get("/api/v1/stations?under=QD"), 404, "not_found")
    assert_json_error(client.get("/api/v1/stations?under=NOPE"), 404, "not_found")


def test_paging(client, auth, manager):
    auth.login("mgr2")
    body = client.get("/api/v1/stations?limit=2&offset=1").get_json()
    assert body["total"] == 3
    assert [i["code"] for i in body["items"]] == ["QD-02-01", "QD-02-02"]


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=-5", "offset=x",
                                   "limit=1e3", "offset=99999999999999999999", "limit=%00",
                                   "limit=1001", "offset=-1"])
def test_bad_paging_is_400_json(client, auth, manager, query):
    auth.login("mgr2")
    assert_json_error(client.get(f"/api/v1/stations?{query}"), 400, "bad_request")


# --- errors are JSON, never HTML --------------------------------------------------------------

def test_unknown_api_path_is_404_json(client, auth, manager):
    auth.login("mgr2")
    assert_json_error(client.get("/api/v1/whatever"), 404, "not_found")
    assert_json_error(client.get("/api/v1/stations/QD-02/more/parts"), 404, "not_found")


def test_unknown_api_path_without_login_is_json(client, database):
    response = client.get("/api/v1/whatever")
    assert response.mimetype == "application/json"
    assert response.status_code in (401, 404)


def test_wrong_method_is_405_json(client, auth, manager):
    auth.login("mgr2")
    for url in ("/api/v1/stations", "/api/v1/stations/QD-02", "/api/v1/openapi.json",
                "/api/v1/whatever"):
        body = assert_json_error(client.post(url), 405)
        assert "<html" not in str(body).lower()


def test_wrong_method_with_bearer_is_405_json(client, runner, manager):
    token = issue_token(runner, "mgr2")
    response = client.delete("/api/v1/stations/QD-02", headers=bearer(token))
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_internal_error_is_json(app, client, runner, manager, monkeypatch):
    from admin.network import api

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(api, "children_counts", boom)
    token = issue_token(runner, "mgr2")
    app.testing = False  # let the error handler answer instead of re-raising
    try:
        response = client.get("/api/v1/stations/QD-02", headers=bearer(token))
    finally:
        app.testing = True
    body = assert_json_error(response, 500, "internal_server_error")
    assert "database went away" not in body["message"]


# --- the description --------------------------------------------------------------------------

def test_openapi_describes_both_paths(client, database):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/stations", "/stations/{code}"} <= set(spec["paths"])
    assert "get" in spec["paths"]["/stations"] and "get" in spec["paths"]["/stations/{code}"]
    for op in (spec["paths"]["/stations"]["get"], spec["paths"]["/stations/{code}"]["get"]):
        assert {"200", "401", "403", "404"} <= set(op["responses"])
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"]["type"] == "http" and schemes["bearer"]["scheme"] == "bearer"
    assert "cookie" in schemes
    names = {name for req in spec["security"] for name in req}
    assert names <= set(schemes) and names
    station = spec["components"]["schemas"]["Station"]["properties"]
    assert {"code", "name", "level", "parent", "kind", "division", "status",
            "children"} <= set(station)


def test_password_is_not_an_api_credential(client, manager):
    """Basic auth with the right password is not a way in: only a session or a token."""
    import base64

    header = base64.b64encode(f"mgr2:{PASSWORD}".encode()).decode()
    response = client.get("/api/v1/stations", headers={"Authorization": f"Basic {header}"})
    assert_json_error(response, 401)


def test_list_query_count_does_not_grow_with_rows(client, runner, network, manager, make_org):
    """One query for the rows, one for their children counts, whatever the page holds."""
    from playhouse.test_utils import count_queries

    token = issue_token(runner, "mgr2")

    def selects() -> int:
        with count_queries(only_select=True) as counter:
            assert client.get("/api/v1/stations", headers=bearer(token)).status_code == 200
        return counter.count

    few = selects()
    assert 0 < few <= 6  # token, scope, count, rows, children counts
    for n in range(3, 9):
        make_org(f"QD-02-{n:02d}", parent=network["shinan"])
    assert len(client.get("/api/v1/stations", headers=bearer(token)).get_json()["items"]) == 9
    assert selects() == few


# --- language of the messages -----------------------------------------------------------------

def test_error_messages_follow_the_accounts_language(client, runner, manager):
    """Programs read `error`; people read `message`, in the language the account chose (the
    portal's switch saves it), Chinese by default."""
    token = issue_token(runner, "mgr2")
    url = "/api/v1/kpis?station=QD-02&from=2024-13-01&to=2024-12-31"
    chinese = assert_json_error(client.get(url, headers=bearer(token)), 400, "bad_request")
    assert chinese["message"] == "参数 from 应为 YYYY-MM-DD 格式的日期：「2024-13-01」"
    manager.locale = "en"
    manager.save()
    english = assert_json_error(client.get(url, headers=bearer(token)), 400, "bad_request")
    assert english["message"] == 'Parameter from must be a date written YYYY-MM-DD: "2024-13-01"'
    refused = assert_json_error(client.get("/api/v1/stations/QD-11", headers=bearer(token)),
                                404, "not_found")
    assert "QD-11" in refused["message"] and not CJK.search(refused["message"])
    missing = assert_json_error(client.get("/api/v1/nothing-here", headers=bearer(token)), 404)
    assert missing["message"] == "No such endpoint"
