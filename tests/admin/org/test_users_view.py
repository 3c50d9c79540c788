import datetime as dt

import pytest

from network.models import AuditLog
from org.models import User
from tests.admin.scope_checks import assert_outsider_refused


@pytest.fixture
def accounts(network, make_user, make_mediator):
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    make_user("t02", role="trainer", organization=network["room1"])
    make_user("t11", role="trainer", organization=network["room3"])
    inside = make_mediator(network["room2"], staff_no="S0201", name="李四")
    outside = make_mediator(network["room3"], staff_no="H1101", name="王五")
    return {**network, "inside": inside, "outside": outside}


def user_form(**values):
    data = {"username": "", "display_name": "", "role": "trainer", "organization": "",
            "mediator": "", "active": "y", "password": ""}
    data.update(values)
    return data


def test_list_shows_subtree_accounts_and_never_hashes(accounts, auth):
    auth.login("m02")
    text = auth.client.get("/admin/users/").get_data(as_text=True)
    assert "t02" in text and "m02" in text
    assert "t11" not in text and "root" not in text
    hashed = User.get(User.username == "t02").password_hash
    details = auth.client.get(f"/admin/users/details/?id={User.get(User.username == 't02').id}")
    export = auth.client.get("/admin/users/export/csv/").get_data().decode("utf-8-sig")
    for body in (text, details.get_data(as_text=True), export):
        assert hashed not in body
        assert "scrypt:" not in body and "pbkdf2:" not in body
    assert "培训管理员" in export


def test_trainer_cannot_open_accounts(accounts, auth):
    auth.login("t02")
    assert auth.client.get("/admin/users/").status_code == 403


def test_manager_creates_trainer_inside_subtree(accounts, auth):
    auth.login("m02")
    response = auth.post("/admin/users/new/", user_form(
        username="t0202", role="trainer", organization=str(accounts["room2"].id),
        password="Secret123"))
    assert response.status_code == 302
    created = User.get(User.username == "t0202")
    assert (created.role, created.organization_id) == ("trainer", accounts["room2"].id)
    log = AuditLog.get((AuditLog.table == "user") & (AuditLog.object_id == str(created.id)))
    assert log.actor == "m02"


def test_manager_cannot_create_admin(accounts, auth):
    auth.login("m02")
    page = auth.client.get("/admin/users/new/").get_data(as_text=True)
    assert 'value="admin"' not in page and 'value="manager"' in page
    response = auth.post("/admin/users/new/", user_form(
        username="boss", role="admin", organization=str(accounts["shinan"].id),
        password="Secret123"))
    assert response.status_code == 200
    assert not User.select().where(User.username == "boss").exists()


def test_manager_cannot_create_user_outside_subtree(accounts, auth):
    auth.login("m02")
    response = auth.post("/admin/users/new/", user_form(
        username="spy", role="trainer", organization=str(accounts["room3"].id),
        password="Secret123"))
    assert response.status_code == 200
    assert not User.select().where(User.username == "spy").exists()
    response = auth.post("/admin/users/new/", user_form(
        username="spy2", role="mediator", mediator=str(accounts["outside"].id),
        password="Secret123"))
    assert response.status_code == 200
    assert not User.select().where(User.username == "spy2").exists()


def test_manager_cannot_promote_to_admin_by_edit(accounts, auth):
    auth.login("m02")
    t02 = User.get(User.username == "t02")
    response = auth.post(f"/admin/users/edit/?id={t02.id}", user_form(
        username="t02", role="admin", organization=str(accounts["room1"].id)))
    assert response.status_code == 200
    assert User.get_by_id(t02.id).role == "trainer"


def test_blank_password_is_unchanged_and_new_one_is_hashed(accounts, auth):
    auth.login("m02")
    t02 = User.get(User.username == "t02")
    old_hash = t02.password_hash
    response = auth.post(f"/admin/users/edit/?id={t02.id}", user_form(
        username="t02", display_name="培训甲", role="trainer",
        organization=str(accounts["room1"].id)))
    assert response.status_code == 302
    saved = User.get_by_id(t02.id)
    assert (saved.display_name, saved.password_hash) == ("培训甲", old_hash)
    auth.post(f"/admin/users/edit/?id={t02.id}", user_form(
        username="t02", role="trainer", organization=str(accounts["room1"].id),
        password="NewSecret9"))
    saved = User.get_by_id(t02.id)
    assert saved.password_hash != old_hash and "NewSecret9" not in saved.password_hash


def test_mediator_account_follows_mediator_station(accounts, auth):
    auth.login("m02")
    response = auth.post("/admin/users/new/", user_form(
        username="lisi", role="mediator", mediator=str(accounts["inside"].id),
        password="Secret123"))
    assert response.status_code == 302
    assert User.get(User.username == "lisi").organization_id == accounts["room2"].id


def test_unlock_action_clears_lock_and_is_audited(accounts, auth):
    t02 = User.get(User.username == "t02")
    t02.locked_until = dt.datetime(2030, 1, 1, 12, 0)
    t02.failed_logins = 3
    t02.save()
    auth.login("m02")
    response = auth.post("/admin/users/action/", {"action": "unlock", "rowid": str(t02.id)})
    assert response.status_code == 302
    saved = User.get_by_id(t02.id)
    assert (saved.locked_until, saved.failed_logins) == (None, 0)
    assert AuditLog.get(AuditLog.action == "unlock").actor == "m02"


def test_scoped_manager_cannot_reach_outside_account(accounts, auth):
    outsider = User.get(User.username == "t11")
    outsider.locked_until = dt.datetime(2030, 1, 1)
    outsider.save()
    auth.login("m02")
    assert_outsider_refused(
        auth, "users", outsider.id, "t11",
        edit_data=user_form(username="t11", display_name="篡改", role="trainer",
                            organization=str(accounts["room1"].id), password="Hacked123"),
        lookups=[("organization", "QD-11", "QD-11"), ("mediator", "H1101", "H1101")])
    response = auth.post("/admin/users/action/", {"action": "unlock", "rowid": str(outsider.id)})
    assert response.status_code == 302
    kept = User.get_by_id(outsider.id)
    assert (kept.display_name, kept.organization_id, kept.locked_until) == (
        "", accounts["room3"].id, dt.datetime(2030, 1, 1))
    assert kept.password_hash == outsider.password_hash
    found = auth.client.get("/admin/users/ajax/lookup/?name=mediator&query=S02").get_json()
    assert [label for _pk, label in found] == ["李四 (S0201)"]


def test_list_query_count_does_not_grow_with_rows(accounts, auth, make_user):
    from playhouse.test_utils import count_queries

    auth.login("root")

    def list_queries():
        with count_queries() as counter:
            assert auth.client.get("/admin/users/").status_code == 200
        return counter.count

    before = list_queries()
    for n in range(3):
        make_user(f"extra{n}", role="trainer", organization=accounts["room2"])
    assert list_queries() == before
