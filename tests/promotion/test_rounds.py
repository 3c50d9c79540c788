"""Promotion rounds: the frozen snapshot, every transition of the review chain and each
refusal (wrong level, out of scope, own application, after the deadline, objection pending),
公示 in working days with objections, and taking effect on the effective date.

Dates: reference date and opening 2025-07-01, deadline 2025-07-15, effective 2025-09-01,
notice 5 working days after the day it is published (July 2025 has no holiday: Mon–Fri are
the working days).
"""
from __future__ import annotations

import datetime as dt

import pytest

from network.audit import AuditLog
from network.errors import DomainError, OutOfScope, ValidationError
from org.grades import change_grade, history, standing, update_step
from promotion.models import (
    APPROVED,
    CITY_DECISION,
    COUNTY_REVIEW,
    DRAFT,
    EFFECTIVE,
    NOTICE,
    OBJECTION,
    REJECTED,
    STATION_REVIEW,
    Application,
    Review,
    Snapshot,
)
from promotion.rounds import (
    TRANSITIONS,
    Actor,
    act,
    allowed,
    answer_objection,
    apply,
    close_notices,
    file_objection,
    notice_until,
    open_round,
    take_effect,
)

d = dt.date
OPENED = d(2025, 7, 1)
ROUND = {"name": "2025年度晋升", "reference_date": "2025-07-01", "deadline": "2025-07-15",
         "effective_date": "2025-09-01", "notice_days": 5, "doc_no": "青司〔2025〕30号"}


@pytest.fixture
def world(network, make_mediator, make_case, grade_ladder, training_ref):
    """Thresholds lowered (the ladder is data) so that one successful case makes a mediator
    of 四级 or 三级 eligible; 未定级 needs nothing but six months since joining."""
    for grade in ("4", "3"):
        update_step(grade_ladder[grade], {"closed_cases": 1, "success_rate": "0.5",
                                          "training_hours": 0}, actor="admin")
    update_step(grade_ladder["none"], {"closed_cases": 0, "training_hours": 0}, actor="admin")
    room1 = network["room1"]
    four = make_mediator(room1, staff_no="R004", joined=d(2020, 1, 1))
    three = make_mediator(room1, staff_no="R003", joined=d(2020, 1, 1))
    weak = make_mediator(room1, staff_no="R009", joined=d(2020, 1, 1))
    top = make_mediator(network["room3"], staff_no="R001", joined=d(2020, 1, 1))
    change_grade(four, "4", "2024-01-01", "initial", actor="hr", scope=None)
    change_grade(three, "3", "2022-01-01", "initial", actor="hr", scope=None)
    change_grade(weak, "4", "2024-01-01", "initial", actor="hr", scope=None)
    change_grade(top, "1", "2020-01-01", "initial", actor="hr", scope=None)
    case4 = make_case(room1, four, d(2024, 9, 1), d(2024, 9, 5), "调解成功")
    make_case(room1, three, d(2024, 9, 1), d(2024, 9, 5), "调解成功")
    make_case(room1, weak, d(2024, 9, 1), d(2024, 9, 5), "调解不成功")
    return {
        **network, "four": four, "three": three, "weak": weak, "top": top, "case4": case4,
        "me4": Actor("r004", network["room1"], four.id),
        "me3": Actor("r003", network["room1"], three.id),
        "station": Actor("room1", network["room1"]),
        "county": Actor("shinan", network["shinan"]),
        "city": Actor("city", network["city"]),
        "other_county": Actor("huangdao", network["huangdao"]),
    }


@pytest.fixture
def round_(world):
    return open_round(ROUND, actor=world["city"], on=OPENED)


def to_notice(world, round_, who="three"):
    """Apply and pass every review up to 公示 (three: city decides; four: county decides)."""
    app = apply(round_, world[who], actor=world["me4" if who == "four" else "me3"],
                on=d(2025, 7, 2))
    act(app, "submit", actor=world["me4" if who == "four" else "me3"], on=d(2025, 7, 2))
    act(app, "pass", actor=world["station"], comment="材料齐全", on=d(2025, 7, 3))
    if app.decided_by == "city":
        act(app, "pass", actor=world["county"], comment="同意", on=d(2025, 7, 10))
        act(app, "approve", actor=world["city"], comment="同意晋升", on=d(2025, 7, 16))
    else:
        act(app, "approve", actor=world["county"], comment="同意晋升", on=d(2025, 7, 16))
    return Application.get_by_id(app.id)


