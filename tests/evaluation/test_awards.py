"""Award records: recipient rules, jurisdiction, audit."""
from __future__ import annotations

import datetime as dt

import pytest

from network.errors import OutOfScope, ValidationError


def _data(**extra):
    return {"award_type": "年度优秀调解员", "level": "county", "period": "2024",
            "doc_no": "南司发〔2025〕3号", "awarded_on": dt.date(2025, 1, 20), **extra}


def test_create_for_a_mediator_is_audited_with_the_recipient_path(network, make_mediator):
    from evaluation.awards import create_award
    from evaluation.models import Award
    from network.models import AuditLog

    m = make_mediator(network["room1"])
    award = create_award(_data(mediator=m), actor="boss", scope=network["shinan"])
    assert Award.get_by_id(award.id).mediator_id == m.id
    log = AuditLog.get(AuditLog.table == "award")
    assert log.action == "create" and log.org_path == network["room1"].path
    assert log.changes_dict["doc_no"] == "南司发〔2025〕3号"


def test_recipient_must_be_exactly_one(network, make_mediator):
    from evaluation.awards import create_award
    from evaluation.models import Award

    m = make_mediator(network["room1"])
    with pytest.raises(ValidationError) as none:
        create_award(_data(), actor="t", scope=None)
    assert "二者选其一" in str(none.value.errors["mediator"])
    with pytest.raises(ValidationError) as both:
        create_award(_data(mediator=m, station=network["room1"]), actor="t", scope=None)
    assert "不能同时填写" in str(both.value.errors["station"])
    assert Award.select().count() == 0


def test_vocabulary_and_dates_are_checked(network):
    from evaluation.awards import create_award

    with pytest.raises(ValidationError) as exc:
        create_award(_data(award_type="最佳新人", level="省级", awarded_on="2025-13-01",
                           station=network["room1"]), actor="t", scope=None)
    assert set(exc.value.errors) == {"award_type", "level", "awarded_on"}


def test_outside_scope_is_refused_and_nothing_stored(network, make_mediator):
    from evaluation.awards import create_award, update_award
    from evaluation.models import Award

    outsider = make_mediator(network["room3"])
    with pytest.raises(OutOfScope):
        create_award(_data(mediator=outsider), actor="t", scope=network["shinan"])
    with pytest.raises(OutOfScope):
        create_award(_data(station=network["huangdao"]), actor="t", scope=network["shinan"])
    assert Award.select().count() == 0
    mine = create_award(_data(station=network["room1"]), actor="t", scope=network["shinan"])
    with pytest.raises(OutOfScope):  # moving the award to a neighbour's station
        update_award(mine, {"station": network["room3"]}, actor="t", scope=network["shinan"])
    assert Award.get_by_id(mine.id).station_id == network["room1"].id


def test_update_and_delete(network):
    from evaluation.awards import create_award, delete_award, update_award
    from evaluation.models import Award
    from network.models import AuditLog

    award = create_award(_data(station=network["room1"], award_type="先进调解组织"),
                         actor="t", scope=None)
    update_award(award, {"period": "2024Q4"}, actor="t", scope=network["shinan"])
    assert Award.get_by_id(award.id).period == "2024Q4"
    assert AuditLog.get(AuditLog.action == "update").changes_dict["period"] == ["2024", "2024Q4"]
    with pytest.raises(OutOfScope):
        delete_award(award, actor="t", scope=network["huangdao"])
    delete_award(award, actor="t", scope=network["shinan"])
    assert Award.select().count() == 0


def test_database_refuses_a_row_without_recipient(network):
    import peewee as pw

    from evaluation.models import Award
    from network.db import db

    with pytest.raises(pw.IntegrityError), db.atomic():
        Award.create(award_type="其他", level="city", period="2024",
                     awarded_on=dt.date(2025, 1, 1))
