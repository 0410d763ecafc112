"""Kerne: the intranet tool for the municipality's core-task programme."""
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from kerne.records import audit
from kerne.web import errors, permissions, security, sqlite
from kerne.web.config import Config, database_url, secret_key
from kerne.web.extensions import babel, csrf, db, limit_only_limited_routes, limiter, login_manager, migrate
from kerne.web.sessions import SessionInterface


def select_locale() -> str:
    """Danish unless the person picked English (a cookie set by the footer link)."""
    if not has_request_context():  # the CLI and background work speak Danish
        return Config.BABEL_DEFAULT_LOCALE
    chosen = request.cookies.get("lang")
    return chosen if chosen in Config.LANGUAGES else Config.BABEL_DEFAULT_LOCALE


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIME_ZONE"]  # one setting for the zone
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server's connections can drop; a SQLite file's cannot, and a ping costs a poll as much as its read.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})

    app.session_interface = SessionInterface()
    app.url_map.converters["int"] = errors.IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = errors.TextConverter
    db.init_app(app)
    audit.watch()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sqlite.configure(db.engine)
    # Batch mode lets later migrations alter tables on SQLite too.
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    security.init_app(app)
    permissions.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    limit_only_limited_routes(app)
    if app.config["TRUSTED_PROXIES"]:  # the limits count per client address, which a proxy hands on
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])
    # Kerne signs nobody in with "remember me"; Flask-Login's hook for that cookie would
    # read the session on every request, polls included (see kerne/web/sessions.py).
    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)

    from kerne import cli
    from kerne.desk import calendar, organisation, registry, requests
    from kerne.desk.planning import views as planning
    from kerne.insight import dashboard, lists
    from kerne.insight.library import views as library
    from kerne.notices import outbox
    from kerne.notices import views as notices
    from kerne.people import accounts, auth, leaders, sso
    from kerne.processes import home
    from kerne.processes import views as processes
    from kerne.processes.playbook import views as playbook
    from kerne.records import auditlog
    from kerne.records.privacy import views as privacy
    from kerne.web import templating
    from kerne.workshop import facilitate, join, participate

    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    sso.init_app(app)
    for blueprint in (auth.bp, sso.bp, accounts.bp, home.bp, join.bp, participate.bp, facilitate.bp,
                      organisation.bp, registry.bp, requests.bp, planning.bp, calendar.bp, processes.bp, dashboard.bp,
                      lists.bp, library.bp, playbook.bp, notices.bp, leaders.bp, auditlog.bp, privacy.bp):
        app.register_blueprint(blueprint)
    outbox.init_app(app)
    return app
