"""Certificates (培训证书): issue, revoke, verify, and the printable PDF.

A certificate is issued to a mediator who completed the session: credited hours equal to the
session's 学时 (domain.md's rule gives that to 出席, and to 迟到/早退 only when the minutes
missed round away to nothing). A partial credit (a late arrival's 1.5 of 3 学时) counts
towards the year's hours but is not a completed course, so it earns no certificate; the
refusal names the hours credited and the hours required. Its expiry is
fixed at issue from the course's validity (none: it does not expire), so a later change of
the course does not move dates already printed. The serial carries a random part, so the
public verification page cannot be walked serial by serial. Revocation keeps the row (the
page then says revoked, with the reason) and is audited.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

from network import audit
from network.dates import local_today
from network.db import N_, db
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.fields import plain
from network.models import Organization, now
from org.models import Mediator
from org.services import in_scope

from .models import CANCELLED, Attendance, Certificate, Session
from .sessions import check_scope

VALID, REVOKED, EXPIRED = "valid", "revoked", "expired"
CERTIFICATE_STATUSES = {VALID: N_("有效"), REVOKED: N_("已撤销"), EXPIRED: N_("已过期")}
FONT_ENV = "PORTAL_CJK_FONT"
FONT_FAMILY = "WenQuanYi Zen Hei"
KNOWN_FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc")


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def new_serial(issued: dt.date) -> str:
    return f"{issued.year}-{secrets.token_hex(5).upper()}"


def completed(record: Attendance, session: Session) -> bool:
    """The course was completed: every 学时 of the session credited (see the module's rule)."""
    return Decimal(record.credited) >= Decimal(session.hours) > 0


def issue(session: Session, mediator: Mediator, *, actor: str, scope: Organization | None,
          issuer: str | None = None, today: dt.date | None = None) -> Certificate:
    """Issue (once) the certificate of `mediator` for `session`, for the hours credited."""
    check_scope(session, scope)
    if not in_scope(mediator, scope):
        raise OutOfScope(Msg("调解员「%(no)s」超出您的管辖范围", no=mediator.staff_no))
    if session.status == CANCELLED:
        raise DomainError(Msg("场次「%(code)s」已取消", code=session.code))
    record = Attendance.get_or_none(Attendance.session == session.id,
                                    Attendance.mediator == mediator.id)
    if record is None or Decimal(record.credited) <= 0:
        raise DomainError(Msg("调解员「%(no)s」在场次「%(code)s」没有认定学时，不能发证",
                              no=mediator.staff_no, code=session.code))
    if not completed(record, session):
        raise DomainError(Msg("调解员「%(no)s」在场次「%(code)s」认定学时%(credited)s，未达到该场次"
                              "学时%(hours)s（未完成培训），不能发证", no=mediator.staff_no,
                              code=session.code, credited=f"{Decimal(record.credited):.1f}",
                              hours=f"{Decimal(session.hours):.1f}"))
    existing = Certificate.get_or_none(Certificate.session == session.id,
                                       Certificate.mediator == mediator.id,
                                       Certificate.revoked_at.is_null())
    if existing is not None:
        return existing
    issued = today or local_today()
    course = session.course
    expires = add_months(issued, course.valid_months) if course.valid_months else None
    with db.atomic():
        certificate = Certificate.create(
            serial=new_serial(issued), mediator=mediator, course=course, session=session,
            hours=record.credited, issued=issued, expires=expires,
            issuer=issuer or session.host.name)
        audit.record(actor, "create", "certificate", certificate.id, certificate.serial,
                     {"mediator": [None, mediator.staff_no], "session": [None, session.code],
                      "hours": [None, str(record.credited)]}, org_path=session.host.path)
    return certificate


def issue_for_session(session: Session, *, actor: str, scope: Organization | None,
                      today: dt.date | None = None) -> list[Certificate]:
    """Certificates for everyone who completed `session` (existing ones kept)."""
    check_scope(session, scope)
    people = completers(session)
    return [issue(session, person, actor=actor, scope=scope, today=today) for person in people
            if in_scope(person, scope)]


def completers(session: Session) -> list[Mediator]:
    """Who completed `session`, by 工号 (each with `.credited`, their hours there)."""
    return list(Mediator.select(Mediator, Attendance.credited)
                .join(Attendance, on=(Attendance.mediator == Mediator.id))
                .where(Attendance.session == session.id, Attendance.credited > 0,
                       Attendance.credited >= session.hours)
                .order_by(Mediator.staff_no).objects())


def revoke(certificate: Certificate, reason: str, *, actor: str,
           scope: Organization | None) -> Certificate:
    if scope is not None and not scope.contains(certificate.mediator.station):
        raise OutOfScope(Msg("证书「%(serial)s」超出您的管辖范围", serial=certificate.serial))
    reason = plain(reason)
    if not reason:
        raise ValidationError({"revoke_reason": Msg("请填写撤销原因")})
    if len(reason) > 200:
        raise ValidationError({"revoke_reason": Msg("不能超过%(n)d个字符", n=200)})
    if certificate.revoked_at is not None:
        raise DomainError(Msg("证书「%(serial)s」已撤销", serial=certificate.serial))
    with db.atomic():
        certificate.revoked_at, certificate.revoke_reason = now(), reason
        certificate.save(only=[Certificate.revoked_at, Certificate.revoke_reason])
        audit.record(actor, "close", "certificate", certificate.id, certificate.serial,
                     {"revoke_reason": [None, reason]},
                     org_path=certificate.mediator.station.path)
    return certificate


def status(certificate: Certificate, today: dt.date | None = None) -> str:
    if certificate.revoked_at is not None:
        return REVOKED
    if certificate.expires is not None and (today or local_today()) > certificate.expires:
        return EXPIRED
    return VALID


def verify(serial: str, today: dt.date | None = None) -> dict | None:
    """What the public verification page shows for a serial (None: no such certificate).
    The holder's name only, never their 工号 or other personal data."""
    certificate = Certificate.get_or_none(Certificate.serial == plain(serial))
    if certificate is None:
        return None
    return {"serial": certificate.serial, "holder": certificate.mediator.name,
            "course": certificate.course.name, "hours": f"{certificate.hours:.1f}",
            "issued": certificate.issued.isoformat(), "issuer": certificate.issuer,
            "expires": certificate.expires.isoformat() if certificate.expires else None,
            "status": status(certificate, today),
            "revoke_reason": certificate.revoke_reason if certificate.revoked_at else None}


def system_cjk_font() -> Path | None:
    """A font file with Chinese glyphs installed on the machine: $PORTAL_CJK_FONT, else what
    fontconfig finds for WenQuanYi Zen Hei, else its usual Debian paths (fonts-wqy-zenhei)."""
    candidates = [os.environ.get(FONT_ENV, "")]
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", FONT_FAMILY], capture_output=True,
                               text=True, timeout=10, check=False).stdout.strip()
        if "wqy" in found.lower():
            candidates.append(found)
    candidates += KNOWN_FONT_FILES
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def cjk_fonts(bundled: Path | None = None) -> list[Path]:
    """The fonts the PDF is drawn with, first choice first: the bundled subset (the web layer
    ships one, GB 2312 only, so the PDF does not depend on the machine), then the system's
    full font for any character outside it. Without either the PDF cannot be made, and the
    message says which font to install."""
    fonts = [font for font in (bundled if bundled and bundled.is_file() else None,
                               system_cjk_font()) if font is not None]
    if not fonts:
        raise DomainError(Msg("未找到中文字体：请安装 fonts-wqy-zenhei，或用环境变量 %(env)s 指定字体文件",
                              env=FONT_ENV))
    return fonts


