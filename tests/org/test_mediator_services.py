import datetime as dt
import json

import pytest

from network.errors import DomainError, OutOfScope, ValidationError
from network.models import AuditLog
from org.models import Assignment, Mediator
from org.services import (
    create_mediator,
    delete_mediator,
    move_mediator,
    reveal,
    update_mediator,
)
from tests.conftest import id_number


def test_create_checks_gender_against_id_number(network):
    data = {"staff_no": "S1", "name": "李四", "gender": "F", "station": network["room1"],
            "id_number": id_number(born="19850315", seq="00", gender="M")}
    with pytest.raises(ValidationError) as err:
        create_mediator(data, actor="t", scope=None)
    assert "gender" in err.value.errors
    assert not Mediator.select().exists()


def test_create_fills_birth_date_and_masks_the_audit_record(network):
    number = id_number(born="19850315", seq="00", gender="F")
    made = create_mediator({"staff_no": "S1", "name": "李四", "gender": "女",
                            "station": network["room1"], "id_number": number,
                            "mobile": "13812341234"}, actor="t", scope=None)
    assert made.birth_date == dt.date(1985, 3, 15)
    log = AuditLog.get((AuditLog.action == "create") & (AuditLog.table == "mediator"))
    changes = json.loads(log.changes)
    assert (changes["id_number"], changes["mobile"]) == ("370202********" + number[-4:],
                                                        "138****1234")
    assert number not in log.changes and "13812341234" not in log.changes


def test_update_audit_masks_old_and_new_mobile(network, make_mediator):
    made = make_mediator(network["room1"], mobile="13812341234")
    update_mediator(made, {"mobile": "13955556666"}, actor="m", scope=network["shinan"])
    changes = json.loads(AuditLog.get((AuditLog.action == "update")
                                      & (AuditLog.table == "mediator")).changes)
    assert changes == {"mobile": ["138****1234", "139****6666"]}


def test_move_closes_old_assignment_the_day_before(network, make_mediator):
    made = make_mediator(network["room1"])  # joined 2022-01-01
    move_mediator(made, network["room2"], actor="m", scope=network["shinan"],
                  kind="rotating", on=dt.date(2023, 7, 1))
    rows = [(a.station_id, a.kind, a.is_primary, a.start, a.end) for a in
            Assignment.select().where(Assignment.mediator == made).order_by(Assignment.start)]
    assert rows == [
        (network["room1"].id, "resident", True, dt.date(2022, 1, 1), dt.date(2023, 6, 30)),
        (network["room2"].id, "rotating", True, dt.date(2023, 7, 1), None),
    ]
    assert Mediator.get_by_id(made.id).station_id == network["room2"].id


def test_an_edit_from_before_a_move_keeps_the_new_station(network, make_mediator):
    """The edit form was loaded, then the mediator moved to another room: saving a new mobile
    number must not write the old station back beside the new primary assignment."""
    made = make_mediator(network["room1"])
    loaded = Mediator.get_by_id(made.id)
    move_mediator(made, network["room2"], actor="m", scope=None, on=dt.date(2023, 7, 1))
    update_mediator(loaded, {"mobile": "13912345678"}, actor="m", scope=None)
    stored = Mediator.get_by_id(made.id)
    assert (stored.station_id, stored.mobile) == (network["room2"].id, "13912345678")


def test_move_out_of_scope_refused(network, make_mediator):
    made = make_mediator(network["room1"])
    with pytest.raises(OutOfScope):
        move_mediator(made, network["room3"], actor="m", scope=network["shinan"])
    assert Assignment.select().where(Assignment.mediator == made).count() == 1


def test_reveal_audits_and_respects_scope(network, make_mediator):
    made = make_mediator(network["room3"], mobile="13812341234")
    with pytest.raises(OutOfScope):
        reveal(made, "mobile", actor="m02", scope=network["shinan"])
    with pytest.raises(DomainError):
        reveal(made, "name", actor="root", scope=None)
    assert not AuditLog.select().where(AuditLog.action == "reveal").exists()
    assert reveal(made, "mobile", actor="m11", scope=network["huangdao"]) == "13812341234"
    log = AuditLog.get(AuditLog.action == "reveal")
    assert (log.actor, log.org_path) == ("m11", network["room3"].path)


def test_delete_refused_with_history_or_account(network, make_mediator, make_user):
    old = make_mediator(network["room1"])  # served since 2022
    with pytest.raises(DomainError) as err:
        delete_mediator(old, actor="m", scope=None)
    assert "不能删除" in str(err.value)
    fresh = make_mediator(network["room1"], joined=None)  # assignment starts today
    make_user("fresh", role="mediator", mediator=fresh)
    with pytest.raises(DomainError):
        delete_mediator(fresh, actor="m", scope=None)
    assert Mediator.select().count() == 2


def test_delete_new_entry_removes_it_with_its_assignment(network, make_mediator):
    fresh = make_mediator(network["room1"], joined=None)
    with pytest.raises(OutOfScope):
        delete_mediator(fresh, actor="m11", scope=network["huangdao"])
    delete_mediator(fresh, actor="m02", scope=network["shinan"])
    assert not Mediator.select().exists() and not Assignment.select().exists()
    log = AuditLog.get((AuditLog.action == "delete") & (AuditLog.table == "mediator"))
    assert (log.actor, log.table, log.org_path) == ("m02", "mediator", network["room1"].path)


def test_nul_characters_in_text_are_dropped(network, make_mediator):
    """PostgreSQL refuses NUL in strings: it must never reach the database as a 500."""
    from org.services import update_mediator

    mediator = make_mediator(network["room1"])
    update_mediator(mediator, {"name": "李\x00四", "employer": "银\x00行"}, actor="t", scope=None)
    mediator = type(mediator).get_by_id(mediator.id)
    assert (mediator.name, mediator.employer) == ("李四", "银行")
