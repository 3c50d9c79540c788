"""日历订阅: each account's private .ics URLs — its own feed and, for coordinators and managers,
one per organisation of their scope — made, listed and revoked here; the URL itself answers
without a login (the token is the key) in the public blueprint."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import HiddenField, StringField

from network.errors import OutOfScope
from org.models import ADMIN, MANAGER, MEDIATOR, TRAINER
from training import feeds, ics
from training.models import CalendarFeed

from ..forms import CSRFForm, tr
from ..views.base import Page, as_pk, scoped_org
from .certificates import public_bp


class FeedForm(CSRFForm):
    org = StringField(lazy_gettext("机构编码"), description=lazy_gettext("留空：我的日历"))


class RevokeFeedForm(CSRFForm):
    feed = HiddenField()


def feed_url(feed: CalendarFeed) -> str:
    return url_for("training_public.calendar_feed", token=feed.token, _external=True)


@public_bp.route("/feeds/<token>.ics")
def calendar_feed(token: str):
    feed = feeds.active_feed(token)
    if feed is None:
        abort(404)
    name = feed.organization.name if feed.organization_id else feed.user.username
    response = Response(ics.feed(feeds.feed_sessions(feed), name,
                                 tentative=feeds.tentative_sessions(feed)),
                        mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response


class FeedView(Page):
    roles = (ADMIN, MANAGER, TRAINER, MEDIATOR)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = FeedForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            code = (form.org.data or "").strip()
            try:
                if code and current_user.role == MEDIATOR:
                    abort(403)
                feeds.create_feed(current_user._get_current_object(),
                                  scoped_org(code) if code else None)
            except OutOfScope as exc:
                abort(403, tr(exc.message))
            flash(gettext("已生成新的订阅地址，旧地址已失效"), "success")
            return redirect(url_for(".index"))
        mine = list(CalendarFeed.select().where(CalendarFeed.user == current_user.id,
                                                CalendarFeed.revoked_at.is_null())
                    .order_by(CalendarFeed.id))
        return self.render("training/feeds.html", form=form, feeds=mine, feed_url=feed_url,
                           revoke_form=RevokeFeedForm(),
                           can_org=current_user.role != MEDIATOR)

    @expose("/revoke/", methods=("POST",))
    def revoke(self):
        form = RevokeFeedForm(request.form)
        if not form.validate():
            abort(400)
        pk = as_pk(form.feed.data)
        feed = (CalendarFeed.get_or_none(CalendarFeed.id == pk,
                                         CalendarFeed.user == current_user.id)
                if pk is not None else None)
        if feed is None:
            abort(404)
        feeds.revoke_feed(feed)
        flash(gettext("订阅地址已作废"), "success")
        return redirect(url_for(".index"))
