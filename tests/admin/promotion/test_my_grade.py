"""我的等级 on the mediator's home and the managers' list of who is nearly eligible.

Figures from the conftest's world on 2025-07-01: E001 misses cases (6/10), hours (6/20) and
has one upheld complaint; E002 (三级 since 2023-01-01, no case, no session, a complaint not
upheld) misses cases (0/20), success rate (0 < 0.65) and hours (0/20). Both miss 3.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.admin.promotion.conftest import switch
from tests.admin.scope_checks import xlsx_text


@pytest.fixture
def on_reference_day(monkeypatch):
    monkeypatch.setattr("admin.promotion.home.today", lambda: dt.date(2025, 7, 1))


def test_my_grade_panel(world, auth, on_reference_day):
    auth.login("e001")
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "我的等级" in page
    assert re.search(r'id="my-grade-current">四级<', page)
    assert "2024-01-01" in page and re.search(r'id="my-grade-next">三级<', page)
    rows = dict(re.findall(r'data-key="(\w+)".*?class="criterion-missing">([^<]*)<', page, re.S))
    assert rows == {"months_at_grade": "已达到", "closed_cases": "还需结案 4 件",
                    "success_rate": "已达到", "training_hours": "还需培训 14 学时",
                    "no_upheld_complaint": "统计期内有 1 件属实投诉"}
    # the bars: 6 of 10 cases, 6 of 20 hours
    assert 'aria-valuenow="60"' in page and 'aria-valuenow="30"' in page
    assert "初次定级" in page and "my-grade-eligible" not in page


def test_panel_only_for_mediators(world, auth, on_reference_day):
    auth.login("m02")
    assert "my-grade-criteria" not in auth.client.get("/admin/").get_data(as_text=True)


def test_near_list_scoped_with_xlsx(world, auth):
    auth.login("m02")
    url = "/admin/near/?as_of=2025-07-01&max_unmet={}"
    page = auth.client.get(url.format(3)).get_data(as_text=True)
    assert "E001" in page and "E002" not in page
    assert "还需结案 4 件；还需培训 14 学时；统计期内有 1 件属实投诉" in page
    assert "E001" not in auth.client.get(url.format(2)).get_data(as_text=True)
    book = xlsx_text(auth.client.get(url.format(3) + "&export=xlsx").get_data())
    assert "E001" in book and "E002" not in book
    assert auth.client.get(url.format(3) + "&org=QD-11").status_code == 404
    assert auth.client.get(url.format(3) + "&org=QD-11&export=xlsx").status_code == 404
    assert auth.client.get("/admin/near/?as_of=bad").status_code == 400
    for far in ("0001-01-01", "9999-12-31"):  # the window a year back has no year 0
        response = auth.client.get(f"/admin/near/?as_of={far}")
        assert response.status_code == 400, far
        assert "日期应在 1901-01-01 至 2999-12-31 之间" in response.get_data(as_text=True)
    switch(auth, "m11")
    page = auth.client.get(url.format(3)).get_data(as_text=True)
    assert "E002" in page and "E001" not in page
    switch(auth, "e001")
    assert auth.client.get(url.format(3)).status_code == 403
    switch(auth, "t02")
    assert auth.client.get(url.format(3)).status_code == 403


def test_hours_criterion_says_which_hours_count(world, auth, make_mediator, make_user,
                                                 on_reference_day):
    """未定级 → 四级 counts 岗前培训 hours of every year (the default ladder): "培训学时" alone
    read as this year's hours beside a 本年学时 figure that did not match it."""
    newcomer = make_mediator(world["room1"], staff_no="E009", name="新调解员",
                             joined=dt.date(2025, 1, 1))
    make_user("e009", role="mediator", mediator=newcomer)
    labels = {}
    for user in ("e009", "e001"):
        switch(auth, user)
        page = auth.client.get("/admin/").get_data(as_text=True)
        labels[user] = re.search(r'data-key="training_hours"[^>]*>\s*<td>([^<]*)<', page).group(1)
    assert labels == {"e009": "岗前培训学时（累计）", "e001": "培训学时"}
