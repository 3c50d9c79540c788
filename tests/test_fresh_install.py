"""A fresh install imports its own templates: the reference data comes with the schema.

Each test here runs on a database of its own, just created and upgraded (not the suite's,
whose seeded rows conftest restores), on the suite's backend.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from admin.schema import upgrade
from evaluation.imports import CASES, import_cases
from evaluation.models import Case
from network.db import db, open_database
from network.imports import STATIONS, import_stations, template_file
from network.models import DEFAULT_KINDS, Organization, OrgKind
from org.imports import MEDIATORS, import_mediators
from org.models import Mediator
from tests.conftest import is_postgres_url, pg_scratch_database
from tests.migration_files import migration_module


@pytest.fixture
def fresh(database, tmp_path):
    """The model proxy pointed at a new, upgraded database for the test, then back."""
    suite = db.obj
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres_url(url):
        scratch = pg_scratch_database(url, f"fresh{os.getpid()}")
        fresh_url = scratch.__enter__()
    else:
        scratch, fresh_url = None, f"sqlite:///{tmp_path / 'fresh.db'}"
    try:
        open_database(fresh_url)
        upgrade()
        yield db.obj
    finally:
        db.obj.close()
        db.initialize(suite)
        if scratch is not None:
            scratch.__exit__(None, None, None)


def migration_010():
    return migration_module("010_reference_data.py")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_downloaded_templates_import_unchanged_on_a_fresh_install(fresh, tmp_path, fmt):
    assert Organization.select().count() == 0
    for spec, importer in ((STATIONS, import_stations), (MEDIATORS, import_mediators),
                           (CASES, import_cases)):
        path = tmp_path / f"{spec.kind}.{fmt}"
        path.write_bytes(template_file(spec, fmt))
        result = importer(path, actor="test", scope=None)
        assert result.ok, [str(e) for e in result.errors]
        assert result.created == len(spec.examples)
    city, county = Organization.select().order_by(Organization.level)
    assert (city.code, city.parent_id, city.kind.name) == ("QD-EX", None, "调解中心")
    assert (county.code, county.parent_id, county.kind.name) == ("QD-EX-01", city.id, "调解工作站")
    assert Mediator.get(staff_no="M0001").station_id == county.id
    assert Case.get(case_no="QD-2024-0001").mediator.staff_no == "M0001"


# What the migrations seed: the reference data of each package, nothing else.
REFERENCE_TABLES = ("org_kind", "grade_step", "training_kind", "training_requirement",
                    "work_day", "migratehistory")


def test_fresh_install_holds_the_reference_data_and_no_other_rows(fresh):
    assert [k.name for k in OrgKind.select().order_by(OrgKind.sort_order)] == DEFAULT_KINDS
    for table in fresh.get_tables():
        if table not in REFERENCE_TABLES:
            count = fresh.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            assert count == 0, table


def test_the_migration_keeps_its_own_copy_of_todays_kinds():
    assert migration_010().KINDS == DEFAULT_KINDS


def test_seeding_again_adds_nothing_and_keeps_an_administrators_edits(fresh):
    OrgKind.update(active=False, sort_order=40).where(OrgKind.name == "调解工作室").execute()
    OrgKind.create(name="保险调解点", sort_order=9)
    migration_010()._seed(fresh)
    assert OrgKind.select().count() == len(DEFAULT_KINDS) + 1
    edited = OrgKind.get(OrgKind.name == "调解工作室")
    assert (edited.active, edited.sort_order) == (False, 40)


def test_rollback_keeps_a_kind_in_use(fresh):
    from network.services import create_org

    create_org({"code": "X", "name": "某中心", "level": 1, "parent": None, "kind": "调解中心"},
               actor="test", scope=None)
    migration_010()._unseed(fresh)
    assert [k.name for k in OrgKind.select()] == ["调解中心"]


def test_suite_database_starts_each_test_with_the_seeded_kinds(database):
    """conftest restores what the migrations seeded after every truncation."""
    assert sorted(k.name for k in OrgKind.select()) == sorted(DEFAULT_KINDS)
    OrgKind.create(name="临时类型")  # the next test's truncation removes it


def test_seeded_kinds_are_back_and_ids_continue(database):
    names = [k.name for k in OrgKind.select().order_by(OrgKind.id)]
    assert names == DEFAULT_KINDS
    assert OrgKind.create(name="新类型").id == len(DEFAULT_KINDS) + 1


# --- the bureau's own spreadsheets ----------------------------------------------------------

BUREAU = Path(__file__).parent / "fixtures" / "bureau"


def test_bureau_files_import_on_a_fresh_install(fresh):
    """tests/fixtures/bureau: a UTF-8 BOM CSV and an Excel roster with the bureau's headers
    (名称, 上级编码, 联系电话, 专业领域, 用工性质, a line break, （必填）, a trailing *, stray
    spaces) and words (本科, 研究生, 大专, 中专, 党员, 团员), without 状态 columns."""
    stations = import_stations(BUREAU / "stations.csv", actor="test", scope=None)
    assert stations.ok, [str(e) for e in stations.errors]
    assert (stations.created, stations.total) == (3, 3)
    assert "「名称」按「机构名称」读取" in [str(m) for m in stations.mapped]
    assert "「 上级编码 」按「上级机构编码」读取" not in [str(m) for m in stations.mapped]
    assert "「上级编码」按「上级机构编码」读取" in [str(m) for m in stations.mapped]
    room = Organization.get(code="LS-01-01")
    assert (room.parent.code, room.kind.name, room.status) == ("LS-01", "银行网点调解点", "active")
    assert Organization.get(code="LS").phone == "0532-88880000"

    mediators = import_mediators(BUREAU / "mediators.xlsx", actor="test", scope=None)
    assert mediators.ok, [str(e) for e in mediators.errors]
    assert mediators.created == 4
    people = {m.staff_no: m for m in Mediator.select()}
    assert [people[n].education for n in ("LS001", "LS002", "LS003", "LS004")] == [
        "大学本科", "硕士研究生", "大学专科", "高中/中专"]
    assert [people[n].political_status for n in ("LS001", "LS003", "LS004")] == [
        "中共党员", "中共党员", "共青团员"]
    assert (people["LS001"].speciality, people["LS001"].employment) == ("个人贷款", "full")
    assert people["LS001"].mobile == "13900000001"
    assert {m.status for m in people.values()} == {"on"}
    notes = [str(m) for m in mediators.mapped]
    for note in ("「工号\n（必填）」按「工号」读取".replace("\n", " "), "「专业领域」按「专业特长」读取",
                 "「用工性质」按「专兼职」读取", "「联系电话」按「手机号」读取",
                 "学历「本科」按「大学本科」读取", "学历「中专」按「高中/中专」读取",
                 "政治面貌「党员」按「中共党员」读取"):
        assert note in notes, notes

    cases = import_cases(BUREAU / "cases.csv", actor="test", scope=None)
    assert cases.ok, [str(e) for e in cases.errors]
    assert cases.created == 3
    assert Case.get(case_no="LS-2024-002").mediator.staff_no == "LS002"
    assert Case.get(case_no="LS-2024-003").result == "open"
    assert "调解结果「在办」按「调解中」读取" in [str(m) for m in cases.mapped]


def test_missing_status_column_leaves_existing_records_as_they_are(fresh):
    from network.services import create_org

    create_org({"code": "LS", "name": "旧名称", "level": 1, "parent": None,
                "kind": "调解中心", "status": "suspended"}, actor="test", scope=None)
    result = import_stations(BUREAU / "stations.csv", actor="test", scope=None)
    assert result.ok and (result.created, result.updated) == (2, 1)
    city = Organization.get(code="LS")
    assert (city.name, city.status) == ("崂山市金融纠纷调解中心", "suspended")


def test_template_has_a_notes_sheet_listing_aliases_values_and_synonyms(fresh, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "m.xlsx"
    path.write_bytes(template_file(MEDIATORS, "xlsx"))
    book = load_workbook(path)
    assert book.sheetnames == ["mediators", "说明"]
    rows = {r[0]: r for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    header = next(book["说明"].iter_rows(max_row=1, values_only=True))
    assert header[:5] == ("列", "必填", "也可写作（表头）", "可填的值", "同义词（按右侧读取）")
    assert rows["专业特长"][2] == "专业领域" and rows["专兼职"][2] == "用工性质"
    assert "联系电话" in rows["手机号"][2].split("、")
    assert "本科→大学本科" in rows["学历"][4] and "大专→大学专科" in rows["学历"][4]
    assert rows["专兼职"][3] == "专职、兼职"
    assert (rows["工号"][1], rows["工作单位"][1]) == ("是", "否")
    assert "在岗" in rows["状态"][5]
    stations = tmp_path / "s.xlsx"
    stations.write_bytes(template_file(STATIONS, "xlsx"))
    kinds = {r[0]: r for r in load_workbook(stations)["说明"].iter_rows(values_only=True)}
    assert kinds["机构类型"][3].split("、") == DEFAULT_KINDS  # the kinds table, in order
