"""培训证书: issue for a session's attendees, list scoped by the holder's station, revoke with a
reason (audited), the PDF, and the public verification page (valid / revoked / expired)."""
from __future__ import annotations

import datetime as dt

import pytest

from network.models import AuditLog
from training import certificates
from training.models import Certificate, Course

BASE = "/admin/training/certificates/"


@pytest.fixture
def attended(people, network, make_session):
    from training.attendance import record_attendance

    session = make_session(code="S1", host=network["shinan"])
    record_attendance(session, people["m1"], "present", None, actor="test", scope=None)
    record_attendance(session, people["m2"], "absent", None, actor="test", scope=None)
    return session


def test_issue_for_a_session_gives_certificates_to_those_with_hours(attended, auth):
    auth.login("t02")
    page = auth.client.get(f"{BASE}issue/?session={attended.id}").get_data(as_text=True)
    assert "M001" in page and "M002" not in page
    response = auth.post(f"{BASE}issue/?session={attended.id}", {})
    assert response.status_code == 302
    held = [(c.mediator.staff_no, c.hours) for c in Certificate.select()]
    assert held == [("M001", 3)]
    assert "M001" in auth.client.get(BASE).get_data(as_text=True)


def test_revoke_needs_a_reason_and_is_audited(attended, people, auth):
    certificate = certificates.issue(attended, people["m1"], actor="t", scope=None)
    auth.login("t02")
    page = auth.post(f"{BASE}revoke/?id={certificate.id}", {"reason": " "}).get_data(
        as_text=True)
    assert "请填写撤销原因" in page
    assert Certificate.get_by_id(certificate.id).revoked_at is None
    response = auth.post(f"{BASE}revoke/?id={certificate.id}", {"reason": "学时登记有误"})
    assert response.status_code == 302
    assert Certificate.get_by_id(certificate.id).revoke_reason == "学时登记有误"
    assert AuditLog.select().where(AuditLog.table == "certificate", AuditLog.action == "close",
                                   AuditLog.actor == "t02").exists()
    page = auth.client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert 'data-status="revoked"' in page and "学时登记有误" in page
    # no printout that would pass for a valid certificate, from the list or the 培训档案
    for url in (f"{BASE}pdf/?id={certificate.id}",
                f"/admin/training/record/certificate/?id={certificate.id}"):
        response = auth.client.get(url, follow_redirects=True)
        assert not response.data.startswith(b"%PDF"), url
        assert f"证书「{certificate.serial}」已撤销，不再提供打印" in response.get_data(as_text=True)


def test_public_verification_valid_expired_unknown(attended, people, client):
    from org.models import Mediator

    valid = certificates.issue(attended, Mediator.get(staff_no="M001"), actor="t", scope=None)
    assert certificates.verify_url(valid, "http://localhost/verify") == (
        f"http://localhost/verify/{valid.serial}")
    response = client.get(f"/verify/{valid.serial}")  # nobody logged in
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-status="valid"' in page and "王一" in page and "M001" not in page
    Course.update(valid_months=12).execute()
    Certificate.delete().execute()
    from training.models import Session

    old = certificates.issue(Session.get_by_id(attended.id), Mediator.get(staff_no="M001"), actor="t", scope=None,
                             today=dt.date(2020, 1, 15))
    assert old.expires == dt.date(2021, 1, 15)
    assert 'data-status="expired"' in client.get(f"/verify/{old.serial}").get_data(as_text=True)
    assert client.get("/verify/2026-NOTREAL").status_code == 404


def test_pdf_download(attended, auth):
    from org.models import Mediator

    certificate = certificates.issue(attended, Mediator.get(staff_no="M001"), actor="t",
                                     scope=None)
    auth.login("mgr02")
    response = auth.client.get(f"{BASE}pdf/?id={certificate.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_other_district_is_refused(people, network, make_session, auth):
    from tests.admin.scope_checks import assert_outsider_refused
    from training.attendance import record_attendance

    session = make_session(code="HD", host=network["room3"])
    record_attendance(session, people["m3"], "present", None, actor="test", scope=None)
    outsider = certificates.issue(session, people["m3"], actor="t", scope=None)
    auth.login("t02")
    assert_outsider_refused(auth, "training/certificates", outsider.id, outsider.serial)
    assert auth.client.get(f"{BASE}pdf/?id={outsider.id}").status_code == 404
    assert auth.client.get(f"{BASE}revoke/?id={outsider.id}").status_code == 404
    assert auth.post(f"{BASE}revoke/?id={outsider.id}", {"reason": "x"}).status_code == 404
    assert auth.post(f"{BASE}issue/?session={session.id}", {}).status_code == 404
    assert auth.client.get(f"{BASE}pdf/?id=123456789").status_code == 404
    assert Certificate.get_by_id(outsider.id).revoked_at is None
    assert Certificate.select().count() == 1


def test_filter_by_unit_and_sort(attended, people, network, auth):
    """The 所属机构 filter names the holder's station (a join get_query already made):
    Flask-Admin joined the mediator again from the course and the list answered 500."""
    certificates.issue(attended, people["m1"], actor="t", scope=None)
    auth.login("t02")
    for query, holders in (("flt0_0=QD-02-01", True), ("flt0_0=QD-02-02", False),
                           ("flt0_0=QD-02", True), ("flt0_0=QD-11", False)):
        response = auth.client.get(f"{BASE}?{query}&sort=0")
        assert response.status_code == 200, query
        assert ("M001" in response.get_data(as_text=True)) is holders, query
        export = auth.client.get(f"{BASE}export/csv/?{query}")
        assert export.status_code == 200 and ("M001" in export.get_data(as_text=True)) is holders
