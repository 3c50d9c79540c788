"""培训场次: the trainer creates, edits, copies and cancels sessions of their subtree through
the domain; calendar warnings must be confirmed; a manager reads; a trainer of another district
is refused on every path."""
from __future__ import annotations

import re

from tests.admin.scope_checks import assert_outsider_refused
from training.models import CANCELLED, Session, WorkDay

BASE = "/admin/training/sessions/"


def form(network, **overrides):
    data = {"code": "QD02-001", "course": "调解技巧", "kind": "", "host": str(network["shinan"].id),
            "trainers": "李老师", "venue": "市南会议室", "online_link": "",
            "start": "2026-03-02 09:00", "end": "2026-03-02 12:00", "hours": "3",
            "capacity": "20", "enrol_deadline": "", "audience_grades": "",
            "audience_employment": "", "status": "planned"}
    from training.models import TrainingKind

    data["kind"] = str(TrainingKind.get(TrainingKind.code == "annual").id)
    data.update(overrides)
    return data


def test_trainer_creates_a_session(people, network, auth):
    auth.login("t02")
    response = auth.post(f"{BASE}new/", form(network))
    assert response.status_code == 302, response.get_data(as_text=True)
    session = Session.get(Session.code == "QD02-001")
    assert session.host.code == "QD-02"
    assert session.minutes == 180
    assert session.hours == 3
    page = auth.client.get(BASE).get_data(as_text=True)
    assert "QD02-001" in page


def test_field_errors_lose_nothing(people, network, auth):
    auth.login("t02")
    page = auth.post(f"{BASE}new/", form(network, start="2026/03/02", hours="0.3"),
                     follow_redirects=True).get_data(as_text=True)
    assert "时间格式应为 YYYY-MM-DD HH:MM" in page
    assert "学时应为大于0的0.5的整数倍" in page
    assert 'value="市南会议室"' in page
    # a day that does not exist is named as such (its format is right), a huge 学时 by its limit
    page = auth.post(f"{BASE}new/", form(network, end="2026-02-30 12:00", hours="100000"),
                     follow_redirects=True).get_data(as_text=True)
    assert "「2026-02-30 12:00」不是有效的日期或时间" in page and "学时不能超过999" in page
    assert Session.select().count() == 0


def test_host_outside_subtree_is_refused(people, network, auth):
    auth.login("t02")
    auth.post(f"{BASE}new/", form(network, host=str(network["room3"].id)))
    assert Session.select().count() == 0


def test_holiday_and_double_booking_need_confirmation(people, network, auth, make_session):
    make_session(code="OTHER", venue="市南会议室", trainers="李老师",
                 start="2026-10-01 09:00", end="2026-10-01 12:00")
    WorkDay.get_or_create(day="2026-10-01", defaults={"is_workday": False, "name": "国庆节"})
    auth.login("t02")
    data = form(network, start="2026-10-01 10:00", end="2026-10-01 11:00", hours="1")
    page = auth.post(f"{BASE}new/", data, follow_redirects=True).get_data(as_text=True)
    assert "2026-10-01是法定节假日（国庆节）" in page
    assert "地点「市南会议室」同时段已有场次「OTHER」" in page
    assert "主讲人「李老师」同时段已有场次「OTHER」" in page
    assert not Session.select().where(Session.code == "QD02-001").exists()
    response = auth.post(f"{BASE}new/", {**data, "confirm": "y"})
    assert response.status_code == 302
    assert Session.select().where(Session.code == "QD02-001").exists()


def test_copy_warns_of_holiday_and_double_booking(people, network, auth, make_session):
    """A copy onto 国庆节 at the time OTHER holds the same venue and trainer stops with the three
    warnings until confirmed; a copy to a free working day goes through unasked."""
    source = make_session(code="SRC", host=network["shinan"], venue="市南会议室",
                          trainers="李老师、王老师", start="2026-09-01 09:00",
                          end="2026-09-01 12:00")
    make_session(code="OTHER", venue="市南会议室", trainers="李老师",
                 start="2026-10-01 10:00", end="2026-10-01 11:00")
    WorkDay.get_or_create(day="2026-10-01", defaults={"is_workday": False, "name": "国庆节"})
    auth.login("t02")
    data = {"code": "SRC-2", "start": "2026-10-01 09:00"}
    page = auth.post(f"{BASE}copy/?id={source.id}", data).get_data(as_text=True)
    for warning in ("2026-10-01是法定节假日（国庆节）", "地点「市南会议室」同时段已有场次「OTHER」",
                    "主讲人「李老师」同时段已有场次「OTHER」", "存在以上提醒，请勾选确认后再保存"):
        assert warning in page, warning
    assert "王老师」同时段" not in page
    assert not Session.select().where(Session.code == "SRC-2").exists()
    response = auth.post(f"{BASE}copy/?id={source.id}", {**data, "confirm": "y"})
    assert response.status_code == 302
    assert Session.get(Session.code == "SRC-2").venue == "市南会议室"
    response = auth.post(f"{BASE}copy/?id={source.id}",
                         {"code": "SRC-3", "start": "2026-09-08 09:00"})
    assert response.status_code == 302 and Session.select().where(
        Session.code == "SRC-3").exists()


