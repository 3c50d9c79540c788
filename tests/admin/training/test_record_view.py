"""培训档案: a mediator's own record (我的培训档案), staff reading the mediators of their scope,
the XLSX export, the certificate PDF for its holder only, and the QR code leading to the public
verification page. Refusals: another mediator's record or certificate, and anything outside a
staff member's jurisdiction, answer 404 like a missing id."""
from __future__ import annotations

import io

import pytest
import segno
from openpyxl import load_workbook

from tests.training.test_certificates import qr_matrix
from training import certificates
from training.attendance import record_attendance

URL = "/admin/training/record/"


@pytest.fixture
def record(people, network, make_session):
    """王一 (M001): 出席 S1 (3 学时, 2026) and 迟到 90 of 120 minutes at S2 (2 × 90/120 = 1.5,
    2025), a certificate for S1; 黄三 (M003, 黄岛): 出席 HD with a certificate."""
    s1 = make_session(code="S1", host=network["shinan"], start="2026-03-02 09:00",
                      end="2026-03-02 12:00", hours="3", course="调解技巧")
    s2 = make_session(code="S2", host=network["shinan"], start="2025-04-01 09:00",
                      end="2025-04-01 11:00", hours="2", kind="专题讲座", course="金融法规")
    hd = make_session(code="HD", host=network["room3"])
    record_attendance(s1, people["m1"], "present", None, actor="t", scope=None)
    record_attendance(s2, people["m1"], "late", 90, actor="t", scope=None)
    record_attendance(hd, people["m3"], "present", None, actor="t", scope=None)
    return {"mine": certificates.issue(s1, people["m1"], actor="t", scope=None),
            "theirs": certificates.issue(hd, people["m3"], actor="t", scope=None)}


def test_mediator_sees_their_own_record(record, people, auth):
    auth.login("med1")
    assert URL in auth.client.get("/admin/").get_data(as_text=True)  # 我的培训档案 link
    response = auth.client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in ("王一", "S1", "S2", "调解技巧", "金融法规", record["mine"].serial,
                     f"certificate/?id={record['mine'].id}"):
        assert expected in page, expected
    assert 'data-year="2026"><td>2026</td><td class="record-total">3.0<' in page
    # S1 and S2 were planned and are over: shown 已结束, not 计划
    assert page.count("<td>已结束</td>") == 2 and "<td>计划</td>" not in page
    assert 'data-year="2025"><td>2025</td><td class="record-total">1.5<' in page
    assert auth.client.get(f"{URL}?mediator={people['m1'].id}").status_code == 200
    assert "黄三" not in page and record["theirs"].serial not in page


def test_mediator_refused_elsewhere(record, people, auth):
    auth.login("med1")
    assert auth.client.get(f"{URL}?mediator={people['m2'].id}").status_code == 404
    assert auth.client.get(f"{URL}export/?mediator={people['m3'].id}").status_code == 404
    assert auth.client.get(f"{URL}certificate/?id={record['theirs'].id}").status_code == 404
    assert auth.client.get(f"{URL}certificate/?id=987654321").status_code == 404
    assert auth.client.get(f"{URL}certificate/?id=x").status_code == 404


def test_holder_downloads_the_pdf_and_its_qr_code_leads_to_verification(record, auth):
    auth.login("med1")
    response = auth.client.get(f"{URL}certificate/?id={record['mine'].id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    url = f"http://localhost/verify/{record['mine'].serial}"
    assert qr_matrix(response.data) == [tuple(r) for r in segno.make(url, error="m").matrix]
    auth.post("/logout")
    page = auth.client.get(url.removeprefix("http://localhost"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-status="valid"' in text and "王一" in text and "调解技巧" in text


def test_staff_read_their_scope_only(record, people, auth):
    auth.login("t02")
    details = auth.client.get(f"/admin/mediators/details/?id={people['m1'].id}")
    assert f"{URL}?mediator={people['m1'].id}" in details.get_data(as_text=True)
    assert auth.client.get(f"{URL}?mediator={people['m1'].id}").status_code == 200
    assert auth.client.get(f"{URL}certificate/?id={record['mine'].id}").status_code == 200
    for url in (f"{URL}?mediator={people['m3'].id}", f"{URL}export/?mediator={people['m3'].id}",
                f"{URL}certificate/?id={record['theirs'].id}", f"{URL}?mediator=987654321",
                f"{URL}?mediator=", URL):
        assert auth.client.get(url).status_code == 404, url
    auth.post("/logout")
    auth.login("mgr02")
    assert auth.client.get(f"{URL}?mediator={people['m2'].id}").status_code == 200
    assert auth.client.get(f"{URL}?mediator={people['m3'].id}").status_code == 404
    auth.post("/logout")
    auth.login("admin1")
    assert auth.client.get(f"{URL}?mediator={people['m3'].id}").status_code == 200


def test_xlsx_export(record, people, auth):
    auth.login("t02")
    response = auth.client.get(f"{URL}export/?mediator={people['m1'].id}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_row=3)]
    assert [(r[0], r[4], r[5], r[6], r[7]) for r in rows] == [
        ("S1", "出席", None, 3, 3), ("S2", "迟到", 90, 2, 1.5)]
