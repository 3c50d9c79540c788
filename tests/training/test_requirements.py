"""Requirements are data: defaults seeded, a grade's own row overrides, changes audited."""
from __future__ import annotations

from decimal import Decimal

import pytest

from network.audit import AuditLog
from network.errors import ValidationError
from training.requirements import requirement, set_requirement


def test_defaults_grade_override_and_audit(training_ref):
    assert requirement("annual") == Decimal("20")
    assert requirement("pre_service") == Decimal("10")
    set_requirement("annual", "30", grade="一级", actor="city")  # a label: stored as its code
    assert requirement("annual", "1") == Decimal("30")
    assert requirement("annual", "3") == Decimal("20")  # no row of its own: the default
    set_requirement("annual", "24", actor="city")
    assert requirement("annual", "3") == Decimal("24")
    assert requirement("annual") == Decimal("24")
    entry = AuditLog.select().where(AuditLog.table == "training_requirement").order_by(
        AuditLog.id.desc()).first()
    assert entry.changes_dict == {"hours": ["20.0", "24.0"]}
    with pytest.raises(ValidationError):
        set_requirement("annual", "20.3", actor="city")
    with pytest.raises(ValidationError):
        set_requirement("weekly", "2", actor="city")
    assert requirement("annual") == Decimal("24")


def test_product_default_without_the_seed(database):
    assert requirement("annual") == Decimal("20")


def test_grade_rows_checked_and_removed(training_ref):
    from training.models import TrainingRequirement
    from training.requirements import remove_requirement

    with pytest.raises(ValidationError) as caught:
        set_requirement("annual", "30", grade="五级", actor="city")
    assert "grade" in caught.value.errors
    set_requirement("annual", "12", grade="4", actor="city")
    assert requirement("annual", "4") == Decimal("12")
    assert remove_requirement("annual", "四级", actor="city") is True
    assert requirement("annual", "4") == Decimal("20")  # the default again
    assert remove_requirement("annual", "4", actor="city") is False
    with pytest.raises(ValidationError):
        remove_requirement("annual", "", actor="city")  # the default row stays
    assert TrainingRequirement.select().where(TrainingRequirement.grade.is_null()).count() == 2
    entry = AuditLog.select().where(AuditLog.table == "training_requirement").order_by(
        AuditLog.id.desc()).first()
    assert (entry.action, entry.changes_dict) == ("delete", {"hours": ["12.0", None]})