def add_cjk_fonts(document, bundled: Path | None = None) -> str:
    """Register cjk_fonts() with an fpdf2 document, the later ones as fallbacks for glyphs the
    first lacks; the family name to `set_font` with."""
    families = []
    for number, font in enumerate(cjk_fonts(bundled)):
        families.append(f"cjk{number}")
        document.add_font(families[-1], fname=str(font),
                          **({"collection_font_number": 0} if font.suffix == ".ttc" else {}))
    document.set_fallback_fonts(families[1:])
    return families[0]


def verify_url(certificate: Certificate, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/{certificate.serial}"


def pdf(certificate: Certificate, base_url: str, bundled_font: Path | None = None) -> bytes:
    """The printable certificate (A4 landscape): holder, course, hours, dates, issuer, and a
    QR code with the verification URL (also printed below it, for typing)."""
    import segno
    from fpdf import FPDF

    if certificate.revoked_at is not None:  # a printout would pass for a valid one
        raise DomainError(Msg("证书「%(serial)s」已撤销，不再提供打印", serial=certificate.serial))
    url = verify_url(certificate, base_url)
    document = FPDF(orientation="L", format="A4")
    document.set_auto_page_break(False)
    document.add_page()
    family = add_cjk_fonts(document, bundled_font)
    document.set_draw_color(150, 30, 30)
    document.set_line_width(1.2)
    document.rect(10, 10, 277, 190)
    document.set_font(family, size=30)
    document.set_y(32)
    document.cell(0, 16, "培训证书", align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_font(family, size=15)
    document.ln(12)
    lines = [
        f"{certificate.mediator.name} 同志：",
        f"参加「{certificate.course.name}」培训，认定学时 {certificate.hours:.1f} 学时，特发此证。",
    ]
    if certificate.session is not None:
        start = certificate.session.start
        lines.append(f"培训时间：{start:%Y年%m月%d日}　场次：{certificate.session.code}")
    for line in lines:
        document.set_x(35)
        document.cell(0, 12, line, new_x="LMARGIN", new_y="NEXT")
    document.set_font(family, size=12)
    document.set_xy(35, 150)
    document.cell(0, 8, f"证书编号：{certificate.serial}", new_x="LMARGIN", new_y="NEXT")
    document.set_x(35)
    valid = (f"有效期至：{certificate.expires:%Y年%m月%d日}" if certificate.expires
             else "长期有效")
    document.cell(0, 8, f"发证日期：{certificate.issued:%Y年%m月%d日}　{valid}",
                  new_x="LMARGIN", new_y="NEXT")
    document.set_xy(170, 150)
    document.cell(80, 8, f"发证机构：{certificate.issuer}", align="R")
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=4, border=2)
    image.seek(0)
    document.image(image, x=232, y=30, w=40, h=40)
    document.set_font(family, size=7)
    document.set_xy(212, 72)
    document.cell(80, 5, url, align="C")
    return bytes(document.output())
