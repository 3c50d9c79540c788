"""Schema changes go through peewee-migrate migrations in the top-level `migrations/` folder."""
from __future__ import annotations

from pathlib import Path

from peewee_migrate import Router

from network.db import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def router() -> Router:
    return Router(db.obj, migrate_dir=str(MIGRATIONS_DIR), ignore=["basemodel"])


def upgrade() -> list[str]:
    """Apply pending migrations; returns the names applied."""
    r = router()
    pending = list(r.diff)
    if pending:
        r.run()
    return pending
