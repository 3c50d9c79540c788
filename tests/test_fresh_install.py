"""A fresh install imports its own templates: the reference data comes with the schema.

Each test here runs on a database of its own, just created and upgraded (not the suite's,
whose seeded rows conftest restores), on the suite's backend.
"""
from __future__ import annotations

import importlib.util
import os

import pytest

from admin.schema import MIGRATIONS_DIR, upgrade
from evaluation.imports import CASES, import_cases
from evaluation.models import Case
from network.db import db, open_database
from network.imports import STATIONS, import_stations, template_file
from network.models import DEFAULT_KINDS, Organization, OrgKind
from org.imports import MEDIATORS, import_mediators
from org.models import Mediator
from tests.conftest import is_postgres_url, pg_scratch_database


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
    spec = importlib.util.spec_from_file_location(
        "reference_data", MIGRATIONS_DIR / "010_reference_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_fresh_install_holds_the_kinds_and_no_other_rows(fresh):
    assert [k.name for k in OrgKind.select().order_by(OrgKind.sort_order)] == DEFAULT_KINDS
    for table in fresh.get_tables():
        if table not in ("org_kind", "migratehistory"):
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
