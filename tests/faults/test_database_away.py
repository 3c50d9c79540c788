"""The database going away answers a clean 503 (page or JSON, never a traceback) and the
next request, once it is back, works: the broken connection is dropped, not reused."""
from __future__ import annotations

import peewee as pw
import pytest

from network.db import db, is_postgres, open_database
from tests.admin.network.test_api import bearer, issue_token


@pytest.fixture
def manager(network, make_user):
    return make_user("mgr2", "manager", organization="QD-02")


@pytest.fixture
def unreachable(database_url, tmp_path):
    """Point the portal at a database that cannot be opened; the real one again afterwards."""
    def away():
        db.close()
        if is_postgres():
            db.initialize(pw.PostgresqlDatabase("gone", host="127.0.0.1", port=1,
                                                user="postgres"))
        else:
            db.initialize(pw.SqliteDatabase(str(tmp_path)))  # a directory: cannot be opened

    def back():
        open_database(database_url)

    yield away, back
    back()


def test_database_away_answers_503_and_recovers(app, client, auth, manager, runner, unreachable):
    away, back = unreachable
    token = issue_token(runner, "mgr2")
    auth.login("mgr2")
    assert client.get("/admin/").status_code == 200
    db.close()

    away()
    page = client.get("/admin/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    text = page.get_data(as_text=True)
    assert "数据库暂时不可用，请稍后重试。" in text and "Traceback" not in text
    api = client.get("/api/v1/stations", headers=bearer(token))
    assert api.status_code == 503
    assert api.get_json() == {"error": "database_unavailable",
                              "message": "数据库暂时不可用，请稍后重试。"}

    back()
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/stations", headers=bearer(token)).status_code == 200


def test_connection_killed_mid_request_answers_503_then_recovers(app, client, manager, runner,
                                                                  monkeypatch):
    if not is_postgres():
        pytest.skip("a server connection to terminate: PostgreSQL only")
    import admin.network.api as stations_api

    token = issue_token(runner, "mgr2")
    original = stations_api.children_counts

    def terminate_then_count(ids):
        db.execute_sql("SELECT pg_terminate_backend(pg_backend_pid())")
        return original(ids)

    monkeypatch.setattr(stations_api, "children_counts", terminate_then_count)
    response = client.get("/api/v1/stations", headers=bearer(token))
    assert response.status_code == 503
    assert response.get_json()["error"] == "database_unavailable"

    monkeypatch.setattr(stations_api, "children_counts", original)
    response = client.get("/api/v1/stations", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["total"] == 3
