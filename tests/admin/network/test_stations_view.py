"""Log-in, and the stations view: jurisdiction on every path, roles, and the admin's changes.

The manager of 市南区 (QD-02) must never read or change 黄岛区 (QD-11) or its room QD-11-01,
whichever door they try: list, details/edit by id, delete, bulk actions, export, look-ups,
and the parent of a new station.
"""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import openpyxl
import pytest

from network.models import CLOSED, AuditLog, Organization, OrgKind
from network.tree import subtree
from org.models import User

BASE = "/admin/stations"
OUTSIDE_NAMES = ("黄岛区工作站", "黄岛工作室")


@pytest.fixture
def manager(network, make_user, auth):
    make_user("mgr2", "manager", organization="QD-02")
    auth.login("mgr2")
    return network


@pytest.fixture
def admin(network, make_user, auth):
    make_user("boss", "admin")
    auth.login("boss")
    return network


def page(response) -> str:
    return response.get_data(as_text=True)


def assert_nothing_of_huangdao(text: str) -> None:
    for name in OUTSIDE_NAMES:
        assert name not in text
    assert "QD-11" not in text


def fresh(org: Organization) -> Organization:
    return Organization.get_by_id(org.id)


def form_of(org: Organization, **changes) -> dict:
    """The edit form as the browser would post it, with `changes` applied."""
    data = {"code": org.code, "name": org.name, "level": str(org.level),
            "parent": str(org.parent_id or ""), "kind": str(org.kind_id),
            "division_code": org.division_code or "", "address": org.address or "",
            "phone": org.phone or "", "founded": "", "longitude": "", "latitude": "",
            "status": org.status}
    data.update({k: str(v) for k, v in changes.items()})
    return data


def new_form(code: str, name: str, level: int, parent: Organization | None, kind: str) -> dict:
    return {"code": code, "name": name, "level": str(level),
            "parent": str(parent.id) if parent else "",
            "kind": str(OrgKind.get(OrgKind.name == kind).id), "division_code": "",
            "address": "", "phone": "", "founded": "", "longitude": "", "latitude": "",
            "status": "active"}


# --- log-in -----------------------------------------------------------------------------------

def test_wrong_password_message(client, auth, make_user, database):
    make_user("alice", "admin")
    response = auth.login("alice", "wrong-password")
    assert response.status_code == 400
    assert "用户名或密码错误" in page(response)
    assert client.get("/admin/stations/").status_code == 302  # still logged out
    # An unknown user gets the very same message.
    assert "用户名或密码错误" in page(auth.login("nobody", "wrong-password"))


def test_five_failures_lock_even_the_right_password(client, auth, make_user, database):
    from tests.conftest import PASSWORD

    make_user("alice", "admin")
    for _ in range(4):
        assert "用户名或密码错误" in page(auth.login("alice", "wrong-password"))
    assert "账号已锁定" in page(auth.login("alice", "wrong-password"))
    response = auth.login("alice", PASSWORD)
    assert "账号已锁定" in page(response)
    assert client.get("/admin/stations/").status_code == 302
    assert User.get(User.username == "alice").locked_until is not None


def test_login_without_csrf_token_is_refused(client, make_user, database):
    from tests.conftest import PASSWORD

    make_user("alice", "admin")
    response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in page(response)
    assert client.get("/admin/stations/").status_code == 302


def test_right_password_logs_in(client, auth, make_user, database):
    make_user("alice", "admin")
    assert auth.login("alice").status_code == 302
    assert client.get("/admin/stations/").status_code == 200


# --- a county manager and 黄岛区 -----------------------------------------------------------------

def test_list_shows_only_own_subtree(client, manager):
    text = page(client.get(f"{BASE}/"))
    for code in ("QD-02", "QD-02-01", "QD-02-02"):
        assert code in text
    assert_nothing_of_huangdao(text)


