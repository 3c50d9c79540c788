"""The birth date is part of the 身份证号: wherever the number is masked, so is the date.

The conftest's mediators are born 1980-01-01 (`id_number(born="19800101")`); none of the
pages, exports or audit rows a manager can open may carry that date in any spelling.
"""
from __future__ import annotations

import pytest

from network import audit
from network.audit import AuditLog
from tests.admin.scope_checks import xlsx_text
from tests.conftest import id_number

SPELLINGS = ("1980-01-01", "19800101", "1980/01/01")


def assert_no_birth_date(text: str) -> None:
    for spelling in SPELLINGS:
        assert spelling not in text, spelling


@pytest.fixture
def manager(network, make_mediator, make_user, auth):
    mediator = make_mediator(network["room1"], staff_no="S0201", name="李四")
    make_user("m02", organization=network["shinan"])
    auth.login("m02")
    return mediator


def test_identity_masks():
    from org.identity import mask_birth_date, mask_identifiers

    assert mask_birth_date("1980-01-01") == "****-**-**"
    assert mask_birth_date(None) == ""
    assert mask_identifiers({"birth_date": ["1980-01-01", "1990-02-02"], "name": "李四"}) == \
        {"birth_date": ["****-**-**", "****-**-**"], "name": "李四"}


def trail_pages(client, row_ids) -> list[str]:
    pages = [client.get("/admin/audit/").get_data(as_text=True),
             client.get("/admin/audit/export/csv/").get_data().decode("utf-8-sig"),
             xlsx_text(client.get("/admin/audit/export/xlsx/").get_data())]
    pages += [client.get(f"/admin/audit/details/?id={i}").get_data(as_text=True)
              for i in row_ids]
    return pages


def test_audit_trail_of_a_creation_and_a_change(manager, auth):
    from org.services import update_mediator

    update_mediator(manager, {"id_number": id_number(born="19900202", seq="33")},
                    actor="m02", scope=None)
    rows = list(AuditLog.select().where(AuditLog.table == "mediator"))
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[0].changes_dict["birth_date"] == "****-**-**"
    assert rows[1].changes_dict["birth_date"] == ["****-**-**", "****-**-**"]
    for page in trail_pages(auth.client, [r.id for r in rows]):
        assert "李四" in page
        assert_no_birth_date(page)
        assert "19900202" not in page and "1990-02-02" not in page


def test_rows_written_before_the_fix_are_masked_when_shown(manager, auth, network):
    old = audit.record("test", "create", "mediator", manager.id, "李四 (S0201)",
                       {"id_number": "370202********0012", "birth_date": "1980-01-01"},
                       org_path=network["room1"].path)
    pages = trail_pages(auth.client, [old.id])
    assert "****-**-**" in pages[-1]
    for page in pages:
        assert_no_birth_date(page)


def test_mediator_pages_and_exports(manager, auth):
    for text in (auth.client.get("/admin/mediators/").get_data(as_text=True),
                 auth.client.get(f"/admin/mediators/details/?id={manager.id}")
                 .get_data(as_text=True),
                 auth.client.get("/admin/mediators/export/csv/").get_data().decode("utf-8-sig"),
                 xlsx_text(auth.client.get("/admin/mediators/export/xlsx/").get_data())):
        assert "李四" in text
        assert_no_birth_date(text)


def test_reveal_gives_the_number_and_with_it_the_date(manager, auth):
    response = auth.post("/admin/mediators/reveal/", {"id": manager.id, "field": "id_number"})
    assert response.status_code == 200
    assert response.get_json()["value"][6:14] == "19800101"
