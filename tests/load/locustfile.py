"""Load: managers on the dashboard, lists, exports, the API, and now and then an import check;
reporting scripts on the API with a token.

Run by tests/load/run.sh (gunicorn + PostgreSQL on loopback), which writes the accounts and
their tokens to the file LOAD_ACCOUNTS (tests/load/accounts.py); see README.md.
Not collected by pytest (no test_ prefix).
"""
from __future__ import annotations

import itertools
import json
import os
import re

from locust import HttpUser, between, task

with open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8") as _fh:
    SETUP = json.load(_fh)
PASSWORD = SETUP["password"]
ACCOUNTS = SETUP["accounts"]  # [{"username", "unit", "token"}]
# the page's form, not the log-out form of the menu (a token that never expires, refused
# by every other form as 页面已过期)
CSRF = re.compile(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"')
Q = "from=2025-01-01&to=2025-12-31"


def import_csv(parent: str) -> bytes:
    """A one-station file under the manager's own unit: a dry-run check only (the upload page
    checks; nothing is imported without a confirmation)."""
    return ("\ufeff机构编码,机构名称,层级,上级机构编码,机构类型,行政区划代码,地址,电话,成立日期,"
            f"经度,纬度,状态\r\nLOAD-01,压测工作室,社区级,{parent},调解工作室,370202,,,,,,运行\r\n"
            ).encode()


_turns = itertools.count()


class Manager(HttpUser):
    weight = 4
    wait_time = between(1, 3)

    def on_start(self) -> None:
        account = ACCOUNTS[next(_turns) % len(ACCOUNTS)]
        self.username, self.unit = account["username"], account["unit"]
        page = self.client.get("/login", name="/login").text
        self.csrf = CSRF.search(page).group(1)
        response = self.client.post("/login", name="/login [POST]", data={
            "username": self.username, "password": PASSWORD, "csrf_token": self.csrf})
        if "/login" in response.url:
            raise RuntimeError(f"login of {self.username} failed")

    @task(4)
    def home(self):
        self.client.get("/admin/", name="home")

    @task(4)
    def dashboard(self):
        self.client.get(f"/admin/dashboard/?{Q}", name="dashboard")

    @task(3)
    def cases(self):
        self.client.get("/admin/cases/", name="cases list")

    @task(2)
    def mediators(self):
        self.client.get("/admin/mediators/", name="mediators list")

    @task(2)
    def stations(self):
        self.client.get("/admin/stations/", name="stations list")

    @task(1)
    def export_cases(self):
        self.client.get("/admin/cases/export/xlsx/", name="cases export xlsx")

    @task(3)
    def api(self):
        self.client.get("/api/v1/stations?limit=100", name="api stations")
        self.client.get(f"/api/v1/kpis?{Q}", name="api kpis")

    @task(1)
    def import_check(self):
        page = self.client.get("/admin/imports/", name="import page").text
        token = CSRF.search(page).group(1)
        with self.client.post("/admin/imports/", name="import upload+check", data={
                "kind": "stations", "csrf_token": token},
                files={"file": ("load.csv", import_csv(self.unit), "text/csv")},
                catch_response=True) as response:
            # a refused upload answers 200 with its error on the form: only the preview
            # (where the check's progress shows) means the file was taken
            if not response.url.endswith("/admin/imports/preview"):
                response.failure("upload refused: no preview")


class ApiScript(HttpUser):
    """A reporting script: its unit's figures and stations by Bearer token, no session."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        account = ACCOUNTS[next(_turns) % len(ACCOUNTS)]
        self.unit = account["unit"]
        self.headers = {"Authorization": f"Bearer {account['token']}"}

    @task(2)
    def kpis(self):
        self.client.get(f"/api/v1/kpis?station={self.unit}&{Q}", headers=self.headers,
                        name="api kpis (token)")

    @task(1)
    def stations(self):
        self.client.get("/api/v1/stations?limit=100", headers=self.headers,
                        name="api stations (token)")
