"""A migration file loaded as a module, for the tests that call its own functions (a data
migration's `_fill` against what the code writes): peewee-migrate's file names start with a
digit, so they cannot be imported by name."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from admin.schema import MIGRATIONS_DIR


def migration_module(filename: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(Path(filename).stem.lstrip("0123456789_"),
                                                  Path(MIGRATIONS_DIR) / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
