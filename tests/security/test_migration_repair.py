"""Migration 012 puts a mediator's account back under the mediator's station when an earlier
move left it behind (#8), and leaves every other account as it was."""
from __future__ import annotations

from tests.test_migrations import router, scratch_database  # noqa: F401

NOW = "'2024-01-01 00:00:00'"


def test_012_repairs_accounts_left_behind_by_a_move(scratch_database):  # noqa: F811
    db = scratch_database
    names = router(db).todo
    before = names[names.index(next(n for n in names if n.startswith("012"))) - 1]
    router(db).run(before)
    sql = db.execute_sql
    # (migration 010 seeds the standard kinds: this one keeps clear of their ids and names)
    sql("INSERT INTO org_kind (id, name, sort_order, active) VALUES (900, 'k', 0, TRUE)")
    for oid, code in ((1, "A"), (2, "B")):
        sql("INSERT INTO organization (id, code, name, level, kind_id, status, path, "
            f"created_at, updated_at) VALUES ({oid}, '{code}', '{code}', 2, 900, 'active', "
            f"'/{oid}/', {NOW}, {NOW})")
    sql("INSERT INTO mediator (id, staff_no, name, gender, id_number, employment, status, "
        f"station_id, created_at, updated_at) VALUES (1, 'S1', 'x', 'M', '110101199003071233', "
        f"'part', 'on', 2, {NOW}, {NOW})")  # moved to B
    for uid, name, role, org, med in ((1, "med", "mediator", 1, 1), (2, "mgr", "manager", 1,
                                                                       "NULL")):
        sql("INSERT INTO account (id, username, display_name, password_hash, role, "
            "organization_id, mediator_id, active, failed_logins, created_at) VALUES "
            f"({uid}, '{name}', '', 'h', '{role}', {org}, {med}, TRUE, 0, {NOW})")
    router(db).run()
    rows = dict(sql("SELECT username, organization_id FROM account").fetchall())
    assert rows == {"med": 2, "mgr": 1}
