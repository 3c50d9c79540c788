"""NUL characters typed into the grade and promotion forms and the API's 工号: stored
without them, or naming nobody; never a 500 (PostgreSQL refuses NUL in any text)."""
from __future__ import annotations

from org.grades import latest_change
from org.models import GradeChange
from promotion.models import PromotionRound
from tests.admin.promotion.conftest import ROUND_FORM


def test_api_mediator_with_a_nul_is_a_json_404(world, auth):
    auth.login("m02")
    response = auth.client.get("/api/v1/mediators/E0%0001")
    assert response.status_code == 404 and response.is_json


def test_grade_change_and_revert(world, auth):
    auth.login("m02")
    e1 = world["e1"]
    response = auth.post(f"/admin/grades/{e1.id}/change/", {
        "reason": "correction", "grade": "3", "effective": "2025-06-01",
        "doc_no": "市司\x00〔2025〕1号", "note": "更\x00正"})
    assert response.status_code == 302
    change = latest_change(e1)
    assert (change.doc_no, change.note) == ("市司〔2025〕1号", "更正")
    assert auth.post(f"/admin/grades/revert/{change.id}/",
                     {"revert_reason": "录\x00错"}).status_code == 302
    assert GradeChange.get_by_id(change.id).revert_reason == "录错"


def test_round_name_and_applicant(round_world, auth):
    auth.login("city")
    assert auth.post("/admin/rounds/open/", {**ROUND_FORM, "name": "轮\x00次",
                                             "doc_no": "号\x00"}).status_code == 302
    opened = PromotionRound.get()
    assert (opened.name, opened.doc_no) == ("轮次", "号")
    response = auth.post(f"/admin/rounds/{opened.id}/apply/", {"staff_no": "E0\x0001"})
    assert response.status_code < 500
