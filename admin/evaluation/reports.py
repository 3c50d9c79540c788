"""The statistical report page: pick a unit of your scope and a period, download the XLSX.

The workbook is evaluation.report's (the same figures as the dashboard and the API). The unit
comes from `?org=CODE` (404 unknown or outside the caller's scope, like the dashboard) and the period
from `?period=2025-03|2025Q1|2025`; a period that is not one is answered 400 with the reason.
"""
from __future__ import annotations

import io
from urllib.parse import quote

from flask import Response, request
from flask_admin import expose

from evaluation.periods import parse_period
from evaluation.report import build_report
from network.dates import local_today

from ..forms import tr
from ..i18n import label
from ..views.base import Page, chosen_org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(book, name: str) -> Response:
    """An openpyxl workbook as an attachment whose Chinese file name survives (RFC 5987)."""
    buffer = io.BytesIO()
    book.save(buffer)
    response = Response(buffer.getvalue(), mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=report.xlsx; filename*=UTF-8''{quote(name)}")
    return response


class ReportView(Page):
    @expose("/")
    def index(self):
        org = chosen_org()
        default = str(local_today().year)
        return self.render("evaluation/reports.html", org=org, error=None,
                           period=(request.args.get("period") or default)[:20])

    @expose("/download")
    def download(self):
        org = chosen_org()
        text = (request.args.get("period") or "").strip()[:20]
        error = None if org is not None else label("没有可以统计的机构。")
        if error is None:
            try:
                period = parse_period(text)
            except ValueError as exc:
                error = tr(exc.args[0])
        if error is not None:
            return self.render("evaluation/reports.html", org=org, error=error, period=text), 400
        book = build_report(org, period, label=label)
        return workbook_response(book, f"{org.name}_{period.text}_{label('统计报表')}.xlsx")
