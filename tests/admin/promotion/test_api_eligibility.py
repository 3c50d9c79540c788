"""GET /api/v1/mediators/<工号>?as_of=: the issue's shape, hand-counted figures, refusals."""
from __future__ import annotations


def test_shape_and_figures(world, auth):
    auth.login("m02")
    response = auth.client.get("/api/v1/mediators/E001?as_of=2025-07-01")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"staff_no", "station", "grade", "grade_since", "next_grade",
                         "eligible", "criteria"}
    assert body["staff_no"] == "E001" and body["station"] == "QD-02-01"
    assert (body["grade"], body["grade_since"], body["next_grade"]) == ("4", "2024-01-01", "3")
    assert body["eligible"] is False
    got = {c["key"]: (c["required"], c["actual"], c["met"]) for c in body["criteria"]}
    assert got == {
        "months_at_grade": (12, 18, True),
        "closed_cases": (10, 6, False),
        "success_rate": ("0.6000", "0.6667", True),
        "training_hours": ("20.0", "6.0", False),
        "no_upheld_complaint": (0, 1, False),
    }
    assert [c["key"] for c in body["criteria"]] == [
        "months_at_grade", "closed_cases", "success_rate", "training_hours",
        "no_upheld_complaint"]


def test_as_of_moves_the_window(world, auth):
    """On 2024-07-01 the window is [2023-07-01, 2024-06-30]: only the case closed 2024-06-30
    counts, no session, no complaint; 6 months at grade."""
    auth.login("root")
    body = auth.client.get("/api/v1/mediators/E001?as_of=2024-07-01").get_json()
    got = {c["key"]: (c["actual"], c["met"]) for c in body["criteria"]}
    assert got["months_at_grade"] == (6, False)
    assert got["closed_cases"] == (1, False)
    assert got["success_rate"] == ("1.0000", True)
    assert got["training_hours"] == ("0.0", False)
    assert got["no_upheld_complaint"] == (0, True)


def test_mediator_reads_own_only(world, auth):
    auth.login("e001")
    assert auth.client.get("/api/v1/mediators/E001?as_of=2025-07-01").status_code == 200
    response = auth.client.get("/api/v1/mediators/E002?as_of=2025-07-01")
    # another mediator's record answers like a 工号 nobody holds: nothing to probe
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_refusals_are_json(world, auth, client):
    response = client.get("/api/v1/mediators/E001")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    auth.login("m11")
    response = auth.client.get("/api/v1/mediators/E001?as_of=2025-07-01")
    assert response.status_code == 404 and "E001" not in str(response.get_json().get("grade"))
    assert "criteria" not in response.get_json()
    response = auth.client.get("/api/v1/mediators/NOPE?as_of=2025-07-01")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    for bad in ("2025-13-01", "yesterday", "0001-01-01", "2025-02-30"):
        response = auth.client.get(f"/api/v1/mediators/E002?as_of={bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"] == "bad_request"
    # the other county's own mediator is fine, and at 三级 the next grade is 二级
    body = auth.client.get("/api/v1/mediators/E002?as_of=2025-07-01").get_json()
    assert (body["grade"], body["next_grade"]) == ("3", "2")


def test_top_grade_has_no_next(world, auth):
    from org.grades import change_grade

    change_grade(world["e2"], "1", "2025-01-01", "promotion", actor="hr", scope=None)
    auth.login("root")
    body = auth.client.get("/api/v1/mediators/E002?as_of=2025-07-01").get_json()
    assert body["next_grade"] is None and body["criteria"] == [] and body["eligible"] is False


def test_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    route = spec["paths"]["/mediators/{staff_no}"]["get"]
    assert {p["name"] for p in route["parameters"]} == {"staff_no", "as_of"}
    assert set(route["responses"]) == {"200", "400", "401", "403", "404"}


def test_statements_of_one_call(world, client):
    """A regression guard, not a timing: one call is the token with its account and the
    account's organisation, the mediator with their station, and the five reads of
    eligibility (ladder, grade history, cases, complaints, hours) — 7 statements, for a
    scoped manager as for an administrator."""
    from playhouse.test_utils import count_queries

    from org.accounts import issue_token
    from org.models import User

    for name in ("m02", "root"):
        token = issue_token(User.get(User.username == name), actor="test")
        headers = {"Authorization": f"Bearer {token}"}
        path = "/api/v1/mediators/E001?as_of=2025-07-01"
        assert client.get(path, headers=headers).status_code == 200  # notes its last use
        with count_queries() as counter:
            assert client.get(path, headers=headers).status_code == 200
        assert counter.count <= 7, name
