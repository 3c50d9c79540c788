"""`flask backup FILE` / `flask restore FILE`: a backup restored into an empty database gives
back every row, every count and every KPI (pg_dump/pg_restore or SQLite's backup API)."""
from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager

from evaluation.kpis import kpis
from evaluation.rollups import rebuild
from network.db import db, open_database
from network.models import Organization
from tests.conftest import is_postgres_url, pg_scratch_database, snapshot_tables

Q1 = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))


@contextmanager
def empty_database(database_url, tmp_path):
    """The proxy pointed at a new, empty database for the block; back to the test's after."""
    db.close()
    try:
        if is_postgres_url(database_url):
            with pg_scratch_database(database_url, f"rst{os.getpid()}") as url:
                open_database(url)
                try:
                    yield
                finally:
                    db.close()
        else:
            open_database(f"sqlite:///{tmp_path / 'empty.db'}")
            try:
                yield
            finally:
                db.close()
    finally:
        open_database(database_url)
        db.connect(reuse_if_open=True)


def everything() -> tuple[dict, dict]:
    tables = snapshot_tables()
    figures = {org.code: kpis(org, *Q1) for org in Organization.select().order_by(Organization.code)}
    return tables, figures


def test_restore_into_an_empty_database_gives_everything_back(runner, ledger, database_url,
                                                               tmp_path):
    rebuild()
    before_tables, before_kpis = everything()
    # the hand-counted ledger: 7 cases received in Q1, 6 closed (D is open), 4 succeeded
    assert len(before_tables["mediation_case"][1]) == 7
    city = before_kpis["QD"]
    assert (city["received"], city["closed"], city["succeeded"]) == (7, 6, 4)
    file = tmp_path / "portal.backup"
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert file.stat().st_size > 0

    with empty_database(database_url, tmp_path):
        assert db.get_tables() == []
        result = runner.invoke(args=["restore", "--yes", str(file)])
        assert result.exit_code == 0, result.output
        after_tables, after_kpis = everything()
        assert "migratehistory" in db.get_tables()
    assert set(after_tables) == set(before_tables)
    for table, (columns, rows) in before_tables.items():
        assert after_tables[table][0] == columns, table
        assert sorted(map(repr, after_tables[table][1])) == sorted(map(repr, rows)), table
    assert after_kpis == before_kpis


def test_restore_of_a_missing_or_foreign_file_is_refused(runner, database, tmp_path):
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "none.backup")])
    assert result.exit_code != 0
    assert "不存在" in result.output
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert ("不是 SQLite 备份文件" in result.output) or ("pg_restore 失败" in result.output)
    assert "migratehistory" in db.get_tables()