# --- opening and the snapshot ------------------------------------------------------------------

def test_open_round_freezes_every_mediator_with_evidence(world, round_, make_case):
    snaps = {s.mediator.staff_no: s for s in Snapshot.select().where(Snapshot.round == round_)}
    assert set(snaps) == {"R004", "R003", "R009", "R001"}
    assert {no: (s.grade, s.next_grade, s.eligible) for no, s in snaps.items()} == {
        "R004": ("4", "3", True), "R003": ("3", "2", True), "R009": ("4", "3", False),
        "R001": ("1", None, False)}
    four = snaps["R004"]
    assert four.evidence == {"cases": [world["case4"].id], "attendance": [], "complaints": []}
    assert [c["key"] for c in four.criteria] == ["months_at_grade", "closed_cases",
                                                 "success_rate", "training_hours",
                                                 "no_upheld_complaint"]
    assert four.criteria[2] == {"key": "success_rate", "required": "0.5000",
                                "actual": "1.0000", "met": True}
    # a later edit of the ledger changes nothing in the round
    make_case(world["room1"], world["weak"], d(2024, 10, 1), d(2024, 10, 2), "调解成功")
    make_case(world["room1"], world["weak"], d(2024, 10, 1), d(2024, 10, 3), "调解成功")
    weak = Snapshot.get((Snapshot.round == round_) & (Snapshot.mediator == world["weak"]))
    assert weak.eligible is False and weak.criteria[1]["actual"] == 1
    with pytest.raises(DomainError, match="未达到晋升条件"):
        apply(round_, world["weak"], actor=Actor("r009", None, world["weak"].id),
              on=d(2025, 7, 2))
    log = AuditLog.get(AuditLog.table == "promotion_round")
    assert (log.changes_dict["mediators"], log.changes_dict["eligible"]) == (4, 2)


def test_open_round_refusals(world):
    with pytest.raises(DomainError, match="市级"):
        open_round(ROUND, actor=world["county"], on=OPENED)
    with pytest.raises(ValidationError) as exc:
        open_round({**ROUND, "deadline": "2025-06-30", "notice_days": 0, "name": ""},
                   actor=world["city"], on=OPENED)
    assert set(exc.value.errors) == {"deadline", "notice_days", "name"}
    with pytest.raises(ValidationError) as exc:
        open_round({**ROUND, "effective_date": "2025-07-15"}, actor=world["city"], on=OPENED)
    assert set(exc.value.errors) == {"effective_date"}
    assert Snapshot.select().count() == 0


# --- the chain ---------------------------------------------------------------------------------

def test_transition_table_is_explicit():
    pairs = {(t.source, t.action, t.target) for t in TRANSITIONS}
    assert (DRAFT, "submit", STATION_REVIEW) in pairs
    assert (STATION_REVIEW, "return", DRAFT) in pairs
    assert (COUNTY_REVIEW, "return", STATION_REVIEW) in pairs
    assert (CITY_DECISION, "return", COUNTY_REVIEW) in pairs
    # nothing leaves a final state
    assert not [t for t in TRANSITIONS if t.source in (REJECTED, EFFECTIVE)]


def test_whole_chain_city_decides_then_takes_effect(world, round_):
    app = to_notice(world, round_, "three")
    assert (app.from_grade, app.to_grade, app.decided_by, app.state) == ("3", "2", "city",
                                                                         NOTICE)
    steps = [(r.from_state, r.action, r.to_state, r.actor, r.comment)
             for r in Review.select().where(Review.application == app).order_by(Review.id)]
    assert steps == [(DRAFT, "submit", STATION_REVIEW, "r003", ""),
                     (STATION_REVIEW, "pass", COUNTY_REVIEW, "room1", "材料齐全"),
                     (COUNTY_REVIEW, "pass", CITY_DECISION, "shinan", "同意"),
                     (CITY_DECISION, "approve", NOTICE, "city", "同意晋升")]
    # published Wed 16 July, then 5 working days: 17, 18, 21, 22, 23
    assert notice_until(app) == d(2025, 7, 23)
    assert close_notices(round_, actor=world["city"], on=d(2025, 7, 23)) == []
    assert [a.id for a in close_notices(round_, actor=world["city"], on=d(2025, 7, 24))] == [
        app.id]
    assert Application.get_by_id(app.id).state == APPROVED
    # never before the effective date
    with pytest.raises(DomainError, match="未到生效日期"):
        take_effect(round_, actor=world["city"], on=d(2025, 8, 31))
    assert standing(world["three"], d(2025, 9, 1)).grade == "3"
    take_effect(round_, actor=world["city"], on=d(2025, 9, 1))
    assert Application.get_by_id(app.id).state == EFFECTIVE
    entry = history(world["three"])[-1]
    assert (entry.grade, entry.effective, entry.reason, entry.doc_no) == (
        "2", d(2025, 9, 1), "promotion", "青司〔2025〕30号")
    assert [log.action for log in AuditLog.select()
            .where(AuditLog.table == "promotion_application").order_by(AuditLog.id)] == [
        "create", "submit", "pass", "pass", "approve", "close_notice", "take_effect"]


