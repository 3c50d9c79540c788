"""考核参数: every declared setting on the page, valid values saved (audited), a wrong one shown
on its field with nothing saved, administrators only."""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def people(network, make_user):
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    return network


def form_data(**changes) -> dict:
    """Every field as the page shows it by default, with `changes` (keys with dots)."""
    from network.settings import SETTINGS

    data = {key.replace(".", "__"): f"{spec.default:g}" if isinstance(spec.default, float)
            else str(spec.default) for key, spec in SETTINGS.items()}
    data.update({key.replace(".", "__"): value for key, value in changes.items()})
    return data


def row(page: str, key: str) -> str:
    return re.search(rf'<tr data-key="{re.escape(key)}">(.*?)</tr>', page, re.S).group(1)


def test_page_lists_every_setting_grouped(people, auth):
    from network.settings import SETTINGS

    auth.login("root")
    page = auth.client.get("/admin/settings/").get_data(as_text=True)
    for group in ("红黄绿灯阈值", "预警规则", "评优权重"):
        assert group in page
    for key in SETTINGS:
        assert f'data-key="{key}"' in page
    quiet = row(page, "warn.quiet_months")
    assert "连续多少个月未受理案件即预警" in quiet
    assert 'value="3"' in quiet and '<td class="default text-muted">3</td>' in quiet


def test_saves_valid_values_with_audit(people, auth):
    from network.models import AuditLog
    from network.settings import get_settings

    auth.login("root")
    response = auth.post("/admin/settings/", form_data(**{"warn.quiet_months": "4",
                                                          "warn.low_success_rate": "0.45"}))
    assert response.status_code == 302
    values = get_settings()
    assert values["warn.quiet_months"] == 4 and values["warn.low_success_rate"] == 0.45
    assert values["warn.open_days"] == 60
    log = AuditLog.get(AuditLog.table == "setting")
    assert log.actor == "root"
    assert log.changes_dict == {"warn.quiet_months": [3, 4], "warn.low_success_rate": [0.5, 0.45]}
    page = auth.client.get("/admin/settings/").get_data(as_text=True)
    quiet = row(page, "warn.quiet_months")
    assert '<td class="current">4</td>' in quiet and '<td class="default text-muted">3</td>' in quiet


@pytest.mark.parametrize("key, value, message", [
    ("warn.quiet_months", "abc", "应为数字"),
    ("warn.quiet_months", "2.5", "应为整数"),
    ("warn.low_success_rate", "1.5", "应在0到1之间"),
    ("warn.open_days", "", "应为数字"),
    ("warn.surge_factor", "nan", "应为数字"),
])
def test_invalid_value_is_a_field_error_and_nothing_saved(people, auth, key, value, message):
    from network.models import Setting

    auth.login("root")
    # A valid change in the same submission is not saved either.
    response = auth.post("/admin/settings/", form_data(**{key: value, "warn.open_days": "30"}
                                                      if key != "warn.open_days" else {key: value}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in row(page, key) and "is-invalid" in row(page, key)
    assert Setting.select().count() == 0


def test_missing_csrf_saves_nothing(people, auth):
    from network.models import Setting

    auth.login("root")
    response = auth.client.post("/admin/settings/", data=form_data(**{"warn.open_days": "30"}))
    assert response.status_code == 200
    assert Setting.select().count() == 0


def test_manager_is_refused(people, auth):
    from network.models import Setting

    auth.login("m02")
    assert auth.client.get("/admin/settings/").status_code == 403
    response = auth.post("/admin/settings/", form_data(**{"warn.open_days": "30"}))
    assert response.status_code == 403
    assert Setting.select().count() == 0


def test_a_setting_any_package_registers_is_on_the_page(people, auth):
    """The page reads the registry: a new package's setting needs no change to the page, and
    shows its type, limits and help."""
    from network.settings import SETTINGS, Spec, register

    register({"zz.sample_hours": Spec(20, int, "每年应培训学时", "培训要求", 0, 200,
                                      "全市统一的年度学时要求")})
    try:
        auth.login("root")
        page = auth.client.get("/admin/settings/").get_data(as_text=True)
        sample = row(page, "zz.sample_hours")
        assert "每年应培训学时" in sample and "全市统一的年度学时要求" in sample
        assert "整数，0 – 200" in sample and "培训要求" in page
        assert "数字，0 – 1" in row(page, "traffic.success_green")
    finally:
        del SETTINGS["zz.sample_hours"]
