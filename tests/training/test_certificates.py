"""Certificates: issued for credited hours only, within scope; verification says valid,
revoked (with the reason) or expired; the PDF carries the holder, course, hours, serial and
the verification URL (text read back with pypdf, QR image present)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from network.errors import DomainError, OutOfScope
from org.models import Mediator
from training import certificates as certs
from training.attendance import record_attendance
from training.models import Certificate, Course, Session

BUNDLED = Path(__file__).resolve().parents[2] / "admin/static/fonts/wqy-zenhei-gb2312.ttf"


@pytest.fixture
def attended(make_session, make_mediator, network):
    session = make_session(code="PX-7", course="调解技巧进阶", host=network["shinan"],
                           start="2026-03-10 09:00", end="2026-03-10 12:00", hours="3")
    present = make_mediator(network["room1"], staff_no="M1", name="李四")
    absent = make_mediator(network["room1"], staff_no="M2")
    record_attendance(session, present, "出席", actor="t", scope=None)
    record_attendance(session, absent, "缺席", actor="t", scope=None)
    return session, present, absent


def test_issue_once_for_credited_hours(attended, network):
    session, present, absent = attended
    certificate = certs.issue(session, present, actor="c", scope=network["shinan"],
                              today=dt.date(2026, 3, 11))
    assert (certificate.hours, certificate.issued, certificate.expires, certificate.issuer) == (
        Decimal("3.0"), dt.date(2026, 3, 11), None, "市南区工作站")
    assert certificate.serial.startswith("2026-") and len(certificate.serial) == 15
    assert certs.issue(session, present, actor="c", scope=None).id == certificate.id
    with pytest.raises(DomainError, match="没有认定学时"):
        certs.issue(session, absent, actor="c", scope=None)
    with pytest.raises(OutOfScope):
        certs.issue(session, present, actor="c", scope=network["huangdao"])
    assert [c.mediator_id for c in certs.issue_for_session(session, actor="c", scope=None)] == [
        present.id]


def test_verification_valid_revoked_expired(attended, network):
    session, present, _ = attended
    Course.update(valid_months=12).where(Course.id == session.course_id).execute()
    certificate = certs.issue(Session.get_by_id(session.id), present, actor="c", scope=None,
                              today=dt.date(2024, 2, 29))
    assert certificate.expires == dt.date(2025, 2, 28)  # a year after a leap day
    assert certs.verify(certificate.serial, today=dt.date(2025, 2, 28))["status"] == "valid"
    assert certs.verify(certificate.serial, today=dt.date(2025, 3, 1))["status"] == "expired"
    assert certs.verify("2026-NOSUCH") is None
    with pytest.raises(OutOfScope):
        certs.revoke(certificate, "信息有误", actor="c", scope=network["huangdao"])
    with pytest.raises(DomainError):
        certs.revoke(certificate, "  ", actor="c", scope=None)
    certs.revoke(certificate, "信息有误", actor="c", scope=network["shinan"])
    page = certs.verify(certificate.serial, today=dt.date(2024, 3, 1))
    assert (page["status"], page["revoke_reason"], page["holder"]) == ("revoked", "信息有误",
                                                                       "李四")
    assert "staff_no" not in page and "M1" not in page.values()
    # a revoked certificate can be issued again
    assert certs.issue(session, present, actor="c", scope=None).id != certificate.id


def test_pdf_reads_back(attended):
    session, present, _ = attended
    certificate = certs.issue(session, present, actor="c", scope=None,
                              today=dt.date(2026, 3, 11))
    data = certs.pdf(certificate, "https://portal.example/verify/")
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    for expected in ("培训证书", "李四", "调解技巧进阶", "3.0", certificate.serial,
                     f"https://portal.example/verify/{certificate.serial}", "市南区工作站",
                     "2026年03月11日", "长期有效"):
        assert expected in text, expected
    assert len(reader.pages[0].images) == 1  # the QR code


def test_missing_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(certs, "KNOWN_FONT_FILES", ())
    monkeypatch.setattr(certs.shutil, "which", lambda name: None)
    monkeypatch.setenv(certs.FONT_ENV, str(tmp_path / "none.ttf"))
    with pytest.raises(DomainError, match="未找到中文字体"):
        certs.cjk_fonts(tmp_path / "missing.ttf")
    assert certs.cjk_fonts(BUNDLED) == [BUNDLED]  # the bundled subset alone is enough


def test_only_a_completed_session_earns_a_certificate(make_session, make_mediator, network):
    """Completed = credited hours equal to the session's 学时: 出席, or 迟到 with every
    scheduled minute; 迟到 150 of 180 minutes gives 3 × 150/180 = 2.5 学时, not a certificate."""
    session = make_session(code="PX-9", start="2026-03-10 09:00", end="2026-03-10 12:00",
                           hours="3")
    full = make_mediator(network["room1"], staff_no="F1")
    whole_late = make_mediator(network["room1"], staff_no="F2")
    partial = make_mediator(network["room1"], staff_no="F3")
    record_attendance(session, full, "出席", actor="t", scope=None)
    record_attendance(session, whole_late, "迟到", 180, actor="t", scope=None)
    record_attendance(session, partial, "迟到", 150, actor="t", scope=None)
    with pytest.raises(DomainError, match="认定学时2.5，未达到该场次学时3.0"):
        certs.issue(session, partial, actor="c", scope=None)
    assert [m.staff_no for m in certs.completers(session)] == ["F1", "F2"]
    issued = certs.issue_for_session(session, actor="c", scope=None)
    assert sorted(c.mediator.staff_no for c in issued) == ["F1", "F2"]
    assert not Certificate.select().where(Certificate.mediator == partial.id).exists()


def qr_matrix(data: bytes) -> list[tuple[int, ...]]:
    """The QR code printed in a certificate PDF, read back as its module matrix (1 = dark):
    the image pypdf extracts, sampled at the centre of each module (segno: scale 4, border 2)."""
    image = PdfReader(io.BytesIO(data)).pages[0].images[0].image.convert("L")
    scale, border = 4, 2
    size = image.width // scale - 2 * border
    return [tuple(int(image.getpixel(((border + x) * scale + scale // 2,
                                      (border + y) * scale + scale // 2)) < 128)
                  for x in range(size)) for y in range(size)]


def test_qr_code_encodes_the_verification_url(attended):
    """No pure-Python QR decoder is well kept on PyPI (pyzbar needs libzbar, zxing-cpp is C++):
    the printed image must be, module for module, what segno encodes for the URL — and not
    what it encodes for another serial."""
    import segno

    session, present, _ = attended
    certificate = certs.issue(session, present, actor="c", scope=None)
    printed = qr_matrix(certs.pdf(certificate, "https://portal.example/verify", BUNDLED))
    url = f"https://portal.example/verify/{certificate.serial}"
    assert printed == [tuple(row) for row in segno.make(url, error="m").matrix]
    other = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert printed != [tuple(row) for row in segno.make(other, error="m").matrix]


def test_bundled_font_first_system_font_for_the_rest(attended, monkeypatch):
    """The certificate is drawn with the bundled GB 2312 subset; a name character outside it
    (堃) comes from the system's full font, embedded as a second font."""
    session, present, _ = attended
    Mediator.update(name="王堃").where(Mediator.id == present.id).execute()
    certificate = certs.issue(session, Mediator.get_by_id(present.id), actor="c", scope=None)
    reader = PdfReader(io.BytesIO(certs.pdf(certificate, "https://p/verify", BUNDLED)))
    assert len(reader.pages[0]["/Resources"]["/Font"]) == 2  # the subset and the fallback
    assert "王堃 同志" in reader.pages[0].extract_text()
    monkeypatch.setattr(certs, "system_cjk_font", lambda: None)
    reader = PdfReader(io.BytesIO(certs.pdf(certificate, "https://p/verify", BUNDLED)))
    assert len(reader.pages[0]["/Resources"]["/Font"]) == 1  # the subset alone


def test_add_months():
    assert certs.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert certs.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert certs.add_months(dt.date(2026, 5, 15), 24) == dt.date(2028, 5, 15)
