"""#8: a mediator moved to another station takes their account with them: the new station's
managers see and manage the account, the old one's no longer do."""
from __future__ import annotations

import pytest

from network.audit import AuditLog
from network.dates import local_today
from org.accounts import scope_of
from org.models import User
from tests.admin.org.test_mediators_view import edit_form


@pytest.fixture
def moved_world(network, make_mediator, make_user):
    mediator = make_mediator(network["room1"], staff_no="S0201", name="李四")
    make_user("lisi", "mediator", mediator=mediator)
    make_user("root", "admin")
    make_user("m02", organization=network["shinan"])
    make_user("m11", organization=network["huangdao"])
    return {**network, "mediator": mediator}


def test_move_by_the_domain_moves_the_account(moved_world):
    from org.services import move_mediator

    world = moved_world
    assert User.get(User.username == "lisi").organization_id == world["room1"].id
    move_mediator(world["mediator"], world["room3"], actor="root", scope=None,
                  on=local_today())
    account = User.get(User.username == "lisi")
    assert account.organization_id == world["room3"].id
    assert scope_of(account).id == world["room3"].id
    assert world["huangdao"].contains(account.organization)
    assert not world["shinan"].contains(account.organization)
    log = (AuditLog.select().where((AuditLog.table == "user") & (AuditLog.action == "update"))
           .get())
    assert (log.actor, log.org_path) == ("root", world["room3"].path)


def test_move_in_the_mediator_form_moves_the_account_in_the_users_list(moved_world, app):
    from tests.conftest import Auth

    world = moved_world
    admin = Auth(app.test_client())
    admin.login("root")
    response = admin.post(f"/admin/mediators/edit/?id={world['mediator'].id}",
                          edit_form(world["mediator"], station=str(world["room3"].id),
                                    move_on=local_today().isoformat()))
    assert response.status_code == 302
    old, new = Auth(app.test_client()), Auth(app.test_client())
    old.login("m02")
    new.login("m11")
    assert "lisi" not in old.client.get("/admin/users/").get_data(as_text=True)
    assert "lisi" in new.client.get("/admin/users/").get_data(as_text=True)