def test_county_decides_its_grades(world, round_):
    app = apply(round_, world["four"], actor=world["me4"], on=d(2025, 7, 2))
    act(app, "submit", actor=world["me4"], on=d(2025, 7, 2))
    act(app, "pass", actor=world["station"], on=d(2025, 7, 3))
    with pytest.raises(DomainError, match="不能执行该操作"):  # no city step for 四级 → 三级
        act(app, "pass", actor=world["county"], on=d(2025, 7, 4))
    with pytest.raises(DomainError, match="应由「市南区工作站」办理"):
        act(app, "approve", actor=world["city"], on=d(2025, 7, 4))
    act(app, "approve", actor=world["county"], comment="同意", on=d(2025, 7, 4))
    assert Application.get_by_id(app.id).state == NOTICE


def test_ungraded_promoted_to_four(world, network, make_mediator, grade_ladder):
    newcomer = make_mediator(network["room2"], staff_no="R010", joined=d(2024, 12, 1))
    round_ = open_round(ROUND, actor=world["city"], on=OPENED)
    me = Actor("r010", None, newcomer.id)
    app = apply(round_, newcomer, actor=me, on=d(2025, 7, 2))
    assert (app.from_grade, app.to_grade, app.decided_by) == ("none", "4", "county")
    act(app, "submit", actor=me, on=d(2025, 7, 2))
    act(app, "pass", actor=Actor("room2", network["room2"]), on=d(2025, 7, 3))
    act(app, "approve", actor=world["county"], on=d(2025, 7, 4))
    close_notices(round_, actor=world["city"], on=d(2025, 7, 15))
    take_effect(round_, actor=world["city"], on=d(2025, 9, 2))
    assert standing(newcomer, d(2025, 9, 1)) == ("4", d(2025, 9, 1))


@pytest.mark.parametrize("state, actor, back", [
    (STATION_REVIEW, "station", DRAFT),
    (COUNTY_REVIEW, "county", STATION_REVIEW),
    (CITY_DECISION, "city", COUNTY_REVIEW),
])
def test_return_goes_back_one_step(world, round_, state, actor, back):
    app = apply(round_, world["three"], actor=world["me3"], on=d(2025, 7, 2))
    path = [("submit", "me3"), ("pass", "station"), ("pass", "county")]
    for action, who in path:
        if Application.get_by_id(app.id).state == state:
            break
        act(app, action, actor=world[who], on=d(2025, 7, 3))
    with pytest.raises(ValidationError, match="须填写意见"):
        act(app, "return", actor=world[actor], on=d(2025, 7, 4))
    act(app, "return", actor=world[actor], comment="补充结案材料", on=d(2025, 7, 4))
    assert Application.get_by_id(app.id).state == back


@pytest.mark.parametrize("state, actor", [
    (STATION_REVIEW, "station"), (COUNTY_REVIEW, "county"), (CITY_DECISION, "city")])
def test_reject_at_each_level(world, round_, state, actor):
    app = apply(round_, world["three"], actor=world["me3"], on=d(2025, 7, 2))
    for action, who in [("submit", "me3"), ("pass", "station"), ("pass", "county")]:
        if Application.get_by_id(app.id).state == state:
            break
        act(app, action, actor=world[who], on=d(2025, 7, 3))
    act(app, "reject", actor=world[actor], comment="条件不符", on=d(2025, 7, 4))
    app = Application.get_by_id(app.id)
    assert app.state == REJECTED
    with pytest.raises(DomainError, match="未通过"):
        act(app, "submit", actor=world["me3"], on=d(2025, 7, 5))


# --- refusals ----------------------------------------------------------------------------------

