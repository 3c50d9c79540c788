"""The grade ladder as data (seeded, edited with a trail) and grade history with its rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from network.audit import AuditLog
from network.dates import local_today
from network.errors import DomainError, OutOfScope, ValidationError
from org.grades import (
    change_grade,
    history,
    ladder,
    latest_change,
    revert_change,
    seed_ladder,
    standing,
    standings,
    update_step,
)
from org.models import GradeChange, GradeStep


@pytest.fixture
def grade_ladder(database):
    """The migration's seed, restored after the suite's truncation (until conftest does it)."""
    seed_ladder()
    return ladder()


def test_seeded_ladder_is_domain_defaults(grade_ladder):
    rows = {(s.from_grade, s.to_grade, s.months_at_grade, s.closed_cases, s.success_rate,
             s.training_hours, s.pre_service_only, s.hours_ever, s.decided_by)
            for s in GradeStep.select()}
    assert rows == {
        ("none", "4", 6, 5, None, Decimal("10.0"), True, True, "county"),
        ("4", "3", 12, 10, Decimal("0.6000"), Decimal("20.0"), False, False, "county"),
        ("3", "2", 24, 20, Decimal("0.6500"), Decimal("20.0"), False, False, "city"),
        ("2", "1", 36, 30, Decimal("0.7000"), Decimal("30.0"), False, False, "city"),
    }


def test_seed_is_idempotent_and_keeps_edits(grade_ladder):
    update_step(grade_ladder["4"], {"closed_cases": "12"}, actor="admin")
    assert seed_ladder() == 0
    assert GradeStep.select().count() == 4
    assert GradeStep.get(GradeStep.from_grade == "4").closed_cases == 12
    GradeStep.delete().where(GradeStep.from_grade == "2").execute()
    assert seed_ladder() == 1
    assert GradeStep.get(GradeStep.from_grade == "2").closed_cases == 30


def test_edit_step_is_audited(grade_ladder):
    step = update_step(grade_ladder["3"], {"success_rate": "0.62", "training_hours": "24.5",
                                           "decided_by": "county", "awards_bonus": "是"},
                       actor="admin")
    step = GradeStep.get_by_id(step.id)
    assert (step.success_rate, step.training_hours, step.decided_by, step.awards_bonus) == (
        Decimal("0.6200"), Decimal("24.5"), "county", True)
    log = AuditLog.get(AuditLog.table == "grade_step")
    assert log.actor == "admin" and log.action == "update"
    assert [Decimal(v) for v in log.changes_dict["success_rate"]] == [Decimal("0.65"),
                                                                      Decimal("0.62")]
    assert log.changes_dict["decided_by"] == ["city", "county"]
    # nothing changed: no new trail entry
    update_step(step, {"decided_by": "county"}, actor="admin")
    assert AuditLog.select().where(AuditLog.table == "grade_step").count() == 1


def test_edit_step_refuses_bad_values_and_writes_nothing(grade_ladder):
    with pytest.raises(ValidationError) as exc:
        update_step(grade_ladder["4"], {"months_at_grade": "1.5", "closed_cases": "-1",
                                        "success_rate": "1.2", "training_hours": "10.3",
                                        "decided_by": "province"}, actor="admin")
    assert set(exc.value.errors) == {"months_at_grade", "closed_cases", "success_rate",
                                     "training_hours", "decided_by"}
    assert GradeStep.get(GradeStep.from_grade == "4").months_at_grade == 12
    assert not AuditLog.select().where(AuditLog.table == "grade_step").exists()


def test_success_rate_may_be_cleared(grade_ladder):
    update_step(grade_ladder["4"], {"success_rate": ""}, actor="admin")
    assert GradeStep.get(GradeStep.from_grade == "4").success_rate is None


# --- history ---------------------------------------------------------------------------------

@pytest.fixture
def med(network, make_mediator):
    return make_mediator(network["room1"], staff_no="G001")


def test_no_history_is_ungraded(med):
    assert standing(med, dt.date(2024, 1, 1)) == ("none", None)
    assert standings([med.id], dt.date(2024, 1, 1)) == {}


def test_history_derives_the_grade_on_a_date(med):
    change_grade(med, "4", "2022-03-01", "initial", actor="hr", scope=None)
    change_grade(med, "3", dt.date(2023, 7, 1), "promotion", actor="hr", scope=None,
                 doc_no="青司〔2023〕12号")
    assert standing(med, dt.date(2022, 2, 28)) == ("none", None)
    assert standing(med, dt.date(2022, 3, 1)) == ("4", dt.date(2022, 3, 1))
    assert standing(med, dt.date(2023, 6, 30)) == ("4", dt.date(2022, 3, 1))
    assert standing(med, dt.date(2023, 7, 1)) == ("3", dt.date(2023, 7, 1))
    entry = latest_change(med)
    assert (entry.doc_no, entry.recorded_by, entry.reason) == ("青司〔2023〕12号", "hr",
                                                               "promotion")
    logs = AuditLog.select().where(AuditLog.table == "grade_change").order_by(AuditLog.id)
    assert [(log.changes_dict["before"], log.changes_dict["grade"]) for log in logs] == [
        ("未定级", "四级"), ("四级", "三级")]
    assert logs[0].org_path == med.station.path


def test_future_promotion_is_not_in_force_early(med):
    change_grade(med, "4", "2022-03-01", "initial", actor="hr", scope=None)
    future = local_today() + dt.timedelta(days=30)
    change_grade(med, "3", future, "promotion", actor="hr", scope=None)
    assert standing(med).grade == "4"
    assert standing(med, future).grade == "3"


def test_grading_date_is_judged_on_shanghais_today(med, server_behind_shanghai):
    """On a server whose own date is behind Shanghai's (a UTC one from 16:00 UTC), Shanghai's
    today is still a valid 定级日期 — by hand and in an import — and its tomorrow is not."""
    from org.grades import clean_initial_grade

    today = local_today()
    assert dt.date.today() < today
    tomorrow = today + dt.timedelta(days=1)
    assert clean_initial_grade("四级", today.isoformat()) == ("4", today)
    with pytest.raises(ValidationError, match="定级日期不能晚于今天"):
        clean_initial_grade("四级", tomorrow.isoformat())
    with pytest.raises(ValidationError, match="定级日期不能晚于今天"):
        change_grade(med, "4", tomorrow, "initial", actor="hr", scope=None)
    change_grade(med, "4", today, "initial", actor="hr", scope=None)
    assert standing(med) == ("4", today)


def test_change_rules(med):
    for reason in ("demotion", "correction"):
        with pytest.raises(DomainError, match="尚未定级"):
            change_grade(med, "4", "2022-03-01", reason, actor="hr", scope=None)
    with pytest.raises(ValidationError) as exc:
        change_grade(med, "none", "2022-03-01", "initial", actor="hr", scope=None)
    assert set(exc.value.errors) == {"grade"}
    with pytest.raises(ValidationError, match="不能晚于今天"):
        change_grade(med, "4", local_today() + dt.timedelta(days=1), "initial", actor="hr",
                     scope=None)
    change_grade(med, "3", "2022-03-01", "initial", actor="hr", scope=None)
    with pytest.raises(DomainError, match="不能再次初次定级"):
        change_grade(med, "4", "2022-04-01", "initial", actor="hr", scope=None)
    with pytest.raises(ValidationError, match="应高于现等级"):
        change_grade(med, "4", "2023-03-01", "promotion", actor="hr", scope=None)
    with pytest.raises(ValidationError, match="应低于现等级"):
        change_grade(med, "2", "2023-03-01", "demotion", actor="hr", scope=None)
    with pytest.raises(ValidationError, match="不能早于"):
        change_grade(med, "4", "2022-02-28", "demotion", actor="hr", scope=None)
    with pytest.raises(ValidationError):
        change_grade(med, "4", "2023-13-01", "demotion", actor="hr", scope=None)
    change_grade(med, "4", "2023-03-01", "demotion", actor="hr", scope=None)
    change_grade(med, "3", "2023-03-01", "correction", actor="hr", scope=None,
                 note="降级决定有误")
    assert [(c.grade, c.reason) for c in history(med)] == [
        ("3", "initial"), ("4", "demotion"), ("3", "correction")]
    assert standing(med, dt.date(2023, 3, 1)) == ("3", dt.date(2023, 3, 1))


def test_promotion_from_ungraded(med):
    """未定级 → 四级 is a promotion (a round's decision), with no initial grading before it."""
    change_grade(med, "4", "2023-07-01", "promotion", actor="round", scope=None)
    assert standing(med, dt.date(2023, 7, 1)) == ("4", dt.date(2023, 7, 1))


def test_change_out_of_scope_refused(network, med):
    with pytest.raises(OutOfScope):
        change_grade(med, "4", "2022-03-01", "initial", actor="hr", scope=network["huangdao"])
    assert GradeChange.select().count() == 0
    change_grade(med, "4", "2022-03-01", "initial", actor="hr", scope=network["shinan"])
    with pytest.raises(OutOfScope):
        revert_change(latest_change(med), "错误", actor="hr", scope=network["huangdao"])
    assert latest_change(med).reverted_at is None


def test_only_the_latest_change_can_be_reverted(med):
    first = change_grade(med, "4", "2022-03-01", "initial", actor="hr", scope=None)
    second = change_grade(med, "3", "2023-07-01", "promotion", actor="hr", scope=None)
    with pytest.raises(DomainError, match="只能撤回最近一次"):
        revert_change(first, "录入错误", actor="chief", scope=None)
    with pytest.raises(ValidationError, match="撤回原因"):
        revert_change(second, "  ", actor="chief", scope=None)
    assert standing(med, dt.date(2024, 1, 1)).grade == "3"

    reverted = revert_change(second, "晋升文件未下发", actor="chief", scope=None)
    assert reverted.reverted_by == "chief" and reverted.revert_reason == "晋升文件未下发"
    assert standing(med, dt.date(2024, 1, 1)) == ("4", dt.date(2022, 3, 1))
    # the entry stays in the trail, marked
    assert [c.reverted_at is not None for c in history(med)] == [False, True]
    log = AuditLog.get(AuditLog.action == "revert")
    assert log.changes_dict["revert_reason"] == "晋升文件未下发" and log.actor == "chief"
    with pytest.raises(DomainError, match="已撤回"):
        revert_change(second, "again", actor="chief", scope=None)
    # now the first entry is the latest, and may go too
    revert_change(first, "定级有误", actor="chief", scope=None)
    assert standing(med, dt.date(2024, 1, 1)) == ("none", None)
    # after the reverts a fresh initial grading is allowed again
    change_grade(med, "4", "2022-05-01", "initial", actor="hr", scope=None)
    assert standing(med, dt.date(2024, 1, 1)) == ("4", dt.date(2022, 5, 1))


def test_standings_for_many_in_one_query(network, make_mediator):
    from playhouse.test_utils import count_queries

    a = make_mediator(network["room1"])
    b = make_mediator(network["room2"])
    c = make_mediator(network["room3"])
    change_grade(a, "4", "2021-01-01", "initial", actor="hr", scope=None)
    change_grade(a, "3", "2023-01-01", "promotion", actor="hr", scope=None)
    change_grade(b, "2", "2020-06-01", "initial", actor="hr", scope=None)
    with count_queries() as counter:
        found = standings([a.id, b.id, c.id], dt.date(2022, 12, 31))
    assert counter.count == 1
    assert found == {a.id: ("4", dt.date(2021, 1, 1)), b.id: ("2", dt.date(2020, 6, 1))}
