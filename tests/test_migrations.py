"""The schema built by the migrations is the schema the models describe (no drift), and the
migrations roll all the way back and forward again on the current backend."""
from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil

import peewee as pw
import pytest
from peewee_migrate import Router
from playhouse.db_url import connect

from admin.schema import MIGRATIONS_DIR
from network.db import SQLITE_PRAGMAS, BaseModel
from tests.conftest import is_postgres_url, pg_scratch_database

DOMAIN_PACKAGES = ["network", "org", "training", "evaluation", "promotion"]
HISTORY_TABLE = "migratehistory"


def domain_models() -> list[type[BaseModel]]:
    """Every model of every domain package present, found by importing all their modules."""
    for package in DOMAIN_PACKAGES:
        if importlib.util.find_spec(package) is None:
            continue
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            importlib.import_module(info.name)
    found, todo = [], list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        # a model other models derive from is their base (evaluation.models.Sums), not a table
        if model.__module__.split(".")[0] in DOMAIN_PACKAGES and not model.__subclasses__():
            found.append(model)
    return sorted(found, key=lambda m: m._meta.table_name)


def drift(database: pw.Database, models: list[type[pw.Model]] | None = None) -> list[str]:
    """Differences between the models and the tables in `database`, one line each."""
    problems = []
    models = domain_models() if models is None else models
    tables = set(database.get_tables())
    for model in models:
        table = model._meta.table_name
        if table not in tables:
            problems.append(f"{table}: table missing ({model.__name__})")
            continue
        columns = {c.name: c for c in database.get_columns(table)}
        fields = {f.column_name: f for f in model._meta.sorted_fields}
        for name in sorted(set(fields) - set(columns)):
            problems.append(f"{table}.{name}: column missing")
        for name in sorted(set(columns) - set(fields)):
            problems.append(f"{table}.{name}: column not in the model")
        for name in sorted(set(fields) & set(columns)):
            if bool(columns[name].null) != bool(fields[name].null):
                problems.append(f"{table}.{name}: null={columns[name].null} in the database, "
                                f"{fields[name].null} in the model")
        expected_fks = {(f.column_name, f.rel_model._meta.table_name)
                        for f in model._meta.sorted_fields if isinstance(f, pw.ForeignKeyField)}
        actual_fks = {(fk.column, fk.dest_table) for fk in database.get_foreign_keys(table)}
        if expected_fks != actual_fks:
            problems.append(f"{table}: foreign keys {sorted(actual_fks)} in the database, "
                            f"{sorted(expected_fks)} in the model")
    known = {m._meta.table_name for m in models} | {HISTORY_TABLE}
    for table in sorted(tables - known):
        problems.append(f"{table}: table without a model")
    return problems


def test_domain_models_are_discovered():
    tables = {m._meta.table_name for m in domain_models()}
    assert {"organization", "org_kind", "mediator", "assignment", "account", "api_token",
            "audit_log"} <= tables


def test_migrated_schema_matches_models(database):
    assert drift(database.obj) == []


def test_drift_is_detected(database):
    """The comparison itself notices a stray table, a missing column, a wrong nullability."""
    before = set(drift(database.obj))
    database.execute_sql("CREATE TABLE drift_probe (id INTEGER PRIMARY KEY)")
    try:
        assert set(drift(database.obj)) - before == {"drift_probe: table without a model"}
    finally:
        database.execute_sql("DROP TABLE drift_probe")

    class Probe(pw.Model):
        code = pw.CharField(max_length=32, unique=True)
        name = pw.CharField(null=True)  # NOT NULL in the table
        nickname = pw.CharField(null=True)  # no such column

        class Meta:
            table_name = "org_kind"

    problems = drift(database.obj, [Probe])
    assert "org_kind.nickname: column missing" in problems
    assert "org_kind.code: column missing" in problems
    assert "org_kind.name: null=False in the database, True in the model" in problems
    assert "org_kind.sort_order: column not in the model" in problems


@pytest.fixture
def scratch_database(tmp_path):
    """A second, empty database on the same backend as the suite, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres_url(url):
        with pg_scratch_database(url, f"mig{os.getpid()}") as scratch_url:
            database = connect(scratch_url)
            yield database
            database.close()
    else:
        database = connect(f"sqlite:///{tmp_path / 'migrations.db'}", pragmas=SQLITE_PRAGMAS)
        yield database
        database.close()


def router(database: pw.Database) -> Router:
    # A fresh router each time: its migrator caches the schema state of the migrations done.
    return Router(database, migrate_dir=str(MIGRATIONS_DIR), ignore=["basemodel"])


def test_rollback_everything_then_upgrade_again(scratch_database):
    names = router(scratch_database).todo
    assert names and names[0].startswith("001")
    assert router(scratch_database).run() == names
    assert drift(scratch_database) == []

    for expected in reversed(names):
        r = router(scratch_database)
        assert r.done[-1] == expected
        r.rollback()
    assert router(scratch_database).done == []
    assert set(scratch_database.get_tables()) == {HISTORY_TABLE}

    assert router(scratch_database).run() == names
    assert drift(scratch_database) == []
    assert router(scratch_database).diff == []


def test_rollup_tables_leave_room_for_updates(database):
    """Migrations 026 and 027: the rollup tables keep 30 % of each page free on PostgreSQL,
    so that an import's ON CONFLICT updates stay on their page (HOT) instead of adding index
    entries."""
    if not isinstance(database.obj, pw.PostgresqlDatabase):
        pytest.skip("fillfactor is a PostgreSQL storage parameter")
    tables = ("rollup", "day_rollup", "mix_rollup", "open_rollup", "mediator_rollup")
    rows = dict(database.obj.execute_sql(
        "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
        (list(tables),)).fetchall())
    assert rows == {name: ["fillfactor=70"] for name in tables}
