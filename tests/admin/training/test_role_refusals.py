"""Refusals the review found untested: a mediator on the certificate pages and the sign-in
sheet (403: not their pages, whatever the id), a manager writing attendance or issuing and
revoking certificates (403, nothing written). Each also checks the data did not change."""
from __future__ import annotations

import pytest

from training import certificates
from training.attendance import record_attendance
from training.models import Attendance, Certificate

CERTS = "/admin/training/certificates/"
ATTEND = "/admin/training/attendance/"


@pytest.fixture
def issued(people, network, make_session):
    session = make_session(code="S1", host=network["shinan"])
    record_attendance(session, people["m1"], "present", None, actor="t", scope=None)
    return session, certificates.issue(session, people["m1"], actor="t", scope=None)


def test_mediator_on_certificate_pages_and_sign_in_sheet(issued, people, auth):
    session, own = issued
    auth.login("med1")  # even their own certificate: the mediator's way is 培训档案
    for url in (CERTS, f"{CERTS}details/?id={own.id}", f"{CERTS}pdf/?id={own.id}",
                f"{CERTS}issue/?session={session.id}", f"{CERTS}revoke/?id={own.id}",
                f"{ATTEND}?session={session.id}", f"{ATTEND}sheet.pdf?session={session.id}"):
        assert auth.client.get(url).status_code == 403, url
    assert auth.post(f"{CERTS}revoke/?id={own.id}", {"reason": "x"}).status_code == 403
    assert auth.post(f"{CERTS}issue/?session={session.id}", {}).status_code == 403
    assert auth.post(f"{ATTEND}?session={session.id}",
                     {f"status-{people['m1'].id}": "absent"}).status_code == 403
    assert Certificate.get_by_id(own.id).revoked_at is None
    assert Attendance.get().status == "present"


def test_manager_reads_but_cannot_write(issued, people, auth):
    session, certificate = issued
    Certificate.delete().execute()
    auth.login("mgr02")
    assert auth.client.get(f"{ATTEND}?session={session.id}").status_code == 200
    response = auth.post(f"{ATTEND}?session={session.id}",
                         {f"status-{people['m1'].id}": "absent"})
    assert response.status_code == 403
    assert Attendance.get().status == "present"
    assert auth.post(f"{CERTS}issue/?session={session.id}", {}).status_code == 403
    assert Certificate.select().count() == 0
    kept = certificates.issue(session, people["m1"], actor="t", scope=None)
    assert auth.post(f"{CERTS}revoke/?id={kept.id}", {"reason": "x"}).status_code == 403
    assert Certificate.get_by_id(kept.id).revoked_at is None