def test_wrong_level_out_of_scope_and_own_application(world, round_):
    app = apply(round_, world["three"], actor=world["me3"], on=d(2025, 7, 2))
    act(app, "submit", actor=world["me3"], on=d(2025, 7, 2))
    with pytest.raises(DomainError, match="应由「中山路工作室」办理"):
        act(app, "pass", actor=world["county"], on=d(2025, 7, 3))  # wrong level
    with pytest.raises(OutOfScope):
        act(app, "pass", actor=world["other_county"], on=d(2025, 7, 3))
    with pytest.raises(OutOfScope):
        act(app, "pass", actor=Actor("admin", None), on=d(2025, 7, 3))
    # a station manager who is also the applicant
    with pytest.raises(DomainError, match="本人"):
        act(app, "pass", actor=Actor("r003", world["room1"], world["three"].id),
            on=d(2025, 7, 3))
    # the applicant cannot review themselves either by jumping a step
    with pytest.raises(DomainError, match="不能执行该操作"):
        act(app, "approve", actor=world["city"], on=d(2025, 7, 3))
    assert Application.get_by_id(app.id).state == STATION_REVIEW
    assert Review.select().count() == 1


def test_deadline(world, round_):
    with pytest.raises(DomainError, match="截止日期"):
        apply(round_, world["four"], actor=world["me4"], on=d(2025, 7, 16))
    app = apply(round_, world["four"], actor=world["me4"], on=d(2025, 7, 15))
    with pytest.raises(DomainError, match="截止日期"):
        act(app, "submit", actor=world["me4"], on=d(2025, 7, 16))
    act(app, "submit", actor=world["me4"], on=d(2025, 7, 15))
    assert Application.get_by_id(app.id).state == STATION_REVIEW


def test_apply_refusals_and_nomination(world, round_):
    with pytest.raises(DomainError, match="最高等级"):
        apply(round_, world["top"], actor=Actor("r001", None, world["top"].id),
              on=d(2025, 7, 2))
    with pytest.raises(OutOfScope):  # another county's manager nominating
        apply(round_, world["four"], actor=world["other_county"], on=d(2025, 7, 2))
    with pytest.raises(OutOfScope):  # another mediator applying for them
        apply(round_, world["four"], actor=Actor("r003", None, world["three"].id),
              on=d(2025, 7, 2))
    app = apply(round_, world["four"], actor=world["station"], on=d(2025, 7, 2))
    assert app.nominated is True and app.applied_by == "room1"
    with pytest.raises(DomainError, match="已有"):
        apply(round_, world["four"], actor=world["me4"], on=d(2025, 7, 2))
    act(app, "submit", actor=world["station"], on=d(2025, 7, 2))  # the station submits it


def test_exception_needs_the_rule_and_a_reason(world, round_, grade_ladder):
    me = Actor("r009", None, world["weak"].id)
    with pytest.raises(DomainError, match="未达到"):
        apply(round_, world["weak"], actor=me, reason="获市级优秀调解员", on=d(2025, 7, 2))
    update_step(grade_ladder["4"], {"awards_bonus": "是"}, actor="admin")
    with pytest.raises(DomainError, match="未达到"):
        apply(round_, world["weak"], actor=me, on=d(2025, 7, 2))
    app = apply(round_, world["weak"], actor=me, reason="获市级优秀调解员", on=d(2025, 7, 2))
    assert app.exception_reason == "获市级优秀调解员"


# --- 公示 and objections ------------------------------------------------------------------------

def test_objection_dismissed_returns_to_notice_with_days_remaining(world, round_):
    app = to_notice(world, round_, "three")
    anyone = Actor("colleague", world["room3"])
    with pytest.raises(ValidationError):
        file_objection(app, " ", actor=anyone, on=d(2025, 7, 18))
    objection = file_objection(app, "结案数据有误", actor=anyone, on=d(2025, 7, 18))
    app = Application.get_by_id(app.id)
    # served 17 July (the day after publication) before the objection on the 18th: 4 remain
    assert (app.state, app.notice_days_left) == (OBJECTION, 4)
    # held: the notice does not close and nothing else moves it
    assert close_notices(round_, actor=world["city"], on=d(2025, 8, 1)) == []
    with pytest.raises(DomainError, match="异议处理中"):
        act(app, "approve", actor=world["city"], on=d(2025, 7, 21))
    # only the deciding level (the city for 二级) answers
    with pytest.raises(DomainError, match="应由「青岛市中心」办理"):
        answer_objection(objection, False, "经核实数据无误", actor=world["county"],
                         on=d(2025, 7, 24))
    answer_objection(objection, False, "经核实数据无误", actor=world["city"],
                     on=d(2025, 7, 24))
    app = Application.get_by_id(app.id)
    assert app.state == NOTICE
    assert notice_until(app) == d(2025, 7, 30)  # after Thu 24: Fri 25, Mon 28, 29, 30
    with pytest.raises(DomainError, match="已处理"):
        answer_objection(objection, True, "again", actor=world["city"], on=d(2025, 7, 25))
    assert close_notices(round_, actor=world["city"], on=d(2025, 7, 30)) == []
    assert len(close_notices(round_, actor=world["city"], on=d(2025, 7, 31))) == 1
    take_effect(round_, actor=world["city"], on=d(2025, 9, 1))
    assert standing(world["three"], d(2025, 9, 1)).grade == "2"


