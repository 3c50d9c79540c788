"""Training's web room (sessions, calendar, enrolment, attendance, coverage, certificates):
its views, API module and `add_views(admin)`, like admin/evaluation/."""
from __future__ import annotations

from flask_babel import lazy_gettext


def add_views(admin) -> None:
    from training.models import Certificate, Course, Session

    from .agenda import AgendaView
    from .approvals import ApprovalView
    from .attendance import AttendanceView
    from .certificates import CertificateView, public_bp
    from .cli import install as install_cli
    from .courses import CourseView
    from .coverage import CoverageView
    from .enrolment import EnrolmentView
    from .feedback_report import FeedbackReportView
    from .feeds import FeedView
    from .homes import add_panels
    from .mine import MyTrainingView
    from .record import TrainingRecordView
    from .reference import RequirementView, WorkCalendarView
    from .sessions import SessionView

    category = lazy_gettext("培训")
    admin.add_view(SessionView(Session, name=lazy_gettext("培训场次"), category=category,
                               endpoint="training_sessions", url="/admin/training/sessions"))
    admin.add_view(CourseView(Course, name=lazy_gettext("培训课程"), category=category,
                              endpoint="training_courses", url="/admin/training/courses"))
    admin.add_view(AgendaView(name=lazy_gettext("培训日历"), category=category,
                              endpoint="training_agenda", url="/admin/training/calendar"))
    admin.add_view(CertificateView(Certificate, name=lazy_gettext("培训证书"), category=category,
                                   endpoint="training_certificates",
                                   url="/admin/training/certificates"))
    admin.app.register_blueprint(public_bp)
    admin.add_view(CoverageView(name=lazy_gettext("培训覆盖"), category=category,
                                endpoint="training_coverage", url="/admin/training/coverage"))
    admin.add_view(FeedbackReportView(name=lazy_gettext("培训评价"), category=category,
                                      endpoint="training_feedback",
                                      url="/admin/training/feedback"))
    admin.add_view(ApprovalView(name=lazy_gettext("待审批"), category=category,
                                endpoint="training_approvals", url="/admin/training/approvals"))
    # Pages of one session (?session=ID), reached from its details page, not from the menu.
    admin.add_view(EnrolmentView(name=lazy_gettext("报名管理"), endpoint="training_enrolment",
                                 url="/admin/training/enrolment"))
    admin.add_view(AttendanceView(name=lazy_gettext("出勤登记"), endpoint="training_attendance",
                                  url="/admin/training/attendance"))
    admin.add_view(MyTrainingView(name=lazy_gettext("我的培训"), endpoint="training_mine",
                                  url="/admin/training/my"))
    admin.add_view(TrainingRecordView(name=lazy_gettext("培训档案"), endpoint="training_record",
                                      url="/admin/training/record"))
    admin.add_view(FeedView(name=lazy_gettext("日历订阅"), category=category,
                            endpoint="training_feeds", url="/admin/training/feeds"))
    admin.add_view(WorkCalendarView(name=lazy_gettext("工作日历"), category=category,
                                    endpoint="training_workdays", url="/admin/training/workdays"))
    admin.add_view(RequirementView(name=lazy_gettext("培训要求"), category=category,
                                   endpoint="training_requirements",
                                   url="/admin/training/requirements"))
    add_panels()
    install_cli(admin.app)
