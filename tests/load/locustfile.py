"""Load: managers on the dashboard, lists, exports, the API, and now and then an import check.

Run by tests/load/run.sh (gunicorn + PostgreSQL on loopback, the demo data); see README.md.
Not collected by pytest (no test_ prefix).
"""
from __future__ import annotations

import re

from locust import HttpUser, between, task

PASSWORD = "Demo@2026"
MANAGERS = ["shinan", "huangdao"]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
Q = "from=2025-01-01&to=2025-12-31"
# a dry-run check only (the upload page checks; nothing is imported without a confirmation)
IMPORT_CSV = ("\ufeff机构编码,机构名称,层级,上级机构编码,机构类型,行政区划代码,地址,电话,成立日期,"
              "经度,纬度,状态\r\nLOAD-01,压测工作室,社区级,QD-02,调解工作室,370202,,,,,,运行\r\n"
              ).encode()


class Manager(HttpUser):
    wait_time = between(1, 3)
    counter = 0

    def on_start(self) -> None:
        Manager.counter += 1
        self.username = MANAGERS[Manager.counter % len(MANAGERS)]
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
        self.client.post("/admin/imports/", name="import upload+check", data={
            "kind": "stations", "csrf_token": token},
            files={"file": ("load.csv", IMPORT_CSV, "text/csv")})
