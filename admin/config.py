"""Settings read from the environment, with safe defaults for the embedded SQLite set-up."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def instance_dir() -> Path:
    return Path(os.environ.get("PORTAL_INSTANCE", Path.cwd() / "instance")).resolve()


def secret_key(folder: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Reads the environment and touches nothing: the secret-key file is written only by
    `secret_key()`, which the app factory calls after a test's overrides, and only when no key
    was given."""

    def __init__(self) -> None:
        folder = instance_dir()
        self.INSTANCE_DIR = str(folder)
        self.DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'portal.db'}"
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or None
        self.BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
        self.LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}
        self.MAX_CONTENT_LENGTH = 50 * 1024 * 1024
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Served over HTTPS (directly or behind a proxy that terminates it): the browser then
        # sends the session cookie over HTTPS only. Off by default, or the plain-HTTP
        # development set-up could not log in.
        self.SESSION_COOKIE_SECURE = os.environ.get("PORTAL_HTTPS", "").lower() in (
            "1", "true", "yes", "on")
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PREFERRED_URL_SCHEME = "https" if self.SESSION_COOKIE_SECURE else "http"
        self.FLASK_ADMIN_SWATCH = "cerulean"
        self.PAGE_SIZE = 20
        # Reverse proxies in front of the portal (nginx: 1). Their X-Forwarded-For/-Proto are
        # believed only then: log-in throttling keys on the client address, and the session
        # cookie's Secure flag needs to know the browser spoke HTTPS.
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
