import pytest

from network.errors import ValidationError
from network.models import AuditLog
from network.settings import SETTINGS, get_setting, get_settings, update_settings


def test_defaults_until_changed(database):
    assert get_setting("warn.quiet_months") == 3
    assert get_settings()["traffic.success_green"] == 0.65
    assert set(get_settings()) == set(SETTINGS)


def test_update_is_typed_and_audited(database):
    update_settings({"warn.quiet_months": "6", "traffic.success_green": "0.7"}, actor="boss")
    assert get_setting("warn.quiet_months") == 6
    assert get_setting("traffic.success_green") == 0.7
    row = AuditLog.get(AuditLog.table == "setting")
    assert row.actor == "boss" and row.changes_dict["warn.quiet_months"] == [3, 6]


@pytest.mark.parametrize("changes", [
    {"warn.quiet_months": "2.5"},          # not an integer
    {"warn.quiet_months": "abc"},          # not a number
    {"traffic.success_green": "1.5"},      # above 1
    {"no.such.key": "1"},
])
def test_bad_values_change_nothing(database, changes):
    with pytest.raises(ValidationError):
        update_settings({"warn.open_days": "90", **changes}, actor="boss")
    assert get_setting("warn.open_days") == 60
    assert AuditLog.select().count() == 0
