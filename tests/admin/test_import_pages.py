"""数据导入 pages: template download, upload → preview (dry run) → confirm → job done; refusals."""
from __future__ import annotations

import html as html_lib
import io
import re
import threading

import pytest

from network.imports import STATION_COLUMNS
from network.jobs import create_job
from network.models import DONE, FAILED, AuditLog, ImportJob, Organization
from network.settings import update_settings
from org.models import Mediator
from tests.network.test_station_import import station, write_sheet

HEADERS = list(STATION_COLUMNS)


@pytest.fixture
def sync_jobs(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_SYNC", True)


@pytest.fixture
def admin_client(make_user, auth, sync_jobs):
    make_user("boss", role="admin")
    auth.login("boss")
    return auth


def upload(auth, content: bytes, filename: str, kind="stations", follow=True):
    return auth.post("/admin/imports/", data={"kind": kind,
                                              "file": (io.BytesIO(content), filename)},
                     content_type="multipart/form-data", follow_redirects=follow)


def confirm(auth, preview_html: str):
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', preview_html)
    assert token, "no confirm token on the preview page"
    return auth.post("/admin/imports/confirm", data={"token": token.group(1)})


@pytest.fixture
def new_uploads(app):
    """Files added to instance/uploads/ during the test (the folder outlives each test)."""
    from pathlib import Path

    folder = Path(app.instance_path) / "uploads"
    before = set(folder.iterdir()) if folder.exists() else set()
    return lambda: sorted(set(folder.iterdir()) - before) if folder.exists() else []


def test_template_round_trip_through_the_pages(app, admin_client, new_uploads):
    client = admin_client.client
    page = client.get("/admin/imports/").get_data(as_text=True)
    assert "数据导入" in page and "/admin/imports/template/stations.xlsx" in page

    for kind, fmt in (("stations", "xlsx"), ("mediators", "csv")):
        response = client.get(f"/admin/imports/template/{kind}.{fmt}")
        assert response.status_code == 200
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
        body = response.get_data()
        if fmt == "csv":
            assert body.startswith(b"\xef\xbb\xbf\xe5\xb7\xa5\xe5\x8f\xb7")  # BOM + 工号

        preview = upload(admin_client, body, f"模板.{fmt}", kind=kind)
        html = preview.get_data(as_text=True)
        assert preview.status_code == 200
        assert 'id="preview-ok"' in html and 'id="preview-rows"' in html
        # the check (a dry run) wrote nothing but its own job row
        check = ImportJob.select().order_by(ImportJob.id.desc()).first()
        assert check.dry_run and check.status == DONE and check.kind == kind
        assert Organization.select().count() == (0 if kind == "stations" else 2)

        done = confirm(admin_client, html)
        assert done.status_code == 302
        job_url = done.headers["Location"]
        job = ImportJob.select().order_by(ImportJob.id.desc()).first()
        assert job.status == DONE and job.kind == kind and job.username == "boss"
        status = client.get(job_url + "/status").get_json()
        assert status["status"] == "done" and status["finished"] is True
        created = 2 if kind == "stations" else 1  # the city and its county; one mediator
        assert status["counts"]["created"] == created and status["percent"] == 100
        assert 'id="job-done"' in client.get(job_url).get_data(as_text=True)

    assert Organization.get(code="QD-EX").name == "示例市金融纠纷调解中心"
    assert Mediator.get(staff_no="M0001").station.code == "QD-EX-01"
    assert new_uploads() == []


def test_bad_file_shows_the_error_table_and_cannot_be_confirmed(app, admin_client, network,
                                                                tmp_path):
    rows = [station("QD-02-09", "新工作室", "社区级", "QD-02", kind="调解工作室"),
            station("QD-11-09", "坏工作室", "社区级", "QD-11", kind="调解工作室",
                    division="abc")]
    content = write_sheet(tmp_path / "bad.csv", HEADERS, rows).read_bytes()
    html = upload(admin_client, content, "bad.csv").get_data(as_text=True)
    assert 'id="import-errors"' in html and 'id="confirm-import"' not in html
    table = html[html.index('id="import-errors"'):]
    assert re.search(r"<td>3</td><td>行政区划代码</td><td>[^<]*6位数字", table)
    assert Organization.select().count() == 6
    assert not Organization.select().where(Organization.code == "QD-02-09").exists()


def test_scoped_manager_cannot_import_outside_the_subtree(app, make_user, auth, network,
                                                          sync_jobs, tmp_path, new_uploads):
    make_user("shinan", role="manager", organization=network["shinan"])
    auth.login("shinan")
    rows = [station("QD-02-09", "本区工作室", "社区级", "QD-02", kind="调解工作室"),
            station("QD-11-09", "黄岛工作室二", "社区级", "QD-11", kind="调解工作室")]
    content = write_sheet(tmp_path / "scope.xlsx", HEADERS, rows).read_bytes()
    html = upload(auth, content, "scope.xlsx").get_data(as_text=True)
    assert "超出管辖范围" in html
    assert re.search(r"<td>3</td><td>上级机构编码</td>", html)

    check = ImportJob.get()
    assert check.dry_run and check.status == FAILED
    assert check.scope_path == network["shinan"].path

    # a file that failed its check cannot be confirmed
    refused = confirm(auth, html)
    assert refused.headers["Location"].endswith("/admin/imports/preview")
    assert ImportJob.select().count() == 1
    assert Organization.select().count() == 6
    assert AuditLog.select().where(AuditLog.action == "import").count() == 0

    # the same page imports rows inside the subtree; the refused upload was discarded
    content = write_sheet(tmp_path / "mine.csv", HEADERS, rows[:1]).read_bytes()
    confirm(auth, upload(auth, content, "mine.csv").get_data(as_text=True))
    created = Organization.get(code="QD-02-09")
    assert created.parent_id == network["shinan"].id
    job = ImportJob.select().where(ImportJob.dry_run == False).get()  # noqa: E712
    assert job.status == DONE and job.scope_path == network["shinan"].path
    assert new_uploads() == []


def test_preview_waits_for_the_check_before_offering_confirm(app, admin_client, network,
                                                             tmp_path, monkeypatch):
    from admin.views import imports

    started = []
    monkeypatch.setattr(imports, "start_job", lambda job, path: started.append((job, path)))
    rows = [station("QD-02-09", "新工作室", "社区级", "QD-02", kind="调解工作室")]
    content = write_sheet(tmp_path / "wait.csv", HEADERS, rows).read_bytes()
    html = upload(admin_client, content, "wait.csv").get_data(as_text=True)
    assert 'id="check-waiting"' in html and 'id="confirm-import"' not in html
    assert 'id="preview-rows"' in html  # the first rows show at once
    refused = admin_client.post("/admin/imports/confirm",
                                data={"token": started[0][1].stem})
    assert refused.headers["Location"].endswith("/admin/imports/preview")

    check, path = started[0]
    imports.run_job(check.id, str(path))
    assert path.exists()  # a check keeps the file for the import that follows
    html = admin_client.client.get("/admin/imports/preview").get_data(as_text=True)
    assert "将新增 1 条" in html and 'id="confirm-import"' in html
    assert not Organization.select().where(Organization.code == "QD-02-09").exists()


def test_job_pages_belong_to_their_owner(app, admin_client, make_user, network):
    other = create_job("stations", username="someone-else", scope=None, filename="x.csv")
    assert admin_client.client.get(f"/admin/imports/job/{other.id}").status_code == 404
    assert admin_client.client.get(f"/admin/imports/job/{other.id}/status").status_code == 404


@pytest.mark.parametrize("filename,content,message", [
    ("notes.txt", b"hello", "只支持 CSV"),
    ("broken.xlsx", b"PK\x03\x04garbage", "Excel 文件已损坏"),
    ("empty.csv", b"", "文件为空"),
    ("wrong.csv", "\ufeff工号,姓名\r\nM1,张三\r\n".encode(), "缺少列"),
])
def test_unusable_uploads_get_a_message_not_a_500(app, admin_client, kinds, filename, content,
                                                  message):
    response = upload(admin_client, content, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert Organization.select().count() == 0


def test_upload_size_limit(app, admin_client, kinds, new_uploads):
    update_settings({"import.max_upload_mb": 1}, actor="admin")
    response = upload(admin_client, b"a," * (600 * 1024), "big.csv")
    assert "文件过大（2 MB，上限 1 MB）" in response.get_data(as_text=True)
    assert new_uploads() == []


def test_upload_beyond_the_request_limit_is_a_413_page(app, admin_client, kinds, new_uploads):
    update_settings({"import.max_upload_mb": 1}, actor="admin")
    response = upload(admin_client, b"a," * (2 * 1024 * 1024), "big.csv")
    assert response.status_code == 413
    assert new_uploads() == []


def test_upload_larger_than_max_content_length_passes_when_the_setting_allows(
        app, admin_client, kinds, monkeypatch, new_uploads):
    """The import limit (300 MB by default, a province's year of cases) rules the upload
    page, not the 50 MB of every other request."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    body = ("\ufeff机构编码,机构名称\r\n" + "x" * (2 * 1024 * 1024)).encode()
    response = upload(admin_client, body, "big.csv")
    assert response.status_code == 200
    assert "文件过大" not in response.get_data(as_text=True)


def test_upload_needs_the_csrf_token(app, admin_client, kinds, new_uploads):
    response = admin_client.client.post(
        "/admin/imports/", data={"kind": "stations", "file": (io.BytesIO(b"x"), "a.csv")},
        content_type="multipart/form-data")
    assert "页面已过期" in response.get_data(as_text=True)
    assert new_uploads() == []


def test_confirm_without_a_preview_is_refused(app, admin_client, kinds):
    response = admin_client.post("/admin/imports/confirm", data={"token": "0" * 32},
                                 follow_redirects=True)
    assert "上传已失效" in response.get_data(as_text=True)
    assert ImportJob.select().count() == 0


def test_access_by_role(client, make_user, auth, make_mediator, network):
    assert client.get("/admin/imports/").status_code == 302
    mediator = make_mediator(network["room1"])
    make_user("med", role="mediator", mediator=mediator)
    auth.login("med")
    assert client.get("/admin/imports/").status_code == 403
    assert client.get("/admin/imports/template/stations.csv").status_code == 403


def test_station_list_links_to_the_import_page(admin_client, network):
    html = admin_client.client.get("/admin/stations/").get_data(as_text=True)
    assert 'href="/admin/imports/"' in html


def test_background_job_uses_its_own_connection(app, network, tmp_path):
    """What the page starts in a thread when IMPORT_SYNC is off: its own connection, progress
    kept in the job row, the uploaded file deleted afterwards."""
    from admin.views.imports import run_job

    rows = [station("QD-02-09", "新工作室", "社区级", "QD-02", kind="调解工作室")]
    path = write_sheet(tmp_path / "job.csv", HEADERS, rows)
    job = create_job("stations", username="boss", scope=None, filename="job.csv")
    worker = threading.Thread(target=run_job, args=(job.id, str(path)))
    worker.start()
    worker.join()
    job = ImportJob.get_by_id(job.id)
    assert (job.status, job.total, job.done) == (DONE, 1, 1)
    assert job.counts == {"total": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert job.finished_at is not None
    assert Organization.get(code="QD-02-09").parent_id == network["shinan"].id
    assert not path.exists()


def test_case_import_errors_read_in_english(app, admin_client, network, make_mediator):
    """Every part of a message is translated, the reason inside "Case number …: …" and the
    column names in it too; only what the file itself holds stays as typed."""

    from evaluation.imports import CASE_COLUMNS
    from network.tabular import write_csv

    make_mediator(network["room1"], staff_no="M-1")
    admin_client.client.get("/lang/en")
    good = ["K-1", network["room1"].code, "M-1", "2024-01-05", "2024-01-25", "信用卡",
            "1000.00", "800.00", "调解成功", "线上", "法院委派", "是", "已履行"]
    bad_date = [*good[:3], "2024-13-45", *good[4:]]
    bad_amount = ["K-2", *good[1:6], "12.345", *good[7:]]
    page = upload(admin_client, write_csv(list(CASE_COLUMNS), [bad_date, bad_amount]),
                  "cases.csv", kind="cases").get_data(as_text=True)
    table = page[page.index('id="import-errors"'):]
    cells = [tuple(html_lib.unescape(c) for c in row) for row in re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table)]
    assert cells == [
        ("2", "Received", 'Case number “K-1”: Received must be written YYYY-MM-DD: "2024-13-45"'),
        ("3", "Amount involved",
         'Case number “K-2”: Amount involved: Amounts have at most two decimals: "12.345"'),
    ]

    headers = [h for h in CASE_COLUMNS if h != "受理日期"] + ["备注"]
    page = upload(admin_client, write_csv(headers, [good[:3] + good[4:] + ["x"]]),
                  "cases.csv", kind="cases").get_data(as_text=True)
    table = html_lib.unescape(page[page.index('id="import-errors"'):])
    assert ("The header does not match the template (missing columns: 受理日期; unknown "
            "columns: 备注 (no similar column))") in table


BUREAU = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "bureau"


def test_preview_names_what_it_read_as_the_templates_columns_and_words(app, admin_client):
    html = upload(admin_client, (BUREAU / "stations.csv").read_bytes(),
                  "stations.csv").get_data(as_text=True)
    assert 'id="preview-ok"' in html
    mapped = html[html.index('id="import-mapped"'):html.index('id="preview-rows"')]
    assert "<li>「名称」按「机构名称」读取</li>" in mapped
    assert "<li>「上级编码」按「上级机构编码」读取</li>" in mapped
    # the sample rows are read by column: the bureau's 名称 shows under 机构名称
    rows = html[html.index('id="preview-rows"'):]
    assert "<th>机构名称</th>" in rows and "<td>崂山市金融纠纷调解中心</td>" in rows
    confirm(admin_client, html)
    assert Organization.select().count() == 3

    html = upload(admin_client, (BUREAU / "mediators.xlsx").read_bytes(), "花名册.xlsx",
                  kind="mediators").get_data(as_text=True)
    assert 'id="preview-ok"' in html
    mapped = html[html.index('id="import-mapped"'):html.index('id="preview-rows"')]
    assert "<li>「专业领域」按「专业特长」读取</li>" in mapped
    assert "<li>学历「本科」按「大学本科」读取</li>" in mapped  # a value, found by the check
    assert Mediator.select().count() == 0  # the check writes nothing

    admin_client.client.get("/lang/en")
    html = upload(admin_client, (BUREAU / "mediators.xlsx").read_bytes(), "花名册.xlsx",
                  kind="mediators").get_data(as_text=True)
    assert "学历 “本科” read as “Bachelor" in html_lib.unescape(html)


def test_import_page_lists_aliases_values_and_synonyms(app, admin_client):
    html = admin_client.client.get("/admin/imports/").get_data(as_text=True)
    guide = html[html.index('id="guide-mediators"'):html.index('id="guide-cases"')]
    assert "<td>专业特长</td>" in guide and "专业领域" in guide and "用工性质" in guide
    assert "本科 → 大学本科" in guide
    stations = html[html.index('id="guide-stations"'):html.index('id="guide-mediators"')]
    assert "调解中心、调解工作站、调解工作室" in stations  # the kinds table


def test_training_coordinator_imports_sessions_of_their_scope_only(app, make_user, auth, network,
                                                                 sync_jobs, tmp_path):
    """培训管理员 reach the upload page for the training kinds alone, inside their subtree."""
    from training.imports import SESSION_COLUMNS
    from training.models import Session

    make_user("coord", role="trainer", organization=network["shinan"])
    auth.login("coord")
    page = auth.client.get("/admin/imports/").get_data(as_text=True)
    assert 'value="sessions"' in page and 'value="attendance"' in page
    assert 'value="stations"' not in page and 'value="cases"' not in page
    assert auth.client.get("/admin/imports/template/sessions.csv").status_code == 200
    assert auth.client.get("/admin/imports/template/stations.csv").status_code == 404

    # a kind not theirs is refused by the form: no check job, nothing written
    content = write_sheet(tmp_path / "st.csv", HEADERS,
                          [station("QD-02-09", "本区工作室", "社区级", "QD-02",
                                   kind="调解工作室")]).read_bytes()
    refused = upload(auth, content, "st.csv", kind="stations").get_data(as_text=True)
    assert "请选择导入内容" in refused
    assert ImportJob.select().count() == 0

    row = ["PX-T-01", "调解实务", "年度培训", "QD-02", "2030-03-10 09:00", "2030-03-10 12:00",
           "3", "会议室", "王老师", "40"]
    outside = [*row[:3], "QD-11", *row[4:]]
    outside[0] = "PX-T-02"
    both = write_sheet(tmp_path / "both.csv", list(SESSION_COLUMNS), [row, outside]).read_bytes()
    html = upload(auth, both, "both.csv", kind="sessions").get_data(as_text=True)
    assert "超出管辖范围" in html
    assert Session.select().count() == 0

    mine = write_sheet(tmp_path / "mine.csv", list(SESSION_COLUMNS), [row]).read_bytes()
    confirm(auth, upload(auth, mine, "mine.csv", kind="sessions").get_data(as_text=True))
    created = Session.get(Session.code == "PX-T-01")
    assert created.host_id == network["shinan"].id


def test_sessions_preview_lists_calendar_warnings(make_user, auth, network, sync_jobs,
                                                 tmp_path):
    """The check names each row's warnings (a holiday, the same venue booked twice) and still
    lets the file be imported: warnings, not errors."""
    from training.imports import SESSION_COLUMNS
    from training.models import Session, WorkDay
    from training.reference import seed

    seed(Session._meta.database)
    WorkDay.get_or_create(day="2030-10-01", defaults={"is_workday": False, "name": "国庆节"})
    holiday = WorkDay.get(WorkDay.day == "2030-10-01").name
    make_user("coord", role="trainer", organization=network["shinan"])
    auth.login("coord")
    rows = [["PX-W-1", "调解实务", "年度培训", "QD-02", "2030-10-01 09:00", "2030-10-01 12:00",
             "3", "会议室", "王老师", "40"],
            ["PX-W-2", "调解实务", "年度培训", "QD-02", "2030-03-01 09:00", "2030-03-01 12:00",
             "3", "报告厅", "王老师", "40"],
            ["PX-W-3", "金融法规", "专题讲座", "QD-02", "2030-03-01 11:00", "2030-03-01 12:00",
             "1", "报告厅", "李老师", "40"]]
    content = write_sheet(tmp_path / "w.csv", list(SESSION_COLUMNS), rows).read_bytes()
    page = upload(auth, content, "w.csv", kind="sessions").get_data(as_text=True)
    warnings = page[page.index('id="import-warnings"'):]
    warnings = warnings[:warnings.index("</div>")]
    assert "以下 2 条提醒不影响导入" in warnings
    assert f"第2行：2030-10-01是法定节假日（{holiday}）" in warnings
    assert "第4行：地点「报告厅」同时段已有场次「PX-W-2」" in warnings
    assert 'id="preview-ok"' in page and Session.select().count() == 0  # a check writes nothing
    confirm(auth, page)
    assert Session.select().count() == 3
