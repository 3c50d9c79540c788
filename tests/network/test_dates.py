"""Which day it is: Shanghai's, whatever the server's time zone (servers run UTC, and from
16:00 UTC their date is still yesterday's there)."""
from __future__ import annotations

import datetime as dt

from network.dates import SHANGHAI, local_today

UTC = dt.UTC


def test_from_16_00_utc_it_is_already_tomorrow_in_shanghai():
    assert local_today(dt.datetime(2026, 12, 4, 16, 30, tzinfo=UTC)) == dt.date(2026, 12, 5)
    assert local_today(dt.datetime(2026, 12, 4, 15, 59, tzinfo=UTC)) == dt.date(2026, 12, 4)
    assert local_today(dt.datetime(2026, 12, 4, 16, 0, tzinfo=UTC)) == dt.date(2026, 12, 5)
    # a moment already in Shanghai time is that day
    assert local_today(dt.datetime(2026, 12, 5, 0, 30, tzinfo=SHANGHAI)) == dt.date(2026, 12, 5)


def test_the_servers_own_zone_does_not_move_it(server_behind_shanghai):
    before = dt.datetime.now(UTC).astimezone(SHANGHAI).date()
    today = local_today()
    after = dt.datetime.now(UTC).astimezone(SHANGHAI).date()
    assert today in (before, after)
    assert dt.date.today() < today  # what the code base used to call today


def test_stored_timestamps_are_shanghai_wall_clock(server_behind_shanghai, database):
    """Every created_at, notice time and export name reads in Shanghai's time whatever the
    server's zone: a UTC server showed a notice sent at 02:33 in Shanghai as 18:33 the day
    before."""
    from network.audit import AuditLog, record
    from network.dates import local_now
    from network.models import now

    shanghai = dt.datetime.now(UTC).astimezone(SHANGHAI).replace(tzinfo=None)
    assert abs(local_now() - shanghai) < dt.timedelta(seconds=5)
    assert abs(now() - shanghai) < dt.timedelta(seconds=5)
    record("t", "create", "case", 1, "x", {})
    assert abs(AuditLog.get().created_at - shanghai) < dt.timedelta(seconds=5)
    assert abs(dt.datetime.now() - shanghai) > dt.timedelta(hours=20)  # the server's own clock
