"""A `next=` never sends the browser to another host, and a broken one never answers 500."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token

HOSTILE = [
    "/%09/evil.example",          # a tab the browser drops: //evil.example
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",   # a header break: 500 before the fix
    "//evil.example",
    "/\\evil.example",            # Chrome reads a backslash as a slash
    "/%5C/evil.example",
    "/%2F/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "%20//evil.example",
    "/%20/evil.example",
]


def location(response) -> str:
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_stays_on_site(client, database, target):
    assert location(client.get(f"/lang/en?next={target}")) == "/"


@pytest.mark.parametrize("target", HOSTILE)
def test_login_next_stays_on_site(client, make_user, target):
    make_user("alice", "admin")
    token = csrf_token(client)
    from tests.conftest import PASSWORD

    response = client.post(f"/login?next={target}",
                           data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert location(response) == "/"
    # already logged in: the GET follows next= too
    assert location(client.get(f"/login?next={target}")) == "/"


def test_same_site_paths_are_followed(client, make_user):
    from tests.conftest import PASSWORD

    assert location(client.get("/lang/en?next=/admin/mediators/%3Fsearch%3D%25E5%25BC%25A0")) \
        == "/admin/mediators/?search=%E5%BC%A0"
    make_user("alice", "admin")
    token = csrf_token(client)
    response = client.post("/login?next=/admin/stations/",
                           data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert location(response) == "/admin/stations/"


def test_referrer_from_another_site_is_not_followed(client, database):
    response = client.get("/lang/en", headers={"Referer": "https://evil.example//evil.example/x"})
    assert location(response) == "/"


def test_a_space_inside_a_path_is_kept(client, database):
    assert location(client.get("/lang/en?next=/admin/mediators/?search=%E5%BC%A0+%E4%B8%89")) \
        == "/admin/mediators/?search=%E5%BC%A0%20%E4%B8%89"