def test_objection_upheld_rejects(world, round_):
    app = to_notice(world, round_, "four")  # 三级: the county decides
    objection = file_objection(app, "有属实投诉未登记", actor=Actor("x", world["city"]),
                               on=d(2025, 7, 17))
    with pytest.raises(ValidationError):
        answer_objection(objection, True, "", actor=world["county"], on=d(2025, 7, 18))
    answer_objection(objection, True, "异议属实", actor=world["county"], on=d(2025, 7, 18))
    assert Application.get_by_id(app.id).state == REJECTED
    take_effect(round_, actor=world["city"], on=d(2025, 9, 1))
    assert standing(world["four"], d(2025, 9, 1)).grade == "4"


def test_two_objections_hold_until_both_answered(world, round_):
    app = to_notice(world, round_, "four")
    first = file_objection(app, "理由一", actor=Actor("a", world["room2"]), on=d(2025, 7, 17))
    second = file_objection(app, "理由二", actor=Actor("b", world["room3"]), on=d(2025, 7, 18))
    answer_objection(first, False, "不成立", actor=world["county"], on=d(2025, 7, 21))
    assert Application.get_by_id(app.id).state == OBJECTION
    answer_objection(second, False, "不成立", actor=world["county"], on=d(2025, 7, 22))
    app = Application.get_by_id(app.id)
    # objected the day after publication: nothing served, 5 days from the 22nd again
    assert (app.state, app.notice_days_left, notice_until(app)) == (NOTICE, 5, d(2025, 7, 29))


def test_objection_after_the_notice_is_refused(world, round_):
    app = to_notice(world, round_, "four")
    with pytest.raises(DomainError, match="公示期已结束"):
        file_objection(app, "迟到的异议", actor=Actor("a", world["room2"]), on=d(2025, 7, 24))


def test_only_the_round_owner_closes_and_applies(world, round_):
    to_notice(world, round_, "four")
    with pytest.raises(OutOfScope):
        close_notices(round_, actor=world["county"], on=d(2025, 7, 24))
    assert Application.select().where(Application.state == NOTICE).count() == 1


def test_allowed_lists_the_rows_for_the_state(world, round_):
    app = apply(round_, world["four"], actor=world["me4"], on=d(2025, 7, 2))
    assert [t.target for t in allowed(app, "submit")] == [STATION_REVIEW]
    assert allowed(app, "approve") == []


def test_actor_of_a_user_acts_for_an_organisation_only_as_manager(world, round_, make_user):
    mediator_user = make_user("r009", role="mediator", mediator=world["weak"])
    manager = make_user("room1mgr", role="manager", organization=world["room1"])
    as_mediator = Actor.of(mediator_user)
    assert (as_mediator.organization, as_mediator.mediator_id) == (None, world["weak"].id)
    # a colleague at the same station cannot apply or submit for another mediator
    with pytest.raises(OutOfScope):
        apply(round_, world["four"], actor=as_mediator, on=d(2025, 7, 2))
    app = apply(round_, world["four"], actor=Actor.of(manager), on=d(2025, 7, 2))
    assert app.nominated is True
    with pytest.raises(OutOfScope):
        act(app, "submit", actor=as_mediator, on=d(2025, 7, 2))


def test_round_of_a_city_without_mediators(world, make_org):
    empty = make_org("YT", name="烟台市中心")
    round_ = open_round({**ROUND, "organization": empty}, actor=Actor("admin", None),
                        on=OPENED)
    assert round_.organization_id == empty.id
    assert Snapshot.select().where(Snapshot.round == round_).count() == 0
    # the city's own round reaches only its own people
    with pytest.raises(OutOfScope, match="不在本轮"):
        apply(round_, world["four"], actor=world["me4"], on=d(2025, 7, 2))
