"""Complaints (投诉): service rules, scope, audit, and the import with its per-row messages."""
from __future__ import annotations

import datetime as dt

import pytest

from network.audit import AuditLog
from network.errors import OutOfScope, ValidationError
from org.complaints import create_complaint, delete_complaint, update_complaint
from org.imports import COMPLAINT_COLUMNS, import_complaints
from org.models import Complaint
from tests.network.test_station_import import write_sheet

HEADERS = list(COMPLAINT_COLUMNS)


@pytest.fixture
def people(network, make_mediator):
    return {"a": make_mediator(network["room1"], staff_no="C001"),
            "b": make_mediator(network["room3"], staff_no="C002")}


def test_create_update_delete_audited(people):
    c = create_complaint({"mediator": "C001", "filed_on": "2024-03-05", "upheld": "否",
                          "summary": " 未按时到场 "}, actor="clerk", scope=None)
    c = Complaint.get_by_id(c.id)
    assert (c.mediator.staff_no, c.filed_on, c.upheld, c.summary) == (
        "C001", dt.date(2024, 3, 5), False, "未按时到场")
    update_complaint(c, {"upheld": "是"}, actor="chief", scope=None)
    assert Complaint.get_by_id(c.id).upheld is True
    log = AuditLog.get((AuditLog.table == "complaint") & (AuditLog.action == "update"))
    assert log.changes_dict == {"upheld": [False, True]} and log.actor == "chief"
    delete_complaint(c, actor="chief", scope=None)
    assert Complaint.select().count() == 0
    assert [a.action for a in AuditLog.select().where(AuditLog.table == "complaint")
            .order_by(AuditLog.id)] == ["create", "update", "delete"]


def test_bad_fields_all_reported(people):
    with pytest.raises(ValidationError) as exc:
        create_complaint({"mediator": "NOPE", "filed_on": "2024-02-30", "upheld": "可能"},
                         actor="clerk", scope=None)
    assert set(exc.value.errors) == {"mediator", "filed_on", "upheld"}
    with pytest.raises(ValidationError) as exc:
        create_complaint({"mediator": "C001", "upheld": "是"}, actor="clerk", scope=None)
    assert set(exc.value.errors) == {"filed_on"}
    assert Complaint.select().count() == 0


def test_scope_refusals(network, people):
    with pytest.raises(OutOfScope):
        create_complaint({"mediator": people["b"], "filed_on": "2024-01-01", "upheld": "是"},
                         actor="clerk", scope=network["shinan"])
    c = create_complaint({"mediator": people["a"], "filed_on": "2024-01-01", "upheld": "是"},
                         actor="clerk", scope=network["shinan"])
    with pytest.raises(OutOfScope):
        update_complaint(c, {"upheld": "否"}, actor="x", scope=network["huangdao"])
    with pytest.raises(OutOfScope):  # moving it to someone outside the caller's subtree
        update_complaint(c, {"mediator": "C002"}, actor="x", scope=network["shinan"])
    with pytest.raises(OutOfScope):
        delete_complaint(c, actor="x", scope=network["huangdao"])
    c = Complaint.get_by_id(c.id)
    assert (c.upheld, c.mediator.staff_no) == (True, "C001")


def test_import_several_per_mediator_and_reimport_adds_nothing(tmp_path, people):
    rows = [["C001", "2024-01-05", "是", "态度问题"], ["C001", "2024-02-05", "否", ""],
            ["C002", "2024/03/01", "否", "超时"]]
    path = write_sheet(tmp_path / "c.csv", HEADERS, rows)
    result = import_complaints(path, actor="clerk", scope=None)
    assert result.errors == [] and (result.created, result.unchanged) == (3, 0)
    assert {(c.mediator.staff_no, c.filed_on, c.upheld) for c in Complaint.select()} == {
        ("C001", dt.date(2024, 1, 5), True), ("C001", dt.date(2024, 2, 5), False),
        ("C002", dt.date(2024, 3, 1), False)}
    again = import_complaints(path, actor="clerk", scope=None)
    assert (again.created, again.unchanged, Complaint.select().count()) == (0, 3, 3)


def test_import_all_or_nothing_with_row_messages(tmp_path, people):
    rows = [["C001", "2024-01-05", "是", "ok"], ["C404", "2024-01-06", "否", ""],
            ["C002", "", "也许", ""]]
    result = import_complaints(write_sheet(tmp_path / "c.csv", HEADERS, rows), actor="clerk",
                               scope=None)
    assert sorted((e.row, e.column) for e in result.errors) == [
        (3, "工号"), (4, "投诉日期"), (4, "是否属实")]
    assert "C404" in str(result.errors[0].message)
    assert Complaint.select().count() == 0


def test_import_out_of_scope_row_refused(tmp_path, network, people):
    rows = [["C001", "2024-01-05", "是", ""], ["C002", "2024-01-06", "否", ""]]
    result = import_complaints(write_sheet(tmp_path / "c.csv", HEADERS, rows), actor="clerk",
                               scope=network["shinan"])
    assert [(e.row, e.column) for e in result.errors] == [(3, "工号")]
    assert "超出管辖范围" in str(result.errors[0].message)
    assert Complaint.select().count() == 0


def test_import_headers_checked(tmp_path, people):
    path = write_sheet(tmp_path / "c.csv", ["工号", "投诉日期", "摘要"], [["C001", "2024-01-01", ""]])
    result = import_complaints(path, actor="clerk", scope=None)
    assert result.errors and "是否属实" in str(result.errors[0].message)