def test_edit_keeps_times_readable_and_bumps_sequence(people, network, auth, make_session):
    session = make_session(code="E1", host=network["shinan"])
    auth.login("t02")
    page = auth.client.get(f"{BASE}edit/?id={session.id}").get_data(as_text=True)
    assert 'value="2026-03-02 09:00"' in page
    response = auth.post(f"{BASE}edit/?id={session.id}",
                         form(network, code="E1", start="2026-03-03 09:00",
                              end="2026-03-03 12:00"))
    assert response.status_code == 302
    session = Session.get_by_id(session.id)
    assert session.start.strftime("%Y-%m-%d %H:%M") == "2026-03-03 09:00"
    assert session.sequence == 1


def test_copy_and_cancel(people, network, auth, make_session):
    session = make_session(code="C1", host=network["shinan"], enrol_deadline="2026-03-01 18:00")
    auth.login("t02")
    # 2026-04-06 is a 清明节 holiday in the seeded calendar: the copy asks first
    page = auth.post(f"{BASE}copy/?id={session.id}",
                     {"code": "C2", "start": "2026-04-06 14:00"}).get_data(as_text=True)
    assert "2026-04-06是法定节假日" in page
    response = auth.post(f"{BASE}copy/?id={session.id}",
                         {"code": "C2", "start": "2026-04-06 14:00", "confirm": "y"})
    assert response.status_code == 302
    copy = Session.get(Session.code == "C2")
    assert copy.end.strftime("%Y-%m-%d %H:%M") == "2026-04-06 17:00"
    assert copy.enrol_deadline.strftime("%Y-%m-%d %H:%M") == "2026-04-05 23:00"
    page = auth.post(f"{BASE}cancel/?id={session.id}", {"reason": ""}).get_data(as_text=True)
    assert "请填写取消原因" in page
    assert Session.get_by_id(session.id).status != CANCELLED
    response = auth.post(f"{BASE}cancel/?id={session.id}", {"reason": "讲师临时出差"})
    assert response.status_code == 302
    cancelled = Session.get_by_id(session.id)
    assert (cancelled.status, cancelled.cancel_reason) == (CANCELLED, "讲师临时出差")
    # kept as it was: edit and cancel go back to the details, which offer no attendance
    for url in (f"{BASE}edit/?id={session.id}", f"{BASE}cancel/?id={session.id}"):
        page = auth.client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "场次「C1」已取消，不能再修改" in page, url
        assert "出勤登记" not in page and "发放证书" not in page and "报名管理" in page
    auth.post(f"{BASE}edit/?id={session.id}", form(network, code="C1", venue="别处"))
    assert Session.get_by_id(session.id).venue != "别处"


def test_manager_reads_only(people, network, auth, make_session):
    session = make_session(code="R1", host=network["shinan"])
    auth.login("mgr02")
    assert "R1" in auth.client.get(BASE).get_data(as_text=True)
    assert auth.client.get(f"{BASE}new/").status_code in (302, 403)
    for url in (f"{BASE}new/", f"{BASE}edit/?id={session.id}"):  # told, not silently sent back
        page = auth.client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "您只能查看，不能新增或修改" in page, url
    auth.post(f"{BASE}edit/?id={session.id}", form(network, code="R1", venue="别处"))
    assert Session.get_by_id(session.id).venue != "别处"
    assert auth.client.get(f"{BASE}cancel/?id={session.id}").status_code == 403
    auth.post(f"{BASE}cancel/?id={session.id}", {"reason": "x"})
    assert Session.get_by_id(session.id).status != CANCELLED


def test_mediator_has_no_session_pages(people, auth):
    auth.login("med1")
    assert auth.client.get(BASE).status_code == 403


def test_other_district_is_refused_everywhere(people, network, auth, make_session):
    outsider = make_session(code="HD-SECRET", host=network["room3"])
    auth.login("t02")
    assert_outsider_refused(auth, "training/sessions", outsider.id, "HD-SECRET",
                            edit_data=form(network, code="HD-CHANGED"),
                            lookups=[("host", "QD-11", "QD-11-01")])
    for page in ("copy", "cancel"):
        assert auth.client.get(f"{BASE}{page}/?id={outsider.id}").status_code == 404
        response = auth.post(f"{BASE}{page}/?id={outsider.id}",
                             {"reason": "x", "code": "HD-COPY", "start": "2026-05-01 09:00"})
        assert response.status_code == 404
    assert auth.client.get(f"{BASE}cancel/?id=99999999999999999999").status_code == 404
    unchanged = Session.get_by_id(outsider.id)
    assert (unchanged.code, unchanged.status) == ("HD-SECRET", "planned")
    assert not Session.select().where(Session.code == "HD-COPY").exists()


