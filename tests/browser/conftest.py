"""Browser fixtures: the test app served on 127.0.0.1 in a thread, driven by Debian's Chromium.

The live server serves the session's `app` over the same database as the rest of the suite, so
data made with the usual factories (committed: peewee autocommits outside `db.atomic()`) is what
the browser sees; each request thread opens and closes its own peewee connection.

Every page is watched: a request to any host other than 127.0.0.1 is blocked and fails the test
(the portal must work offline), and so do a broken asset (4xx/5xx) and a JavaScript error.
A failing test leaves a screenshot in test-artifacts/.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1"}
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(app, database):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (browser tests need it): "
                    "apt-get install -y chromium fonts-wqy-zenhei", pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class PageProblems:
    """What went wrong on the page besides the test's own assertions."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.broken: list[str] = []
        self.js_errors: list[str] = []
        self.csp: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp.append(message.text)

    def guard(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def on_response(self, response) -> None:
        request = response.request
        if (response.status >= 400 and request.resource_type != "document"
                and not urlsplit(response.url).path.endswith("/favicon.ico")):
            self.broken.append(f"{response.status} {response.url}")

    def summary(self) -> list[str]:
        return ([f"request to a non-local host: {u}" for u in self.external]
                + [f"asset failed to load: {u}" for u in self.broken]
                + [f"javascript error: {e}" for e in self.js_errors]
                + [f"Content-Security-Policy violation: {e}" for e in self.csp])


@pytest.fixture
def page_problems():
    return PageProblems()


def pytest_configure(config):
    config.addinivalue_line("markers", "browser_locale(code): the browser's own language for "
                            "the test's page (zh-CN by default)")


@pytest.fixture
def page(chromium, live_server, page_problems, request):
    marker = request.node.get_closest_marker("browser_locale")
    context = chromium.new_context(locale=marker.args[0] if marker else "zh-CN",
                                   base_url=live_server,
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    problems = page_problems
    context.route("**/*", problems.guard)
    page = context.new_page()
    page.on("response", problems.on_response)
    page.on("pageerror", lambda exc: problems.js_errors.append(str(exc)))
    page.on("console", problems.on_console)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not problems.summary(), problems.summary()


def log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
