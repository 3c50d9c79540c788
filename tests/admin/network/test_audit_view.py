import datetime as dt
import re

import pytest

from network import audit
from network.models import AuditLog
from tests.admin.scope_checks import assert_outsider_refused


@pytest.fixture
def trail(network, make_user):
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    AuditLog.delete().execute()  # only the rows below
    rows = {
        "inside": audit.record("alice", "update", "organization", network["room1"].id,
                               "中山路工作室", {"name": ["旧名称", "中山路工作室"]},
                               org_path=network["room1"].path),
        "outside": audit.record("bob", "update", "organization", network["room3"].id,
                                "黄岛工作室", {"phone": ["0532-1", "0532-2"]},
                                org_path=network["room3"].path),
        "system": audit.record("root", "create", "org_kind", 9, "系统类型"),
    }
    rows["inside"].created_at = dt.datetime(2024, 5, 1, 9, 0)
    rows["inside"].save()
    rows["outside"].created_at = dt.datetime(2024, 6, 1, 9, 0)
    rows["outside"].save()
    return {**network, **rows}


def test_admin_sees_everything_newest_first(trail, auth):
    auth.login("root")
    text = auth.client.get("/admin/audit/").get_data(as_text=True)
    assert text.index("系统类型") < text.index("黄岛工作室") < text.index("中山路工作室")


def test_manager_sees_only_subtree_rows(trail, auth):
    auth.login("m02")
    text = auth.client.get("/admin/audit/").get_data(as_text=True)
    assert "中山路工作室" in text
    assert "黄岛工作室" not in text and "系统类型" not in text


def test_details_show_old_and_new_values(trail, auth):
    auth.login("m02")
    text = auth.client.get(f"/admin/audit/details/?id={trail['inside'].id}").get_data(
        as_text=True)
    assert "<td>name</td><td>旧名称</td><td>→</td><td>中山路工作室</td>" in text


def test_filters_by_actor_action_date_range_and_search(trail, auth):
    auth.login("root")
    text = auth.client.get("/admin/audit/?flt0_0=bob").get_data(as_text=True)
    assert "黄岛工作室" in text and "中山路工作室" not in text
    # filter 4 is 时间 between, 6 is 时间 before
    text = auth.client.get("/admin/audit/?flt0_4=2024-05-01+00:00:00+to+2024-05-31+23:59:59"
                           ).get_data(as_text=True)
    assert "中山路工作室" in text and "黄岛工作室" not in text and "系统类型" not in text
    text = auth.client.get("/admin/audit/?flt0_6=2024-05-15+00:00:00").get_data(as_text=True)
    assert "中山路工作室" in text and "黄岛工作室" not in text
    text = auth.client.get("/admin/audit/?flt0_2=create").get_data(as_text=True)
    assert "系统类型" in text and "中山路工作室" not in text
    text = auth.client.get("/admin/audit/?search=中山路").get_data(as_text=True)
    assert "中山路工作室" in text and "黄岛工作室" not in text


def test_export_is_scoped(trail, auth):
    auth.login("m02")
    body = auth.client.get("/admin/audit/export/csv/").get_data().decode("utf-8-sig")
    assert "中山路工作室" in body and "旧名称" in body
    assert "黄岛工作室" not in body and "系统类型" not in body


def test_read_only_and_outsider_refused(trail, auth):
    auth.login("m02")
    assert auth.client.get("/admin/audit/new/").status_code == 302
    assert_outsider_refused(auth, "audit", trail["outside"].id, "黄岛工作室",
                            edit_data={"actor": "x"})
    assert_outsider_refused(auth, "audit", trail["system"].id, "系统类型")
    assert AuditLog.select().where(AuditLog.action != "login").count() == 3
    assert AuditLog.get_by_id(trail["outside"].id).actor == "bob"


def test_trainer_cannot_open_the_trail(trail, auth, make_user):
    make_user("t02", role="trainer", organization=trail["shinan"])
    auth.login("t02")
    assert auth.client.get("/admin/audit/").status_code == 403


def test_every_audited_table_and_action_has_a_label(trail, auth):
    """Each package registers the labels of what it writes: a case change or an acknowledged
    warning is named in the log, never shown with a blank type."""
    audit.record("root", "update", "case", 1, "K-1", {"result": ["调解中", "调解成功"]},
                 org_path=trail["room1"].path)
    audit.record("root", "acknowledge", "warning", "quiet:1", "K-1", org_path=trail["room1"].path)
    tables = {row.table for row in AuditLog.select(AuditLog.table)}
    actions = {row.action for row in AuditLog.select(AuditLog.action)}
    assert tables <= set(audit.TABLES) and actions <= set(audit.ACTIONS)
    auth.login("root")
    text = auth.client.get("/admin/audit/").get_data(as_text=True)
    cells = [c.strip() for c in re.findall(r'<td class="col-(?:table|action)">(.*?)</td>', text,
                                           re.S)]
    assert "案件" in cells and "确认预警" in cells and "预警" in cells and "" not in cells