def test_list_search_does_not_reach_outside(client, manager):
    text = page(client.get(f"{BASE}/?search=黄岛"))
    assert_nothing_of_huangdao(text)


@pytest.mark.parametrize("view", ["details", "edit"])
def test_details_and_edit_by_id_outside_scope_show_nothing(client, manager, view):
    for key in ("huangdao", "room3"):
        response = client.get(f"{BASE}/{view}/?id={manager[key].id}", follow_redirects=True)
        assert response.status_code == 200
        assert_nothing_of_huangdao(page(response))


def test_details_inside_scope_work(client, manager):
    text = page(client.get(f"{BASE}/details/?id={manager['room1'].id}"))
    assert "中山路工作室" in text and "QD-02-01" in text


def test_edit_post_outside_scope_changes_nothing(client, auth, manager):
    room3 = manager["room3"]
    auth.post(f"{BASE}/edit/?id={room3.id}", form_of(room3, name="被改了"))
    auth.post(f"{BASE}/edit/?id={manager['huangdao'].id}",
              form_of(manager["huangdao"], name="被改了"))
    assert fresh(room3).name == "黄岛工作室"
    assert fresh(manager["huangdao"]).name == "黄岛区工作站"
    assert not AuditLog.select().where(AuditLog.table == "organization",
                                       AuditLog.actor == "mgr2").exists()


def test_delete_post_outside_scope_refused(client, auth, manager):
    for key in ("room3", "huangdao"):
        auth.post(f"{BASE}/delete/", {"id": manager[key].id})
        assert Organization.get_or_none(Organization.id == manager[key].id) is not None


def test_bulk_delete_outside_scope_changes_nothing(client, auth, manager):
    room3, room2 = manager["room3"], manager["room2"]
    auth.post(f"{BASE}/action/", {"action": "delete", "rowid": [room3.id, room2.id]})
    assert Organization.get_or_none(Organization.id == room3.id) is not None
    # The one inside the scope went (it has nothing attached): the action itself works.
    assert Organization.get_or_none(Organization.id == room2.id) is None


def test_bulk_close_outside_scope_changes_nothing(client, auth, manager):
    room3, room1 = manager["room3"], manager["room1"]
    auth.post(f"{BASE}/action/", {"action": "close", "rowid": [room3.id, room1.id]})
    assert fresh(room3).status == "active"
    assert fresh(room1).status == CLOSED


def test_csv_export_is_scoped_with_bom_and_chinese_filename(client, manager):
    response = client.get(f"{BASE}/export/csv/")
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "机构编码"
    assert sorted(r[0] for r in rows[1:]) == ["QD-02", "QD-02-01", "QD-02-02"]
    assert_nothing_of_huangdao(raw.decode("utf-8-sig"))
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('机构')}_" in disposition
    assert disposition.endswith(".csv")


def test_xlsx_export_is_scoped(client, manager):
    response = client.get(f"{BASE}/export/xlsx/")
    assert response.status_code == 200
    assert f"filename*=UTF-8''{quote('机构')}_" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "机构编码"
    assert sorted(r[0] for r in rows[1:]) == ["QD-02", "QD-02-01", "QD-02-02"]


def test_parent_lookup_excludes_outsiders(client, manager):
    def lookup(query: str) -> set[int]:
        response = client.get(f"{BASE}/ajax/lookup/?name=parent&query={quote(query)}")
        assert response.status_code == 200
        return {row[0] for row in json.loads(page(response))}

    ids = {o: manager[o].id for o in manager}
    assert lookup("QD") == {ids["shinan"], ids["room1"], ids["room2"]}
    assert lookup("黄岛") == set()
    assert lookup("QD-11") == set()


def test_create_under_outside_parent_is_a_field_error(client, auth, manager):
    form = new_form("QD-11-09", "越权工作室", 3, manager["huangdao"], "调解工作室")
    response = auth.post(f"{BASE}/new/", form)
    assert response.status_code == 200
    text = page(response)
    assert "is-invalid" in text and "超出您的管辖范围" in text  # on the parent field
    assert not Organization.select().where(Organization.code == "QD-11-09").exists()


