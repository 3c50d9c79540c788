"""培训评价: averages per session and per trainer with one decimal, scoped (市南's coordinator and
manager never see 黄岛's session), comments on drill-down, XLSX export; mediators refused.
Figures hand-counted below."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from training.models import Feedback

URL = "/admin/training/feedback/"


def rows(page: str, table: str) -> list[list[str]]:
    body = page.split(f'id="table-{table}"')[1].split("</table>")[0].split("<tbody>")[1]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.fixture
def answers(people, network, make_session):
    s1 = make_session(code="S1", host=network["shinan"], trainers="王老师、李老师")
    s2 = make_session(code="S2", host=network["shinan"], trainers="李老师",
                      start="2026-03-05 09:00", end="2026-03-05 12:00")
    h1 = make_session(code="H1", host=network["huangdao"], trainers="王老师")
    m1, m2, m3 = people["m1"], people["m2"], people["m3"]
    for session, who, ratings, comment in [(s1, m1, (5, 4, 3), "很好"), (s1, m2, (4, 4, 4), ""),
                                           (s2, m1, (1, 2, 2), "时间太短"), (s2, m2, (2, 2, 3), ""),
                                           (h1, m3, (3, 3, 3), "黄岛的意见")]:
        Feedback.create(session=session, mediator=who, content_rating=ratings[0],
                        trainer_rating=ratings[1], organisation_rating=ratings[2],
                        comment=comment)
    return {"s1": s1, "s2": s2, "h1": h1}


def test_coordinator_sees_averages_of_their_scope(answers, auth):
    auth.login("t02")
    page = auth.client.get(URL).get_data(as_text=True)
    # S2 (03-05) before S1 (03-02): latest first.
    # S1: content (5+4)/2 = 4.5, trainer (4+4)/2 = 4.0, organisation (3+4)/2 = 3.5
    # S2: content (1+2)/2 = 1.5, trainer (2+2)/2 = 2.0, organisation (2+3)/2 = 2.5
    assert rows(page, "sessions") == [
        ["S2", "调解技巧", "2026-03-05", "李老师", "2", "1.5", "2.0", "2.5"],
        ["S1", "调解技巧", "2026-03-02", "王老师、李老师", "2", "4.5", "4.0", "3.5"]]
    # 李老师: S1 and S2, 4 answers: (5+4+1+2)/4 = 3.0, (4+4+2+2)/4 = 3.0, (3+4+2+3)/4 = 3.0
    # 王老师 in 市南: S1 only
    assert rows(page, "trainers") == [["李老师", "4", "3.0", "3.0", "3.0"],
                                      ["王老师", "2", "4.5", "4.0", "3.5"]]
    assert "H1" not in page
    drill = auth.client.get(f"{URL}?session={answers['s1'].id}").get_data(as_text=True)
    assert "很好" in drill and "时间太短" not in drill
    # 黄岛's session answers like an unknown one
    assert auth.client.get(f"{URL}?session={answers['h1'].id}").status_code == 404
    assert auth.client.get(f"{URL}?session=999999").status_code == 404
    assert auth.client.get(f"{URL}?session=abc").status_code == 404


def test_admin_sees_all_rounded_once_to_one_decimal(answers, auth):
    auth.login("admin1")
    page = auth.client.get(URL).get_data(as_text=True)
    # 王老师: S1 and H1, 3 answers: (5+4+3)/3 = 4.0, (4+4+3)/3 = 3.67 → 3.7, (3+4+3)/3 = 3.33 → 3.3
    assert ["王老师", "3", "4.0", "3.7", "3.3"] in rows(page, "trainers")
    # latest first, then by code: S2 (03-05), H1 and S1 (both 03-02 09:00)
    assert [r[0] for r in rows(page, "sessions")] == ["S2", "H1", "S1"]
    drill = auth.client.get(f"{URL}?session={answers['h1'].id}").get_data(as_text=True)
    assert "黄岛的意见" in drill


def test_manager_reads_and_exports_their_scope(answers, auth):
    auth.login("mgr02")
    response = auth.client.get(f"{URL}export.xlsx?table=trainers")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert ["李老师", 4] == list(values[-2][:2]) and ["王老师", 2] == list(values[-1][:2])
    assert auth.client.get(f"{URL}export.xlsx?table=nope").status_code == 404


def test_mediator_is_refused(answers, auth):
    auth.login("med1")
    assert auth.client.get(URL).status_code == 403
    assert auth.client.get(f"{URL}export.xlsx?table=sessions").status_code == 403
