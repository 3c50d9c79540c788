"""`flask --app wsgi training expire-offers`: the periodic pass (cron) that gives a lapsed
offered seat to the next in line. Pages expire the offers of the sessions they read as well;
this pass is what moves a seat nobody looks at.

`flask --app wsgi training calendar-seed [--year Y]`: after upgrading chinesecalendar (it
learns a year when the State Council publishes it), add that year's official days; the
migration seeded the years known at install time."""
from __future__ import annotations

import datetime as dt

import click

from network.dates import SHANGHAI
from network.db import db
from network.errors import Msg
from training import reference
from training.enrolment import expire_offers

from ..cli import say


@click.group("training", help="培训报名与工作日历")
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


@training_cli.command("calendar-seed")
@click.option("--year", type=int, default=None, help="只补这一年（缺省：chinesecalendar 已知的所有年份）")
def calendar_seed_command(year):
    """Add the official holidays and 调休 days chinesecalendar knows; days already in the
    calendar (an administrator's corrections) are kept."""
    known = reference.official_years()
    if year is not None and year not in known:
        say(Msg("chinesecalendar 没有 %(year)d 年的放假安排（已知 %(first)d–%(last)d 年），"
                "请在“工作日历”页面逐日录入", year=year, first=known[0], last=known[-1]),
            err=True)
        raise click.exceptions.Exit(2)
    years = [year] if year is not None else known
    with db.atomic():
        added, kept = reference.seed_calendar(db.obj, years)
    say(Msg("工作日历 %(first)d–%(last)d 年：新增 %(added)d 天，保留已有 %(kept)d 天",
            first=years[0], last=years[-1], added=added, kept=kept))


def install(app) -> None:
    app.cli.add_command(training_cli)
