"""The printable sign-in sheet (签到表) of a session: one line per seat holder with room to sign
in and out. Drawn with fpdf2 and the CJK fonts training.certificates finds (the bundled subset first), like the
certificate."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from org.models import Mediator
from training.certificates import add_cjk_fonts
from training.models import Session

# GB 2312 subset of WenQuanYi Zen Hei (admin/static/fonts/README.md): the PDFs' first font
BUNDLED_FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "wqy-zenhei-gb2312.ttf"

COLUMNS = (("序号", 14), ("工号", 28), ("姓名", 30), ("所属机构", 58), ("签到", 30), ("签退", 30))


def signin_sheet(session: Session, people: list[Mediator]) -> bytes:
    document = FPDF(orientation="P", format="A4")
    family = add_cjk_fonts(document, BUNDLED_FONT)
    document.add_page()
    document.set_font(family, size=16)
    document.cell(0, 10, f"签到表　{session.code} {session.course.name}", align="C",
                  new_x="LMARGIN", new_y="NEXT")
    document.set_font(family, size=10)
    place = session.venue or session.online_link
    document.cell(0, 7, f"时间：{session.start:%Y-%m-%d %H:%M} – {session.end:%Y-%m-%d %H:%M}"
                  f"　地点：{place}　主讲人：{session.trainers}　学时：{session.hours}",
                  new_x="LMARGIN", new_y="NEXT")
    document.ln(2)

    def header() -> None:
        for text, width in COLUMNS:
            document.cell(width, 8, text, border=1, align="C")
        document.ln()

    header()
    for number, mediator in enumerate(people, 1):
        if document.get_y() > 270:
            document.add_page()
            header()
        values = (str(number), mediator.staff_no, mediator.name, mediator.station.name, "", "")
        for value, (_, width) in zip(values, COLUMNS, strict=True):
            document.cell(width, 9, value[:24], border=1)
        document.ln()
    return bytes(document.output())
