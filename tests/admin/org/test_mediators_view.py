import datetime as dt
import json

import pytest

from network.models import AuditLog
from org.models import Assignment, Mediator
from tests.admin.scope_checks import assert_outsider_refused, xlsx_text
from tests.conftest import id_number


@pytest.fixture
def people(network, make_mediator, make_user):
    inside = make_mediator(network["room1"], staff_no="S0201", name="李四", gender="F",
                           id_number=id_number(region="370202", born="19850315", seq="00",
                                               gender="F"),
                           mobile="13812341234")
    outside = make_mediator(network["room3"], staff_no="H1101", name="王五")
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    make_user("t02", role="trainer", organization=network["shinan"])
    return {"inside": inside, "outside": outside, **network}


def edit_form(mediator, **changes):
    data = {"staff_no": mediator.staff_no, "name": mediator.name, "gender": mediator.gender,
            "education": "", "speciality": "", "political_status": "",
            "employment": mediator.employment, "employer": "", "joined": "2022-01-01",
            "status": mediator.status, "station": str(mediator.station_id), "id_number": "",
            "mobile": "", "assignment_kind": "resident", "move_on": ""}
    data.update(changes)
    return data


def test_list_details_and_exports_mask_identifiers(people, auth):
    auth.login("m02")
    full_id = people["inside"].id_number
    # check digit by hand: weighted sum of 37020219850315002 is 242, 242 mod 11 = 0 → "1"
    assert full_id == "370202198503150021"
    pages = [auth.client.get("/admin/mediators/").get_data(as_text=True),
             auth.client.get(f"/admin/mediators/details/?id={people['inside'].id}")
             .get_data(as_text=True),
             auth.client.get("/admin/mediators/export/csv/").get_data().decode("utf-8-sig"),
             xlsx_text(auth.client.get("/admin/mediators/export/xlsx/").get_data())]
    for text in pages:
        assert "李四" in text
        assert "370202********0021" in text
        assert "138****1234" in text
        assert full_id not in text
        assert "13812341234" not in text
        assert "19850315" not in text


def test_edit_form_does_not_carry_full_identifiers(people, auth):
    auth.login("m02")
    page = auth.client.get(f"/admin/mediators/edit/?id={people['inside'].id}").get_data(
        as_text=True)
    assert "S0201" in page
    assert people["inside"].id_number not in page
    assert "13812341234" not in page
    assert "370202********0021" in page  # the description says what is stored


def test_blank_identifiers_keep_stored_values(people, auth):
    auth.login("m02")
    inside = people["inside"]
    response = auth.post(f"/admin/mediators/edit/?id={inside.id}",
                         edit_form(inside, employer="青岛银行"))
    assert response.status_code == 302
    saved = Mediator.get_by_id(inside.id)
    assert saved.employer == "青岛银行"
    assert saved.id_number == "370202198503150021"
    assert saved.mobile == "13812341234"


def test_edit_with_wrong_checksum_is_refused(people, auth):
    auth.login("m02")
    inside = people["inside"]
    response = auth.post(f"/admin/mediators/edit/?id={inside.id}",
                         edit_form(inside, id_number="370202198503150020"))
    assert response.status_code == 200
    assert "身份证号校验位错误" in response.get_data(as_text=True)
    assert Mediator.get_by_id(inside.id).id_number == "370202198503150021"


def test_create_through_the_form(people, auth):
    auth.login("m02")
    number = id_number(region="370202", born="19900101", seq="33", gender="M")
    data = edit_form(people["inside"], staff_no="S0299", name="赵六", gender="M",
                     id_number=number, mobile="139 0000 1111",
                     station=str(people["room2"].id), assignment_kind="rotating")
    response = auth.post("/admin/mediators/new/", data)
    assert response.status_code == 302
    created = Mediator.get(Mediator.staff_no == "S0299")
    assert created.station_id == people["room2"].id
    assert created.mobile == "13900001111"
    assert [(a.kind, a.is_primary) for a in created.assignments] == [("rotating", True)]


def test_create_in_outside_station_is_refused(people, auth):
    auth.login("m02")
    data = edit_form(people["inside"], staff_no="S0300", name="钱七",
                     id_number=id_number(seq="44"), station=str(people["room3"].id))
    response = auth.post("/admin/mediators/new/", data)
    assert response.status_code == 200
    assert not Mediator.select().where(Mediator.staff_no == "S0300").exists()


def test_move_keeps_old_assignment_as_history(people, auth):
    auth.login("m02")
    inside = people["inside"]
    response = auth.post(f"/admin/mediators/edit/?id={inside.id}",
                         edit_form(inside, station=str(people["room2"].id),
                                   assignment_kind="on_call", move_on="2024-03-01"))
    assert response.status_code == 302
    rows = list(Assignment.select().where(Assignment.mediator == inside.id)
                .order_by(Assignment.start))
    assert [(r.station_id, r.kind, r.start, r.end) for r in rows] == [
        (people["room1"].id, "resident", dt.date(2022, 1, 1), dt.date(2024, 2, 29)),
        (people["room2"].id, "on_call", dt.date(2024, 3, 1), None),
    ]
    details = auth.client.get(f"/admin/mediators/details/?id={inside.id}").get_data(as_text=True)
    assert "2024-02-29" in details and "随叫随到" in details


