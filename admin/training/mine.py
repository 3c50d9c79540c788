"""我的培训: what a mediator does for themself — sign up for an open session, accept or decline
a seat offered from the waitlist, withdraw from a session, mark their notices read, give feedback on a session they attended, download a session
as .ics. Every action names only the caller's own mediator record; another's enrolment id is
simply not found (404)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import SelectField, TextAreaField

from network.errors import DomainError, ValidationError
from org.models import MEDIATOR
from training import enrolment, feedback, ics, notices
from training.models import ENROLLED, OPEN, REJECTED, WITHDRAWN, Attendance, Enrolment, Session

from ..forms import CSRFForm, apply_errors, tr
from ..views.base import Page, as_pk

RATING_CHOICES = [(str(n), str(n)) for n in range(5, 0, -1)]


class FeedbackForm(CSRFForm):
    content_rating = SelectField(lazy_gettext("内容评分"), choices=RATING_CHOICES)
    trainer_rating = SelectField(lazy_gettext("主讲人评分"), choices=RATING_CHOICES)
    organisation_rating = SelectField(lazy_gettext("组织评分"), choices=RATING_CHOICES)
    comment = TextAreaField(lazy_gettext("意见建议"))


class MyTrainingView(Page):
    roles = (MEDIATOR,)

    def is_visible(self) -> bool:
        return False  # reached from the mediator's home panel

    def _me(self):
        mediator = current_user.mediator
        if mediator is None:
            abort(403)
        return mediator

    def _home(self):
        return redirect(url_for("admin.index"))

    def _session(self, pk, mediator) -> Session:
        """A session the caller has a place at or a record of, in any state; every other id
        is answered like a missing one, so that a planned session of another county shows
        neither its code nor its course."""
        pk = as_pk(pk)
        session = Session.get_or_none(Session.id == pk) if pk is not None else None
        if session is None or not (
                Enrolment.select().where(Enrolment.session == session.id,
                                            Enrolment.mediator == mediator.id).exists()
                or Attendance.select().where(Attendance.session == session.id,
                                             Attendance.mediator == mediator.id).exists()):
            abort(404)
        return session

    def _post_checked(self) -> None:
        if not CSRFForm(request.form).validate():
            abort(400)

    @expose("/")
    def index(self):
        return self._home()  # everything is on the home panel

    @expose("/signup/", methods=("POST",))
    def signup(self):
        self._post_checked()
        mediator = self._me()
        pk = as_pk(request.form.get("session"))
        session = Session.get_or_none(Session.id == pk) if pk is not None else None
        if session is None or session.status != OPEN:  # named by no code: it may be anyone's
            flash(gettext("该场次不存在或不在报名中"), "error")
            return self._home()
        try:
            placed = enrolment.sign_up(session, mediator, actor=current_user.username)
        except DomainError as exc:
            flash(tr(exc.message), "error")
        else:
            flash({"enrolled": gettext("报名成功"), "waitlisted": gettext("名额已满，已进入候补"),
                   "pending": gettext("已提交，等待审批")}.get(placed.status, gettext("已报名")),
                  "success")
        return self._home()

    def _own_enrolment(self, mediator) -> Enrolment:
        """The caller's own enrolment named by the form; another's id is simply not found."""
        pk = as_pk(request.form.get("enrolment"))
        row = (Enrolment.get_or_none(Enrolment.id == pk, Enrolment.mediator == mediator.id)
               if pk is not None else None)
        if row is None:
            abort(404)
        return row

    @expose("/withdraw/", methods=("POST",))
    def withdraw(self):
        """退出 a session (the confirmation is asked on the page before the POST)."""
        self._post_checked()
        row = self._own_enrolment(self._me())
        try:
            enrolment.withdraw(row, actor=current_user.username, own=True)
        except DomainError as exc:
            flash(tr(exc.message), "error")
        else:
            flash(gettext("已取消报名"), "success")
        return self._home()

    @expose("/notices/read/", methods=("POST",))
    def notices_read(self):
        """Mark the notices named (or, with none named, all of the caller's) as read."""
        self._post_checked()
        mediator = self._me()
        ids = [pk for pk in (as_pk(v) for v in request.form.getlist("notice")) if pk is not None]
        if not ids:
            ids = [n.id for n in notices.unread(mediator.id)]
        notices.mark_read(mediator.id, ids)
        return self._home()

    @expose("/offer/", methods=("POST",))
    def offer(self):
        self._post_checked()
        row = self._own_enrolment(self._me())
        try:
            if request.form.get("answer") == "accept":
                enrolment.accept_offer(row, actor=current_user.username)
                flash(gettext("已接受名额"), "success")
            else:
                enrolment.decline_offer(row, actor=current_user.username)
                flash(gettext("已放弃名额"), "success")
        except DomainError as exc:
            flash(tr(exc.message), "error")
        return self._home()

    @expose("/feedback/", methods=("GET", "POST"))
    def feedback_view(self):
        mediator = self._me()
        session = self._session(request.args.get("session"), mediator)
        form = FeedbackForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                feedback.submit(session, mediator, {name: field.data for name, field in
                                                    form._fields.items()})
            except ValidationError as exc:
                apply_errors(form, exc.errors)
            except DomainError as exc:
                flash(tr(exc.message), "error")
                return self._home()
            else:
                flash(gettext("感谢您的评价"), "success")
                return self._home()
        return self.render("training/feedback.html", session=session, form=form)

    @expose("/session.ics")
    def session_ics(self):
        """One of the caller's own sessions as a calendar file: METHOD:CANCEL when the session
        was cancelled or the caller's place was given up or refused."""
        mediator = self._me()
        session = self._session(request.args.get("session"), mediator)
        mine = Enrolment.get_or_none(Enrolment.session == session.id,
                                     Enrolment.mediator == mediator.id)
        if mine is None:
            abort(404)
        response = Response(ics.session_file(session,
                                             withdrawn=mine.status in (WITHDRAWN, REJECTED),
                                             tentative=mine.status != ENROLLED),
                            mimetype="text/calendar")
        response.headers["Content-Disposition"] = f"attachment; filename={session.code}.ics"
        return response



