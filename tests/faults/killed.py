"""A process to kill -9 in the middle of a write: `python -m tests.faults.killed WHAT URL [FILE]`.

WHAT is `import` (the station import of FILE, stopped after its 50th row) or `rebuild` (stats
rebuild, stopped after the rollups were deleted and written again). At that point, inside the
transaction, it prints MIDWAY and waits to be killed; the test then checks the database is as
it was before.
"""
from __future__ import annotations

import sys
import time

from network.db import db, open_database


def midway() -> None:
    print("MIDWAY", flush=True)
    time.sleep(600)


def main(what: str, url: str, path: str = "") -> None:
    open_database(url)
    db.connect()
    import evaluation  # noqa: F401  (every registration, as in the app)
    import org  # noqa: F401
    import training  # noqa: F401

    if what == "import":
        from network.imports import STATIONS, run_import

        def progress(done: int, total: int) -> None:
            if done == 50:
                midway()

        run_import(STATIONS, path, actor="killed", scope=None, progress=progress)
    elif what == "rebuild":
        from evaluation import rollups

        original = rollups.add_cases

        def add_cases(*args, **kwargs):
            original(*args, **kwargs)
            midway()

        rollups.add_cases = add_cases
        rollups.rebuild()
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