def test_create_inside_scope_works(client, auth, manager):
    form = new_form("QD-02-09", "新工作室", 3, manager["shinan"], "调解工作室")
    response = auth.post(f"{BASE}/new/", form)
    assert response.status_code == 302, page(response)
    org = Organization.get(Organization.code == "QD-02-09")
    assert org.parent_id == manager["shinan"].id
    assert org.path == manager["shinan"].path + f"{org.id}/"


def test_manager_edits_own_county_keeping_its_parent(client, auth, manager):
    """The county's parent (the city) is outside the manager's scope but unchanged: allowed."""
    shinan = manager["shinan"]
    response = auth.post(f"{BASE}/edit/?id={shinan.id}", form_of(shinan, phone="0532-1234567"))
    assert response.status_code == 302, page(response)
    saved = fresh(shinan)
    assert (saved.phone, saved.parent_id) == ("0532-1234567", manager["city"].id)


def test_manager_cannot_move_a_room_out_of_scope(client, auth, manager):
    room1 = manager["room1"]
    response = auth.post(f"{BASE}/edit/?id={room1.id}", form_of(room1, parent=manager["huangdao"].id))
    assert response.status_code == 200
    assert "超出您的管辖范围" in page(response)
    assert fresh(room1).parent_id == manager["shinan"].id


def test_kinds_view_is_forbidden_to_managers(client, manager):
    assert client.get("/admin/kinds/").status_code == 403
    assert client.get("/admin/kinds/new/").status_code == 403


# --- trainers read, never write ---------------------------------------------------------------

@pytest.fixture
def trainer(network, make_user, auth):
    make_user("coach", "trainer", organization="QD-02")
    auth.login("coach")
    return network


def test_trainer_reads_own_subtree(client, trainer):
    text = page(client.get(f"{BASE}/"))
    assert "QD-02-01" in text
    assert_nothing_of_huangdao(text)
    assert f"{BASE}/new/" not in text
    assert f"{BASE}/edit/" not in text


def test_trainer_cannot_create_edit_delete_or_close(client, auth, trainer):
    room1, room2 = trainer["room1"], trainer["room2"]
    auth.post(f"{BASE}/new/", new_form("QD-02-09", "新工作室", 3, trainer["shinan"], "调解工作室"))
    assert not Organization.select().where(Organization.code == "QD-02-09").exists()
    auth.post(f"{BASE}/edit/?id={room1.id}", form_of(room1, name="被改了"))
    assert fresh(room1).name == "中山路工作室"
    auth.post(f"{BASE}/delete/", {"id": room2.id})
    auth.post(f"{BASE}/action/", {"action": "delete", "rowid": [room2.id]})
    assert Organization.get_or_none(Organization.id == room2.id) is not None
    auth.post(f"{BASE}/action/", {"action": "close", "rowid": [room1.id, room2.id]})
    assert fresh(room1).status == "active" and fresh(room2).status == "active"
    assert not AuditLog.select().where(AuditLog.table == "organization",
                                       AuditLog.actor == "coach").exists()


def test_mediator_accounts_cannot_open_stations(client, auth, network, make_user,
                                                make_mediator):
    make_mediator(network["room1"], staff_no="S001")
    make_user("med1", "mediator", mediator="S001")
    auth.login("med1")
    assert client.get(f"{BASE}/").status_code == 403


# --- an administrator's changes, audited --------------------------------------------------------

def last_audit(action: str) -> AuditLog:
    return (AuditLog.select().where(AuditLog.action == action)
            .order_by(AuditLog.id.desc()).first())


