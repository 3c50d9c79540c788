"""Reading the settings touches nothing; the secret-key file appears only when no key is given."""
from __future__ import annotations

from admin.app import create_app
from admin.config import Config


def test_config_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "inst"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = Config()
    assert config.SECRET_KEY is None
    assert not (tmp_path / "inst").exists()


def test_a_given_key_leaves_no_key_file(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "inst"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "given", "DATABASE_URL": database_url})
    assert app.config["SECRET_KEY"] == "given"
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_without_a_key_one_is_generated_once(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "inst"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"TESTING": True, "DATABASE_URL": database_url}).config["SECRET_KEY"]
    second = create_app({"TESTING": True, "DATABASE_URL": database_url}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "inst" / "secret_key").read_text().strip() == first