def test_reveal_is_audited_one_field_at_a_time(people, auth):
    auth.login("m02")
    details = auth.client.get(f"/admin/mediators/details/?id={people['inside'].id}")
    assert "reveal-btn" in details.get_data(as_text=True)
    response = auth.post("/admin/mediators/reveal/",
                         {"id": str(people["inside"].id), "field": "id_number"})
    assert response.status_code == 200
    assert response.get_json()["value"] == "370202198503150021"
    log = AuditLog.get(AuditLog.action == "reveal")
    assert (log.actor, log.object_id, json.loads(log.changes)) == (
        "m02", str(people["inside"].id), {"field": "id_number"})


def test_reveal_refused_out_of_scope_without_csrf_and_for_bad_field(people, auth):
    auth.login("m02")
    response = auth.post("/admin/mediators/reveal/",
                         {"id": str(people["outside"].id), "field": "mobile"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    response = auth.client.post("/admin/mediators/reveal/",
                                data={"id": str(people["inside"].id), "field": "mobile"})
    assert response.status_code == 400
    response = auth.post("/admin/mediators/reveal/",
                         {"id": str(people["inside"].id), "field": "name"})
    assert response.status_code == 400
    assert not AuditLog.select().where(AuditLog.action == "reveal").exists()


def test_trainer_reads_but_cannot_reveal_or_edit(people, auth):
    auth.login("t02")
    assert "李四" in auth.client.get("/admin/mediators/").get_data(as_text=True)
    details = auth.client.get(f"/admin/mediators/details/?id={people['inside'].id}")
    assert details.status_code == 200
    assert "reveal-btn" not in details.get_data(as_text=True)
    response = auth.post("/admin/mediators/reveal/",
                         {"id": str(people["inside"].id), "field": "id_number"})
    assert response.status_code == 403
    response = auth.post(f"/admin/mediators/edit/?id={people['inside'].id}",
                         edit_form(people["inside"], name="改名"))
    assert Mediator.get_by_id(people["inside"].id).name == "李四"
    assert not AuditLog.select().where(AuditLog.action == "reveal").exists()


def test_mediator_role_cannot_open_the_view(people, auth, make_user):
    make_user("med", role="mediator", mediator=people["inside"])
    auth.login("med")
    assert auth.client.get("/admin/mediators/").status_code == 403


def test_scoped_manager_cannot_reach_outsider(people, auth):
    auth.login("m02")
    outside = people["outside"]
    assert_outsider_refused(auth, "mediators", outside.id, "H1101",
                            edit_data=edit_form(outside, name="篡改"),
                            lookups=[("station", "QD-11", "QD-11")])
    kept = Mediator.get_by_id(outside.id)
    assert (kept.name, kept.station_id) == ("王五", people["room3"].id)
    # The look-up itself works inside the scope.
    found = auth.client.get("/admin/mediators/ajax/lookup/?name=station&query=QD-02").get_json()
    assert sorted(label for _pk, label in found) == [
        "中山路工作室 (QD-02-01)", "八大峡工作室 (QD-02-02)", "市南区工作站 (QD-02)"]


def test_filter_by_subtree_and_employment(people, auth, make_mediator):
    make_mediator(people["room2"], staff_no="S0202", name="孙八", employment="full")
    auth.login("root")
    text = auth.client.get("/admin/mediators/?flt0_0=QD-02-02").get_data(as_text=True)
    assert "S0202" in text and "S0201" not in text and "H1101" not in text
    text = auth.client.get("/admin/mediators/?flt1_1=full").get_data(as_text=True)
    assert "S0202" in text and "S0201" not in text


def test_delete_refused_with_history_allowed_for_new_entry(people, auth, make_mediator):
    auth.login("m02")
    response = auth.post("/admin/mediators/delete/", {"id": str(people["inside"].id)},
                         follow_redirects=True)
    assert "已有任职历史或登录账号" in response.get_data(as_text=True)
    assert Mediator.select().where(Mediator.id == people["inside"].id).exists()
    fresh = make_mediator(people["room2"], staff_no="S0203", joined=None)
    response = auth.post("/admin/mediators/delete/", {"id": str(fresh.id)})
    assert response.status_code == 302
    assert not Mediator.select().where(Mediator.id == fresh.id).exists()
    log = AuditLog.get((AuditLog.action == "delete") & (AuditLog.table == "mediator"))
    assert log.actor == "m02" and "S0203" in log.object_repr


def test_list_query_count_does_not_grow_with_rows(people, auth, make_mediator):
    from playhouse.test_utils import count_queries

    auth.login("root")

    def list_queries():
        with count_queries() as counter:
            assert auth.client.get("/admin/mediators/").status_code == 200
        return counter.count

    before = list_queries()
    for n in range(3):
        make_mediator(people["room2"], staff_no=f"N{n}")
    assert list_queries() == before
