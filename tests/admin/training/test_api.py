"""/api/v1/training/*: hours of a mediator, coverage of a subtree, sessions with seats taken.

Hand-counted fixture (year 2026, requirement 20 hours; QD-02 holds M001 and M002, QD-11 M003):
  S1 QD-02    2026-03-02 09:00–12:00  3 h 年度培训  M001 出席 3.0, M002 迟到 100/180 min → 1.5
  S2 QD-02-01 2026-06-01 08:00–18:00 18 h 专题讲座  M001 出席 18.0
  S3 QD-11    2026-04-01 09:00–11:00  2 h 年度培训  M003 出席 2.0, M001 缺席 0
  S4 QD-02    2025-12-01 09:00–11:00  2 h 年度培训  M001 出席 2.0 (another year)
M001 in 2026: 21.0 h from 2 participations (年度培训 3.0, 专题讲座 18.0) → met.
QD-02 in 2026: population 2, met 1, rate 0.5000, sessions S1 S2 = 2, participant-times 3,
hours 21.0 + 1.5 = 22.5.
"""
from __future__ import annotations

import pytest


@pytest.fixture
def year(people, network, make_session):
    from training.attendance import record_attendance

    m1, m2, m3 = people["m1"], people["m2"], people["m3"]
    s1 = make_session(code="S1", host=network["shinan"], capacity=5)
    s2 = make_session(code="S2", host=network["room1"], kind="专题讲座", course="金融法规",
                      start="2026-06-01 08:00", end="2026-06-01 18:00", hours="18")
    s3 = make_session(code="S3", host=network["huangdao"], start="2026-04-01 09:00",
                      end="2026-04-01 11:00", hours="2")
    s4 = make_session(code="S4", host=network["shinan"], start="2025-12-01 09:00",
                      end="2025-12-01 11:00", hours="2")
    for session, mediator, status, minutes in (
            (s1, m1, "present", None), (s1, m2, "late", 100), (s2, m1, "present", None),
            (s3, m3, "present", None), (s3, m1, "absent", None), (s4, m1, "present", None)):
        record_attendance(session, mediator, status, minutes, actor="test", scope=None)
    from training.enrolment import enrol_many

    enrol_many(s1, [m1, m2], actor="test", scope=None)


def test_hours_of_a_mediator(year, auth):
    auth.login("t02")
    body = auth.client.get("/api/v1/training/hours?mediator=M001&year=2026").get_json()
    assert body == {"mediator": "M001", "year": 2026, "hours": "21.0", "participations": 2,
                    "by_kind": {"专题讲座": "18.0", "年度培训": "3.0"}}
    body = auth.client.get("/api/v1/training/hours?mediator=M001&year=2025").get_json()
    assert (body["hours"], body["participations"]) == ("2.0", 1)


def test_coverage_of_a_station(year, auth):
    auth.login("t02")
    body = auth.client.get("/api/v1/training/coverage?station=QD-02&year=2026").get_json()
    assert body == {"station": "QD-02", "year": 2026, "population": 2, "met": 1,
                    "coverage_rate": "0.5000", "sessions": 2, "participant_times": 3,
                    "hours": "22.5"}


def test_sessions_with_seats_taken(year, auth):
    auth.login("t02")
    body = auth.client.get(
        "/api/v1/training/sessions?station=QD-02&from=2026-01-01&to=2026-12-31").get_json()
    assert [(s["code"], s["booked"], s["seats_left"]) for s in body["sessions"]] == [
        ("S1", 2, 3), ("S2", 0, 30)]
    assert body["sessions"][0]["start"] == "2026-03-02T09:00:00+08:00"


def test_sessions_are_paged_with_their_total(year, auth):
    """QD-02's subtree hosts S4 (2025-12-01), S1 (2026-03-02), S2 (2026-06-01): 3 in all."""
    auth.login("t02")
    url = "/api/v1/training/sessions?station=QD-02"
    body = auth.client.get(url).get_json()
    assert (body["total"], body["offset"], body["limit"]) == (3, 0, 1000)
    assert [s["code"] for s in body["sessions"]] == ["S4", "S1", "S2"]
    pages = [auth.client.get(f"{url}&limit=2&offset={o}").get_json() for o in (0, 2, 4)]
    assert [[s["code"] for s in p["sessions"]] for p in pages] == [["S4", "S1"], ["S2"], []]
    assert {p["total"] for p in pages} == {3}
    body = auth.client.get(f"{url}&from=2026-01-01&limit=1&offset=1").get_json()
    assert (body["total"], [s["code"] for s in body["sessions"]]) == (2, ["S2"])
    for bad in ("limit=0", "limit=1001", "offset=-1", "limit=x", f"offset={2**31}"):
        response = auth.client.get(f"{url}&{bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"] == "bad_request"


def test_mediator_sees_only_their_own(year, auth):
    auth.login("med1")
    assert auth.client.get("/api/v1/training/hours?mediator=M001&year=2026").status_code == 200
    # another mediator's hours answer like a 工号 nobody holds; unit figures are refused
    response = auth.client.get("/api/v1/training/hours?mediator=M002&year=2026")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    for url in ("/api/v1/training/coverage?station=QD-02-01&year=2026",
                "/api/v1/training/sessions?station=QD-02-01"):
        response = auth.client.get(url)
        assert response.status_code == 403, url
        assert response.get_json()["error"] == "forbidden"


def test_other_district_and_bad_input_answer_json_errors(year, auth):
    assert auth.client.get("/api/v1/training/coverage?station=QD&year=2026").status_code == 401
    auth.login("t02")
    cases = {
        # outside the district: the same answer as unknown
        "/api/v1/training/hours?mediator=M003&year=2026": 404,
        "/api/v1/training/coverage?station=QD-11&year=2026": 404,
        "/api/v1/training/coverage?station=QD&year=2026": 404,
        "/api/v1/training/sessions?station=QD-11-01": 404,
        "/api/v1/training/coverage?station=QD-99&year=2026": 404,
        "/api/v1/training/hours?mediator=NOPE&year=2026": 404,
        "/api/v1/training/hours?mediator=M001": 400,
        "/api/v1/training/hours?mediator=M001&year=20x6": 400,
        "/api/v1/training/coverage?station=QD-02&year=99999": 400,
        "/api/v1/training/sessions?station=QD-02&from=2026-13-01": 400,
        "/api/v1/training/sessions?station=QD-02&from=2026-05-01&to=2026-01-01": 400,
    }
    for url, status in cases.items():
        response = auth.client.get(url)
        assert response.status_code == status, url
        assert set(response.get_json()) == {"error", "message"}, url


def test_openapi_documents_the_routes(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/training/hours", "/training/coverage", "/training/sessions"):
        assert "200" in paths[path]["get"]["responses"]
    sessions = paths["/training/sessions"]["get"]
    assert {"limit", "offset"} <= {p["name"] for p in sessions["parameters"]}
    schema = sessions["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"total", "offset", "limit", "sessions"} <= set(schema["properties"])
