"""The application factory: settings, database, Babel, login, Flask-Admin, blueprints, CLI."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, session
from flask_babel import Babel
from flask_login import current_user

from network.db import db, open_database

from .config import Config, secret_key


def select_locale() -> str:
    """Session choice first (the language switch), then the account's saved choice."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    lang = session.get("lang")
    if lang in languages:
        return lang
    if current_user and getattr(current_user, "is_authenticated", False):
        saved = getattr(current_user, "locale", None)
        if saved in languages:
            return saved
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(Config().as_dict())
    if config:
        app.config.update(config)
    app.instance_path = app.config["INSTANCE_DIR"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.instance_path))
    if app.config.get("TESTING"):
        import jinja2

        app.jinja_env.undefined = jinja2.StrictUndefined

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    open_database(app.config["DATABASE_URL"])

    @app.before_request
    def _connect() -> None:
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        if not db.is_closed() and not app.config.get("KEEP_DB_OPEN"):
            db.close()

    Babel(app, locale_selector=select_locale, default_translation_directories="translations")

    from . import auth, i18n, security

    auth.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    from .views import init_admin

    init_admin(app)
    security.use_nonce_in_admin(app)

    # Every domain package, so that their registrations (import kinds, settings, audit
    # labels) are complete before the pages and commands read them.
    import evaluation  # noqa: F401
    import promotion  # noqa: F401
    import training  # noqa: F401

    from . import api
    from .cli import cli_bp, register_imports
    from .pages import pages_bp

    app.register_blueprint(pages_bp)
    api.register(app)
    register_imports()
    app.register_blueprint(cli_bp)

    @app.context_processor
    def _globals() -> dict:
        return {"languages": app.config["LANGUAGES"], "current_locale": select_locale()}

    return app
