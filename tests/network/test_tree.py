import pytest

from network.errors import OutOfScope, ValidationError
from network.models import Organization
from network.services import close_org, delete_org, move_org, update_org
from network.tree import subtree


def codes(query):
    return sorted(o.code for o in query)


def test_subtree_of_county_has_itself_and_rooms(network):
    assert codes(subtree(network["shinan"])) == ["QD-02", "QD-02-01", "QD-02-02"]
    assert len(codes(subtree(None))) == 6


def test_county_needs_city_parent(network, make_org):
    with pytest.raises(ValidationError) as err:
        make_org("BAD", parent=network["shinan"], level=2)
    assert "上级必须是市级" in str(err.value)
    with pytest.raises(ValidationError):
        make_org("BAD2", parent=None, level=3)


def test_duplicate_code_refused(network, make_org):
    with pytest.raises(ValidationError) as err:
        make_org("QD-02", parent=network["city"])
    assert "已存在" in str(err.value)


def test_move_room_to_other_county_updates_subtree_queries(network):
    move_org(network["room2"], network["huangdao"], actor="t", scope=None)
    assert codes(subtree(network["shinan"])) == ["QD-02", "QD-02-01"]
    assert codes(subtree(network["huangdao"])) == ["QD-02-02", "QD-11", "QD-11-01"]
    assert Organization.get_by_id(network["room2"].id).parent_id == network["huangdao"].id


def test_move_county_with_rooms_between_cities(network, make_org):
    other = make_org("YT", name="烟台市中心")
    move_org(network["shinan"], other, actor="t", scope=None)
    assert codes(subtree(other)) == ["QD-02", "QD-02-01", "QD-02-02", "YT"]
    assert codes(subtree(network["city"])) == ["QD", "QD-11", "QD-11-01"]


def test_an_edit_from_before_an_ancestors_move_keeps_the_new_path(network, make_org):
    """A room's edit form was loaded, then its county moved under another city: saving the
    room's new phone number must not write its old path back (the room would leave the
    subtree it now belongs to, and its new city's managers would lose it)."""
    loaded = Organization.get_by_id(network["room1"].id)
    other = make_org("YT", name="烟台市中心")
    move_org(network["shinan"], other, actor="t", scope=None)
    update_org(loaded, {"phone": "0532-88886666"}, actor="t", scope=None)
    assert codes(subtree(other)) == ["QD-02", "QD-02-01", "QD-02-02", "YT"]
    assert Organization.get_by_id(loaded.id).phone == "0532-88886666"


def test_no_cycles(network, make_org):
    with pytest.raises(ValidationError) as err:
        move_org(network["city"], network["room1"], actor="t", scope=None)
    assert "自己或它的下级" in str(err.value)


def test_scoped_user_cannot_move_outside(network):
    with pytest.raises(OutOfScope):
        move_org(network["room1"], network["huangdao"], actor="t", scope=network["shinan"])
    with pytest.raises(OutOfScope):
        update_org(network["room3"], {"name": "x"}, actor="t", scope=network["shinan"])


def test_close_requires_children_closed_and_delete_refused_with_history(network):
    from network.errors import DomainError

    with pytest.raises(DomainError):
        close_org(network["shinan"], actor="t", scope=None)
    close_org(network["room1"], actor="t", scope=None)
    close_org(network["room2"], actor="t", scope=None)
    close_org(network["shinan"], actor="t", scope=None)
    assert Organization.get_by_id(network["shinan"].id).status == "closed"
    with pytest.raises(DomainError) as err:
        delete_org(network["city"], actor="t", scope=None)
    assert "撤销" in str(err.value)
    delete_org(network["room3"], actor="t", scope=None)
    assert not Organization.select().where(Organization.code == "QD-11-01").exists()


def test_closing_by_edit_follows_the_same_rule(network):
    from network.errors import DomainError

    with pytest.raises(DomainError) as err:
        update_org(network["shinan"], {"status": "closed"}, actor="t", scope=None)
    assert "未撤销的下级机构" in str(err.value)
    assert Organization.get_by_id(network["shinan"].id).status == "active"
    update_org(network["room1"], {"status": "closed"}, actor="t", scope=None)
    assert Organization.get_by_id(network["room1"].id).status == "closed"
