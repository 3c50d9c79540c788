"""kill -9 in the middle of an import or of `stats rebuild` leaves the database as it was:
each runs as one transaction, which the database rolls back when its process dies."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from evaluation.models import Rollup
from network.db import db
from network.models import Organization
from tests.conftest import snapshot_tables
from tests.network.test_station_import import HEADERS, station, write_sheet

ROOT = Path(__file__).resolve().parents[2]


def kill_midway(*args: str) -> None:
    """Run tests/faults/killed.py, wait for it to reach the middle, kill -9 it."""
    db.close()  # no transaction or lock of ours in its way
    child = subprocess.Popen([sys.executable, "-m", "tests.faults.killed", *args], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "MIDWAY", (line, child.stderr.read() if child.poll() else "")
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    db.connect(reuse_if_open=True)


def test_kill_during_an_import_writes_nothing(database_url, network, tmp_path):
    # a rename of an existing unit first, then 120 new ones: killed after the 50th row
    rows = [station("QD", "青岛市中心（改名）", "市级", kind="调解中心", division="370200"),
            *[station(f"K{i:03d}", f"站{i}", "县级", "QD") for i in range(120)]]
    path = write_sheet(tmp_path / "orgs.csv", HEADERS, rows)
    before = snapshot_tables()
    kill_midway("import", database_url, str(path))
    assert snapshot_tables() == before
    assert Organization.select().count() == 6
    assert Organization.get(Organization.code == "QD").name == "青岛市中心"


def test_kill_during_stats_rebuild_leaves_the_rollups_as_they_were(database_url, ledger):
    # stale figures on purpose: a finished rebuild would change them
    Rollup.update(received=Rollup.received + 100).execute()
    before = snapshot_tables()
    kill_midway("rebuild", database_url)
    assert snapshot_tables() == before
    assert Rollup.select().count() > 0
    assert all(r.received >= 100 for r in Rollup.select())
