"""#10: numbers beyond the databases' integer range in a URL answer 400/404, never 500."""
from __future__ import annotations

import pytest

HUGE = [str(2 ** 63), str(2 ** 64 + 1), "99999999999999999999999999", "-" + str(2 ** 63)]


@pytest.fixture
def admin(network, make_user, make_mediator, auth):
    make_mediator(network["room1"], staff_no="S0001")
    make_user("root", "admin")
    auth.login("root")
    return auth.client


@pytest.mark.parametrize("number", HUGE)
def test_ajax_lookup_offset_and_limit(admin, number):
    for query in (f"offset={number}", f"limit={number}"):
        response = admin.get(f"/admin/mediators/ajax/lookup/?name=station&query=QD&{query}")
        assert response.status_code in (200, 400), (query, response.status_code)
        if response.status_code == 200:
            assert isinstance(response.get_json(), list)


@pytest.mark.parametrize("number", HUGE)
def test_tree_children_id(admin, number):
    response = admin.get(f"/admin/tree/children?id={number}")
    assert response.status_code in (400, 404)
    assert response.is_json


@pytest.mark.parametrize("number", HUGE)
def test_import_job_ids(admin, number):
    for url in (f"/admin/imports/job/{number}", f"/admin/imports/job/{number}/status"):
        assert admin.get(url).status_code == 404, url


@pytest.mark.parametrize("number", HUGE)
def test_list_page_number_and_details_id(admin, number):
    assert admin.get(f"/admin/mediators/?page={number}").status_code in (200, 400)
    assert admin.get(f"/admin/mediators/details/?id={number}").status_code in (302, 404)
    assert admin.get(f"/admin/stations/edit/?id={number}").status_code in (302, 404)