def test_admin_creates_a_station(client, auth, admin):
    response = auth.post(f"{BASE}/new/", new_form("QD-11-02", "灵山卫工作室", 3,
                                                  admin["huangdao"], "驻法院工作室"))
    assert response.status_code == 302, page(response)
    org = Organization.get(Organization.code == "QD-11-02")
    assert org.kind.name == "驻法院工作室" and org.parent_id == admin["huangdao"].id
    entry = last_audit("create")
    assert entry.actor == "boss" and entry.object_id == str(org.id)
    assert entry.changes_dict["name"] == "灵山卫工作室"
    assert entry.org_path == org.path


def test_county_under_county_is_a_field_error(client, auth, admin):
    form = new_form("QD-99", "错层工作站", 2, admin["shinan"], "调解工作站")
    response = auth.post(f"{BASE}/new/", form)
    assert response.status_code == 200
    assert "县级机构的上级必须是市级机构，「市南区工作站」是县级" in page(response)
    assert not Organization.select().where(Organization.code == "QD-99").exists()


def test_admin_renames_a_station(client, auth, admin):
    room1 = admin["room1"]
    response = auth.post(f"{BASE}/edit/?id={room1.id}", form_of(room1, name="中山路社区工作室"))
    assert response.status_code == 302, page(response)
    assert fresh(room1).name == "中山路社区工作室"
    entry = last_audit("update")
    assert entry.actor == "boss" and entry.object_id == str(room1.id)
    assert entry.changes_dict == {"name": ["中山路工作室", "中山路社区工作室"]}


def test_admin_moves_a_county_and_its_rooms_follow(client, auth, admin, make_org):
    other = make_org("YT", name="烟台市中心")
    shinan = admin["shinan"]
    response = auth.post(f"{BASE}/edit/?id={shinan.id}", form_of(shinan, parent=other.id))
    assert response.status_code == 302, page(response)
    assert fresh(shinan).parent_id == other.id
    assert sorted(o.code for o in subtree(fresh(other))) == ["QD-02", "QD-02-01", "QD-02-02",
                                                             "YT"]
    assert sorted(o.code for o in subtree(fresh(admin["city"]))) == ["QD", "QD-11", "QD-11-01"]
    assert fresh(admin["room1"]).path == f"/{other.id}/{shinan.id}/{admin['room1'].id}/"
    entry = last_audit("move")
    assert entry.changes_dict == {"parent": ["青岛市中心 (QD)", "烟台市中心 (YT)"]}


def test_admin_cannot_move_a_station_below_itself(client, auth, admin):
    city = admin["city"]
    response = auth.post(f"{BASE}/edit/?id={city.id}", form_of(city, parent=admin["room1"].id))
    assert response.status_code == 200
    assert fresh(city).parent_id is None


def test_admin_closes_a_station(client, auth, admin):
    room3 = admin["room3"]
    response = auth.post(f"{BASE}/action/", {"action": "close", "rowid": [room3.id]},
                         follow_redirects=True)
    assert "已撤销1个机构" in page(response)
    assert fresh(room3).status == CLOSED
    assert last_audit("close").changes_dict == {"status": ["active", "closed"]}


def test_closing_a_county_with_open_rooms_is_refused(client, auth, admin):
    response = auth.post(f"{BASE}/action/", {"action": "close", "rowid": [admin["huangdao"].id]},
                         follow_redirects=True)
    assert "还有未撤销的下级机构" in page(response)
    assert fresh(admin["huangdao"]).status == "active"


def test_delete_with_children_is_refused_with_close_advice(client, auth, admin):
    shinan = admin["shinan"]
    response = auth.post(f"{BASE}/delete/", {"id": shinan.id}, follow_redirects=True)
    assert "不能删除；请改为撤销" in page(response)
    assert Organization.get_or_none(Organization.id == shinan.id) is not None
    assert not AuditLog.select().where(AuditLog.action == "delete").exists()


