"""Any sort index typed into a list URL answers the page, never a 500."""
import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("endpoint", ["stations", "mediators", "users", "audit"])
def test_every_sort_index_answers(client, auth, network, make_user, make_mediator, endpoint):
    make_mediator(network["room1"])
    make_user("admin1", role="admin")
    auth.login("admin1", PASSWORD)
    for idx in range(0, 12):
        for desc in ("", "&desc=1"):
            response = client.get(f"/admin/{endpoint}/?sort={idx}{desc}")
            assert response.status_code == 200, (endpoint, idx, desc)
