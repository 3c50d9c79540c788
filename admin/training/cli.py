"""`flask --app wsgi training expire-offers`: the periodic pass (cron) that gives a lapsed
offered seat to the next in line. Pages expire the offers of the sessions they read as well;
this pass is what moves a seat nobody looks at."""
from __future__ import annotations

import datetime as dt

import click

from network.errors import Msg
from training.enrolment import expire_offers
from training.models import SHANGHAI

from ..cli import say


@click.group("training", help="培训报名")
def training_cli():
    pass


@training_cli.command("expire-offers")
@click.option("--at", "at", default=None, metavar="'YYYY-MM-DD HH:MM'",
              help="按此时刻（北京时间）判断是否过期，缺省为现在")
def expire_offers_command(at):
    """Offers past their time lose the seat to the next in line (run every few minutes)."""
    moment = dt.datetime.now(SHANGHAI)
    if at:
        try:
            moment = dt.datetime.strptime(at.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
        except ValueError:
            say(Msg("--at 应为 YYYY-MM-DD HH:MM 格式的时刻"), err=True)
            raise click.exceptions.Exit(2) from None
    say(Msg("已过期的候补名额：%(n)d 个，已顺延给下一位", n=expire_offers(moment)))


def install(app) -> None:
    app.cli.add_command(training_cli)
