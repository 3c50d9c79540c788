"""工作日历 and 培训要求: the administrator edits (audited, field errors for bad input, a
confirmation before removing), coordinators and managers read, mediators are refused; and the
`training calendar-seed` command.

Hand counts: 2027 starts on a Friday and has 365 days = 52 weeks + that Friday, so 52 × 5 + 1
= 261 weekdays; 2027-01-01 entered as a holiday leaves 260 working days. chinesecalendar 1.11
knows no 2027."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from network.audit import AuditLog
from training.models import TrainingRequirement, WorkDay
from training.requirements import requirement

DAYS = "/admin/training/workdays/"
REQS = "/admin/training/requirements/"


def test_admin_enters_a_holiday_of_a_year_without_data(people, auth):
    auth.login("admin1")
    page = auth.client.get(f"{DAYS}?year=2027").get_data(as_text=True)
    assert 'id="no-days"' in page and "2027 年共 261 个工作日" in page
    response = auth.post(f"{DAYS}?year=2027", {"day": "2027-01-01", "is_workday": "0",
                                                 "name": "元旦"})
    assert response.status_code == 302
    page = auth.client.get(f"{DAYS}?year=2027").get_data(as_text=True)
    assert 'data-day="2027-01-01"' in page and "2027 年共 260 个工作日" in page
    assert 'data-confirm="将 2027-01-01 恢复为按周一至周五计算？"' in page
    row = WorkDay.get(WorkDay.day == dt.date(2027, 1, 1))
    assert (row.is_workday, row.name, row.source) == (False, "元旦", "manual")
    assert AuditLog.select().where(AuditLog.table == "work_day").count() == 1

    auth.post(f"{DAYS}clear", {"day": "2027-01-01"})
    assert WorkDay.get_or_none(WorkDay.day == dt.date(2027, 1, 1)) is None
    assert "2027 年共 261 个工作日" in auth.client.get(f"{DAYS}?year=2027").get_data(as_text=True)
    assert AuditLog.select().where(AuditLog.table == "work_day").count() == 2


def test_bad_day_input_is_a_field_error(people, auth):
    auth.login("admin1")
    before = WorkDay.select().count()
    for data, message in (({"day": "2027-02-30", "is_workday": "0", "name": "x"},
                           "日期应为 YYYY-MM-DD 格式"),
                          ({"day": "2027-02-01", "is_workday": "0", "name": "节" * 31},
                           "不能超过30个字符")):
        response = auth.post(DAYS, data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert WorkDay.select().count() == before


def test_others_read_the_calendar_and_cannot_write(people, auth):
    before = WorkDay.select().count()
    for user in ("t02", "mgr02"):
        auth.login(user)
        page = auth.client.get(f"{DAYS}?year=2026").get_data(as_text=True)
        assert 'data-day="2026-10-01"' in page  # seeded from chinesecalendar
        assert 'id="day-form"' not in page and "clear-day" not in page
        assert auth.post(DAYS, {"day": "2027-01-01", "is_workday": "0"}).status_code == 403
        assert auth.post(f"{DAYS}clear", {"day": "2026-10-01"}).status_code == 403
        auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.login("med1")
    assert auth.client.get(DAYS).status_code == 403
    assert auth.client.get(REQS).status_code == 403
    assert WorkDay.select().count() == before


def test_admin_sets_and_removes_a_grade_requirement(people, auth):
    auth.login("admin1")
    page = auth.client.get(REQS).get_data(as_text=True)
    assert page.count("默认（所有等级）") >= 2 and ">20.0<" in page and ">10.0<" in page
    response = auth.post(REQS, {"kind": "annual", "grade": "4", "hours": "12"})
    assert response.status_code == 302
    assert requirement("annual", "4") == Decimal("12") and requirement("annual") == Decimal("20")
    page = auth.client.get(REQS).get_data(as_text=True)
    assert 'data-kind="annual" data-grade="4"' in page and "四级" in page

    response = auth.post(REQS, {"kind": "annual", "grade": "", "hours": "20.3"})
    assert "学时应为大于0的0.5的整数倍" in response.get_data(as_text=True)
    assert requirement("annual") == Decimal("20")

    auth.post(f"{REQS}remove", {"kind": "annual", "grade": "4"})
    assert requirement("annual", "4") == Decimal("20")
    response = auth.post(f"{REQS}remove", {"kind": "annual", "grade": ""},
                         follow_redirects=True)
    assert "默认要求不能删除" in response.get_data(as_text=True)
    assert TrainingRequirement.select().count() == 2


def test_coordinator_reads_requirements_but_cannot_change_them(people, auth):
    auth.login("t02")
    page = auth.client.get(REQS).get_data(as_text=True)
    assert 'id="requirements"' in page and 'id="requirement-form"' not in page
    assert auth.post(REQS, {"kind": "annual", "grade": "", "hours": "1"}).status_code == 403
    assert requirement("annual") == Decimal("20")


def test_calendar_seed_adds_missing_days_and_keeps_edits(people, runner):
    from training.reference import official_years
    from training.workcalendar import set_day

    WorkDay.delete().where(WorkDay.day == dt.date(2026, 10, 1)).execute()
    set_day(dt.date(2026, 10, 2), False, "国庆（本市）", actor="admin1")
    result = runner.invoke(args=["training", "calendar-seed", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "新增 1 天" in result.output
    assert WorkDay.get(WorkDay.day == dt.date(2026, 10, 1)).source == "chinesecalendar"
    kept = WorkDay.get(WorkDay.day == dt.date(2026, 10, 2))
    assert (kept.name, kept.source) == ("国庆（本市）", "manual")
    assert "新增 0 天" in runner.invoke(args=["training", "calendar-seed", "--year", "2026"]).output
    known = official_years()  # 2004–2026 in chinesecalendar 1.11
    every = runner.invoke(args=["training", "calendar-seed"])  # each year the package knows
    assert every.exit_code == 0 and f"工作日历 {known[0]}–{known[-1]} 年" in every.output
    assert WorkDay.get(WorkDay.day == dt.date(2004, 10, 1)).name == "国庆节"
    assert "新增 0 天" in runner.invoke(args=["training", "calendar-seed"]).output

    later = str(known[-1] + 1)
    refused = runner.invoke(args=["training", "calendar-seed", "--year", later])
    assert refused.exit_code == 2
    assert f"chinesecalendar 没有 {later} 年的放假安排" in refused.output


def test_a_city_manager_sets_requirements_a_county_manager_does_not(people, auth, network,
                                                                    make_user):
    make_user("mgrcity", role="manager", organization=network["city"])
    auth.login("mgr02")  # 市南: a county
    assert 'id="requirement-form"' not in auth.client.get(REQS).get_data(as_text=True)
    assert auth.post(REQS, {"kind": "annual", "grade": "", "hours": "30"}).status_code == 403
    assert requirement("annual") == Decimal("20")
    auth.client.post("/logout", data={"csrf_token": auth.token})
    auth.login("mgrcity")
    assert auth.post(REQS, {"kind": "annual", "grade": "", "hours": "30"}).status_code == 302
    assert requirement("annual") == Decimal("30")
    assert auth.post(DAYS, {"day": "2027-01-01", "is_workday": "0"}).status_code == 403
