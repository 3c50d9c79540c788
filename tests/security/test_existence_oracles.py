"""#9: what a scoped user learns about rows outside their subtree, and 市级 awards.

Ids and codes outside the scope answer exactly like missing ones (the tree, the reveal, the
dashboard, the API: see also the scope tests of each page). A unique 身份证号 or 工号 cannot
be reused, so that it is taken cannot be hidden; the answer just never says where.
"""
from __future__ import annotations

import datetime as dt

import pytest

from network.errors import ValidationError
from tests.conftest import id_number


def award_data(**extra):
    return {"award_type": "年度优秀调解员", "level": "city", "period": "2024",
            "doc_no": "青司〔2025〕1号", "awarded_on": dt.date(2025, 1, 10), **extra}


def test_a_county_manager_cannot_save_a_city_award(network, make_mediator):
    from evaluation.awards import Award, create_award, delete_award, update_award

    mediator = make_mediator(network["room1"])
    with pytest.raises(ValidationError) as err:
        create_award(award_data(mediator=mediator), actor="m02", scope=network["shinan"])
    assert "level" in err.value.errors
    assert Award.select().count() == 0
    county = create_award(award_data(mediator=mediator, level="county"), actor="m02",
                          scope=network["shinan"])
    with pytest.raises(ValidationError):  # nor turn a county award into a city one
        update_award(county, {"level": "city"}, actor="m02", scope=network["shinan"])
    assert Award.get_by_id(county.id).level == "county"
    city = create_award(award_data(mediator=mediator, doc_no="青司〔2025〕2号"), actor="boss",
                        scope=network["city"])
    with pytest.raises(ValidationError):
        update_award(city, {"note": "改"}, actor="m02", scope=network["shinan"])
    with pytest.raises(ValidationError):
        delete_award(city, actor="m02", scope=network["shinan"])
    assert Award.select().count() == 2
    update_award(city, {"note": "市里改"}, actor="boss", scope=network["city"])


def test_the_award_form_shows_the_refusal_on_the_level(network, make_mediator, make_user,
                                                        auth):
    from evaluation.awards import Award

    mediator = make_mediator(network["room1"])
    make_user("m02", organization=network["shinan"])
    auth.login("m02")
    response = auth.post("/admin/awards/new/", {
        "award_type": "年度优秀调解员", "level": "city", "period": "2024",
        "doc_no": "南司〔2025〕1号", "awarded_on": "2025-01-10", "note": "",
        "mediator": str(mediator.id), "station": ""})
    assert response.status_code == 200
    assert "市级表彰只能由市级及以上的管理员录入或修改" in response.get_data(as_text=True)
    assert Award.select().count() == 0


def test_an_id_number_taken_elsewhere_reads_as_taken_here(network, make_mediator):
    from org.services import create_mediator

    inside = id_number(seq="41")
    outside = id_number(seq="42")
    make_mediator(network["room2"], staff_no="S0202", id_number=inside)
    make_mediator(network["room3"], staff_no="H1101", id_number=outside)
    answers = []
    for number, staff_no in ((inside, "S0301"), (outside, "S0302")):
        with pytest.raises(ValidationError) as err:
            create_mediator({"staff_no": staff_no, "name": "赵六", "gender": "M",
                             "id_number": number, "station": network["room1"],
                             "joined": dt.date(2024, 1, 1)},
                            actor="m02", scope=network["shinan"])
        answers.append({k: str(v) for k, v in err.value.errors.items()})
    assert answers[0] == answers[1] == {"id_number": "该身份证号已登记为其他调解员"}


def test_tree_reveal_and_api_answer_outside_like_missing(network, make_mediator, make_user,
                                                           auth):
    outsider = make_mediator(network["room3"], staff_no="H1101")
    make_user("m02", organization=network["shinan"])
    auth.login("m02")
    client = auth.client
    for url_of in (lambda pk: f"/admin/tree/children?id={pk}",):
        a, b = client.get(url_of(network["room3"].id)), client.get(url_of(999999))
        assert (a.status_code, a.get_json()) == (b.status_code, b.get_json())
    a = auth.post("/admin/mediators/reveal/", {"id": str(outsider.id), "field": "mobile"})
    b = auth.post("/admin/mediators/reveal/", {"id": "999999", "field": "mobile"})
    assert (a.status_code, a.get_json()) == (b.status_code, b.get_json()) == (
        404, {"error": "not_found", "message": "未找到"})
    a, b = client.get("/api/v1/stations/QD-11"), client.get("/api/v1/stations/QD-99")
    assert (a.status_code, b.status_code) == (404, 404)
    assert a.get_json()["message"].replace("QD-11", "X") == \
        b.get_json()["message"].replace("QD-99", "X")
    a = client.get("/admin/dashboard/?org=QD-11")
    b = client.get("/admin/dashboard/?org=QD-99")
    assert a.status_code == b.status_code == 404