def test_delete_of_a_mistaken_entry_is_audited(client, auth, admin):
    room3 = admin["room3"]
    auth.post(f"{BASE}/delete/", {"id": room3.id})
    assert Organization.get_or_none(Organization.id == room3.id) is None
    entry = last_audit("delete")
    assert entry.actor == "boss" and entry.changes_dict["code"] == "QD-11-01"


# --- nothing typed into a URL answers 500 -------------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize("query", [
    "flt0_0=abc", f"flt0_0={HUGE}", "flt0_1=nope", "flt0_2=abc", f"flt0_2={HUGE}",
    "flt0_3=%00", "page=-1", f"page={HUGE}", "search=%00", "search=%E9%BB%84%00",
])
def test_odd_list_arguments_do_not_fail(client, manager, query):
    response = client.get(f"{BASE}/?{query}")
    assert response.status_code == 200
    assert_nothing_of_huangdao(page(response))
    assert client.get(f"{BASE}/export/csv/?{query}").status_code == 200


def exported_codes(client, query: str) -> list[str]:
    raw = client.get(f"{BASE}/export/csv/?{query}").get_data().decode("utf-8-sig")
    return sorted(row[0] for row in list(csv.reader(io.StringIO(raw)))[1:])


def test_valid_filters_still_filter(client, manager):
    # flt0_0 is the level filter (3 = 社区级); flt0_3 the subtree filter by code.
    assert exported_codes(client, "flt0_0=3") == ["QD-02-01", "QD-02-02"]
    assert exported_codes(client, "flt0_0=2") == ["QD-02"]
    assert exported_codes(client, "flt0_3=QD-02-01") == ["QD-02-01"]
    assert exported_codes(client, "flt0_3=QD-11") == []
    assert exported_codes(client, "flt0_0=abc") == ["QD-02", "QD-02-01", "QD-02-02"]


@pytest.mark.parametrize("ident", ["abc", "%00", "-3", HUGE])
def test_odd_ids_do_not_fail(client, auth, manager, ident):
    for view in ("details", "edit"):
        assert client.get(f"{BASE}/{view}/?id={ident}").status_code == 302
    assert auth.post(f"{BASE}/delete/", {"id": ident}).status_code == 302
    for name in ("delete", "close"):
        assert auth.post(f"{BASE}/action/", {"action": name, "rowid": [ident]}).status_code == 302
    assert Organization.select().count() == 6


def test_odd_lookup_terms_do_not_fail(client, manager):
    response = client.get(f"{BASE}/ajax/lookup/?name=parent&query=%00")
    assert response.status_code == 200
    assert {row[0] for row in json.loads(page(response))} <= {
        manager["shinan"].id, manager["room1"].id, manager["room2"].id}


@pytest.mark.parametrize("field, value", [
    ("kind", HUGE), ("parent", HUGE), ("level", HUGE), ("longitude", "1e400"),
    ("name", "黄\x00岛"), ("code", "QD\x0090"),
])
def test_odd_form_values_do_not_fail(client, auth, admin, field, value):
    form = new_form("QD-90", "新工作站", 2, admin["city"], "调解工作站")
    form[field] = value
    response = auth.post(f"{BASE}/new/", form)
    assert response.status_code in (200, 302)
    created = Organization.get_or_none(Organization.code == "QD-90")
    if created is not None:  # only a NUL inside the name is dropped rather than refused
        assert field == "name" and created.name == "黄岛"


def test_kind_sort_order_out_of_range_is_a_field_error(client, auth, admin):
    response = auth.post("/admin/kinds/new/", {"name": "新类型", "sort_order": "99999999999"})
    assert response.status_code == 200
    assert "排序应为-1000000到1000000之间的整数" in page(response)
    assert not OrgKind.select().where(OrgKind.name == "新类型").exists()
    auth.post("/admin/kinds/new/", {"name": "新\x00类型", "sort_order": "3"})
    assert OrgKind.get(OrgKind.name == "新类型").sort_order == 3
