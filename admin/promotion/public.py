"""公示: the public notice of proposed promotions (no login: anyone may read it), the
objection any logged-in user files against one, and `flask --app wsgi promotion effect`,
which applies what is due (notices that have run their working days, then the promotions of
every round whose effective date has come)."""
from __future__ import annotations

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from network.dates import iso_day, local_today
from network.errors import DomainError, ValidationError
from network.models import Organization
from org.models import GRADES, Mediator
from promotion import rounds
from promotion.models import NOTICE, OBJECTION, OPEN, STATES, Application, PromotionRound

from ..forms import CSRFForm, tr
from ..views.base import as_pk
from .common import actor

notice_bp = Blueprint("notice", __name__, url_prefix="/notice")


def on_notice():
    """Applications of open rounds now on 公示, or held by an objection (still listed, marked)."""
    return (Application.select(Application, Mediator, Organization, PromotionRound)
            .join(Mediator, on=(Application.mediator == Mediator.id))
            .switch(Application).join(Organization, on=(Application.station == Organization.id))
            .switch(Application).join(PromotionRound)
            .where((PromotionRound.status == OPEN)
                   & Application.state.in_([NOTICE, OBJECTION]))
            .order_by(PromotionRound.id, Organization.code, Mediator.staff_no))


@notice_bp.route("/")
def index():
    rows = list(on_notice())
    return render_template("promotion/notice.html", rows=rows, grades=GRADES, states=STATES,
                           until={a.id: rounds.notice_until(a) for a in rows},
                           form=CSRFForm() if current_user.is_authenticated else None,
                           today=local_today())


@notice_bp.route("/<application_id>/object", methods=("POST",))
@login_required
def object_(application_id):
    pk = as_pk(application_id)
    application = on_notice().where(Application.id == pk).first() if pk else None
    if application is None:
        abort(404)
    if not CSRFForm(request.form).validate():
        abort(400)
    try:
        rounds.file_objection(application, request.form.get("reason", ""), actor=actor())
    except ValidationError as exc:
        flash("；".join(tr(m) for m in exc.errors.values()), "error")
        return redirect(url_for(".index"))
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return redirect(url_for(".index"))
    flash(gettext("异议已提交，该申请暂停公示，由决定层级处理"), "success")
    return redirect(url_for(".index"))


@click.group("promotion", help="晋升评审轮次")
def promotion_cli():
    pass


@promotion_cli.command("effect")
@click.option("--on", "on", default=None, help="按此日期办理（YYYY-MM-DD），缺省为今天")
def effect(on):
    """Close the notices that have run, then apply the promotions of every open round whose
    effective date has come (each step audited as the system)."""
    day = iso_day(on) if on else local_today()
    if day is None:
        raise click.BadParameter("应为 YYYY-MM-DD 格式的日期", param_hint="--on")
    system = rounds.Actor("system")
    for round_ in PromotionRound.select().where(PromotionRound.status == OPEN):
        closed = rounds.close_notices(round_, actor=system, on=day)
        done = []
        if day >= round_.effective_date:
            try:
                done = rounds.take_effect(round_, actor=system, on=day)
            except DomainError as exc:
                click.echo(f"{round_.name}: {tr(exc.message)}", err=True)
        click.echo(f"{round_.name}: {len(closed)} 公示期满, {len(done)} 生效")


def install(app) -> None:
    app.register_blueprint(notice_bp)
    app.cli.add_command(promotion_cli)
