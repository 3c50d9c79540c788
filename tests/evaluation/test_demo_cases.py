"""The demo loads its case ledger through the ledger's rules, once, and the KPIs agree."""
from __future__ import annotations

import datetime as dt

from network.dates import local_today


def test_demo_cases_load_and_kpis_match_the_cases(database):
    from admin.demo import CASE_COUNT, load_demo
    from evaluation.kpis import kpis, kpis_direct
    from evaluation.models import OPEN, Case
    from network.models import Organization
    from org.models import Assignment

    summary = load_demo()
    assert f"{CASE_COUNT} 件案件" in str(summary)
    assert Case.select().count() == CASE_COUNT
    today = local_today()
    start = today - dt.timedelta(days=3 * 365)
    assert not Case.select().where((Case.received < start) | (Case.received > today)).exists()
    # Every case was received by a mediator already serving its station on that day.
    served = (Case.select().join(Assignment, on=(
        (Assignment.mediator == Case.mediator) & (Assignment.station == Case.station)
        & (Assignment.start <= Case.received))).distinct().count())
    assert served == CASE_COUNT

    city = Organization.get(Organization.code == "QD")
    figures = kpis(city, start, today)
    assert figures == kpis_direct(city, start, today)
    assert figures["received"] == CASE_COUNT
    open_cases = Case.select().where(Case.result == OPEN).count()
    assert figures["closed"] == CASE_COUNT - open_cases
    assert 0.05 < open_cases / CASE_COUNT < 0.11
    assert 0.55 < figures["success_rate"] < 0.67
    assert 10 < figures["avg_days"] < 22

    load_demo()  # a second run adds nothing
    assert Case.select().count() == CASE_COUNT
