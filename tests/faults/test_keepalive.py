"""A person (or locust user) who pauses a few seconds between two clicks reuses the kept-alive
connection: gunicorn, started with the repository's gunicorn.conf.py, must still answer on it.
With gunicorn's default keep-alive (2 s) the connection is closed under the client and the
second request is lost ("connection reset" / "closed without response", nothing logged)."""
from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("gunicorn")
ROOT = Path(__file__).resolve().parents[2]
PAUSE = 3.5  # seconds between clicks: past the default 2 s and gunicorn's 1 s sweep


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "1",
         "-b", f"127.0.0.1:{port}", "tests.faults.hello:app"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_kept_alive_connection_answers_after_a_pause(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    try:
        conn.request("GET", "/")
        first = conn.getresponse()
        assert first.read() == b"ok" and not first.will_close
        time.sleep(PAUSE)
        conn.request("GET", "/")  # on the same socket: http.client does not reconnect
        second = conn.getresponse()
        assert second.status == 200 and second.read() == b"ok"
    finally:
        conn.close()