def test_days_and_audience_through_the_form(people, network, auth):
    auth.login("t02")
    data = form(network, start="", end="", dates="2026-05-06 09:00-12:00\n2026-05-07 09:00-11:00",
                audience_orgs="QD-02-01", audience_grades=["4", "3"], hours="5")
    response = auth.post(f"{BASE}new/", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    session = Session.get(Session.code == "QD02-001")
    assert session.minutes == 300 and session.audience_grades == "4,3"
    details = auth.client.get(f"{BASE}details/?id={session.id}").get_data(as_text=True)
    assert "2026-05-06 09:00-12:00；2026-05-07 09:00-11:00" in details
    assert "四级、三级" in details and "QD-02-01" in details
    edit = auth.client.get(f"{BASE}edit/?id={session.id}").get_data(as_text=True)
    assert "2026-05-06 09:00-12:00\n2026-05-07 09:00-11:00</textarea>" in edit
    assert 'value="QD-02-01"' in edit
    assert '<option selected value="4">' in edit and '<option selected value="3">' in edit


def test_bad_days_and_outside_audience_in_the_form(people, network, auth):
    auth.login("t02")
    page = auth.post(f"{BASE}new/", form(network, dates="2026-05-06 09:00"),
                     follow_redirects=True).get_data(as_text=True)
    assert "第1行「2026-05-06 09:00」格式应为 YYYY-MM-DD HH:MM-HH:MM" in page
    page = auth.post(f"{BASE}new/", form(network, audience_orgs="QD-11-01"),
                     follow_redirects=True).get_data(as_text=True)
    assert "机构「QD-11-01」超出您的管辖范围" in page
    # without days, the start stays required
    page = auth.post(f"{BASE}new/", form(network, start=""),
                     follow_redirects=True).get_data(as_text=True)
    import re
    field = re.search(r'<input[^>]*id="start"[^>]*>\s*<div class="invalid-feedback">\s*'
                      r'<ul[^>]*>\s*<li>([^<]*)</li>', page)
    assert "required" not in re.search(r'<input[^>]*id="start"[^>]*>', page).group(0)
    assert field is not None and field.group(1) == "必填", page[page.find('id="start"') - 80:][:400]
    assert Session.select().count() == 0


def test_times_outside_the_supported_years_are_field_errors(people, network, auth,
                                                             make_session):
    """Year 1 at 00:00 in Shanghai is year 0 in UTC, which no date holds; 9999 plus the
    session's length overflows: each a message, never a 500."""
    auth.login("t02")
    page = auth.post(f"{BASE}new/", form(network, start="0001-01-01 00:00",
                                         end="0001-01-01 03:00")).get_data(as_text=True)
    assert "日期应在 1901-01-01 至 2999-12-31 之间" in page
    assert not Session.select().exists()
    session = make_session(code="X1", host=network["shinan"])
    for start in ("0001-01-01 00:00", "9999-12-31 23:59"):
        response = auth.post(f"{BASE}copy/?id={session.id}",
                             {"code": "X2", "start": start, "confirm": "y"})
        assert response.status_code == 200, start
        assert "日期应在 1901-01-01 至 2999-12-31 之间" in response.get_data(as_text=True)
    assert Session.select().count() == 1


def test_edit_posted_without_the_course_keeps_it(people, network, auth, make_session):
    session = make_session(code="E1", host=network["shinan"], course="调解实务")
    auth.login("t02")
    data = form(network, code="E1", venue="新会议室")
    del data["course"]
    assert auth.post(f"{BASE}edit/?id={session.id}", data).status_code == 302
    saved = Session.get_by_id(session.id)
    assert (saved.course.name, saved.venue) == ("调解实务", "新会议室")


def test_details_name_every_field_in_words(people, network, auth, make_session):
    session = make_session(code="D1", host=network["shinan"], mandatory=True,
                           dates=[("2026-03-02 09:00", "2026-03-02 12:00")])
    auth.login("t02")
    page = auth.client.get(f"{BASE}details/?id={session.id}").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "分日日程" in text and "面向机构" in text
    assert "Dates" not in text and "Audience Orgs" not in text
    assert "True" not in text and "False" not in text
    assert "市南区工作站（QD-02）" in text
    export = auth.client.get(f"{BASE}export/csv/").get_data(as_text=True)
    header = export.splitlines()[0]
    assert "分日日程" in header and "面向机构" in header and "Dates" not in header
    assert ",是," in export.splitlines()[1]  # 必修


def test_a_session_past_its_end_shows_as_finished(people, network, auth, make_session):
    """Nobody sets 已结束 by hand after the day: a planned or open session whose end has
    passed is shown so (the stored status stays, the cancelled one stays cancelled)."""
    past = make_session(code="PAST", host=network["shinan"], status="open")  # 2026-03-02
    ahead = make_session(code="AHEAD", host=network["shinan"], status="open",
                         start="2030-03-02 09:00", end="2030-03-02 12:00")
    auth.login("t02")
    page = auth.client.get(BASE).get_data(as_text=True)

    def status_of(code):
        row = page.split(f">{code}</a>")[1].split("</tr>")[0]
        return re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", row)[-1]

    assert (status_of("PAST"), status_of("AHEAD")) == ("已结束", "报名中")
    assert Session.get_by_id(past.id).status == "open" and ahead.status == "open"
