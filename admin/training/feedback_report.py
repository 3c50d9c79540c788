"""培训评价: the coordinator's averages per session and per trainer for their scope (managers
read theirs), one decimal, the comments of one session on drill-down (?session=ID), each table
exported through the one XLSX writer. The figures are training.feedback's."""
from __future__ import annotations

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext

from org.models import ADMIN, MANAGER, TRAINER, Mediator
from training import feedback
from training.models import Feedback, Session

from ..views.base import Page, current_scope, xlsx_download
from .coverage import Table
from .sessions import visible_session


def build_tables() -> dict[str, Table]:
    scope = current_scope()
    per_session = feedback.by_session(scope, places=1)
    sessions = (Session.select().where(Session.id.in_(list(per_session) or [0]))
                .order_by(Session.start.desc(), Session.code))
    averages = [gettext("评价人数"), gettext("内容平均分"), gettext("讲师平均分"),
                gettext("组织平均分")]

    def figures(avg) -> list:
        return [avg.count, avg.content, avg.trainer, avg.organisation]

    session_rows = [[s.code, s.course.name, s.start_day.isoformat(), s.trainers,
                     *figures(per_session[s.id])] for s in sessions]
    links = [url_for(".index", session=s.id) for s in sessions]
    trainer_rows = [[name, *figures(avg)]
                    for name, avg in feedback.by_trainer(scope, places=1).items()]
    return {
        "sessions": Table("sessions", gettext("按场次"),
                          [gettext("场次编号"), gettext("课程"), gettext("日期"),
                           gettext("讲师"), *averages], session_rows, links),
        "trainers": Table("trainers", gettext("按讲师"), [gettext("讲师"), *averages],
                          trainer_rows),
    }


class FeedbackReportView(Page):
    roles = (ADMIN, MANAGER, TRAINER)

    @expose("/")
    def index(self):
        if request.args.get("session"):
            session = visible_session(request.args["session"])
            comments = list(Feedback.select(Feedback, Mediator).join(Mediator)
                            .where(Feedback.session == session.id, Feedback.comment != "")
                            .order_by(Feedback.created_at, Feedback.id))
            return self.render("training/feedback_report.html", session=session,
                               comments=comments, tables={})
        return self.render("training/feedback_report.html", session=None,
                           tables=build_tables())

    @expose("/export.xlsx")
    def export(self):
        table = build_tables().get(request.args.get("table", ""))
        if table is None:
            abort(404)
        return xlsx_download(gettext("培训评价") + "_" + table.title, table.headers, table.rows)
