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
