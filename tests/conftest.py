"""Fixtures: an app on a migrated database (SQLite always, PostgreSQL when
KERNE_TEST_DATABASE_URL is set), clients that send the CSRF token like htmx
does, a real server under gunicorn, and Chromium driven by Playwright."""
import contextvars
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from kerne import create_app
from kerne.web import sqlite
from kerne.web.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("KERNE_TEST_DATABASE_URL")
POSTGRES_SKIPPED = "on PostgreSQL: KERNE_TEST_DATABASE_URL is not set"
POSTGRES_HOW = "KERNE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make test   # as .ci/run does"
# Rows the migrations themselves insert (parents first); every test starts from them.
SEEDED_BY_MIGRATIONS = ("playbook", "playbook_step")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _app_for(url: str, **config):
    # Rate limits are off unless a test turns them on (tests/web/test_limits.py): a suite signs in and joins a lot.
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url, "MATCH_SECONDS": 3,
                       "RATELIMIT_ENABLED": False, **config})


def _migrate(url: str) -> None:
    app = _app_for(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "kerne.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


def _with_search_path(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


def _normalise(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


def _require_postgres() -> None:
    if not PG_URL:
        pytest.skip(POSTGRES_SKIPPED)


def _skipped_without_postgres(report) -> bool:
    return report.skipped and isinstance(report.longrepr, tuple) and POSTGRES_SKIPPED in report.longrepr[2]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """The database tests skipped without PostgreSQL are one line of the short summary, not one per test."""
    report = yield
    if _skipped_without_postgres(report):
        report.longrepr = (__file__, _require_postgres.__code__.co_firstlineno + 2, f"Skipped: {POSTGRES_SKIPPED}")
    return report


def pytest_collection_modifyitems(items):
    """The files that drive a browser or a server first: `make test` hands whole files to its two workers
    (--dist loadfile, so a module's server and sign-ins are built once), and long files started last would
    leave one worker running alone at the end."""
    slow = {item.path for item in items if item.get_closest_marker("browser") or item.get_closest_marker("server")}
    items.sort(key=lambda item: item.path not in slow)


def pytest_terminal_summary(terminalreporter):
    """Say how many database tests did not run, and how to run them."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if _skipped_without_postgres(r)]
    if skipped:
        terminalreporter.write_sep("-", f"{len(skipped)} database tests skipped: they run on SQLite, and on PostgreSQL "
                                        "only when it is configured")
        terminalreporter.write_line(POSTGRES_HOW)


@pytest.fixture(scope="session")
def postgres_schema():
    """A fresh schema in the PostgreSQL database, migrated once, dropped at the end."""
    _require_postgres()
    schema = f"kerne_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_normalise(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = _with_search_path(_normalise(PG_URL), schema)
    _migrate(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        seeded = {name: [dict(row) for row in conn.execute(db.metadata.tables[name].select()).mappings()]
                  for name in SEEDED_BY_MIGRATIONS}
    engine.dispose()
    yield url, seeded
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template):
    """The URL of an empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "kerne.sqlite"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url, seeded = request.getfixturevalue("postgres_schema")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(db.metadata.tables)} RESTART IDENTITY CASCADE"))
        for name, rows in seeded.items():
            conn.execute(db.metadata.tables[name].insert(), rows)
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {max(r['id'] for r in rows)})"))
    engine.dispose()
    return url


class CsrfClient(FlaskClient):
    """A test client that behaves like a browser talking to a real server.

    Each request runs in a context of its own (its own ``g``, its own database
    session), after the test's own work is committed, and sends the CSRF
    token in the header as htmx does. Pass ``csrf=False`` to leave it out.
    """

    token: str | None = None

    def open(self, *args, csrf: bool = True, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(self._open, *args, csrf=csrf, **kwargs)

    def _open(self, *args, csrf: bool, **kwargs):
        method = kwargs.get("method", "GET")
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        response = super().open(*args, **kwargs)
        if method == "POST" and args and str(args[0]).startswith("/login") and response.status_code == 302:
            self.token = None  # signing in rotates the token: read the new one, as a browser's next page does
            self.csrf_token()
        return response

    def csrf_token(self) -> str:
        if self.token is None:
            page = super().open("/login").get_data(as_text=True)
            self.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return self.token


@pytest.fixture
def app_config() -> dict:
    """Settings on top of the tests' own; a module overrides this fixture to change them."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    app = _app_for(database_url, **app_config)
    app.test_client_class = CsrfClient
    # The test's own session mostly watches what requests and servers do:
    # it must not hold SQLite's write lock while they write.
    watching = sqlite.writes_outside_requests.set(False)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    sqlite.writes_outside_requests.reset(watching)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- every role in two rooms (tests/roles.py) -------------------------------

@pytest.fixture(scope="session")
def signed_in(tmp_path_factory, sqlite_template):
    """Both rooms and every role's client, built once; each test gets a copy of the database."""
    from roles import build_rooms

    path = tmp_path_factory.mktemp("rooms") / "kerne.sqlite"
    shutil.copy(sqlite_template, path)
    app = quiet_app(path)
    with app.app_context():
        rooms = build_rooms(app)
        db.session.remove()
        db.engine.dispose()
    return path, rooms


def quiet_app(path: Path):
    """An app on the SQLite file ``path``, with no mail courier running beside the test."""
    app = _app_for(f"sqlite:///{path}", MAIL_INTERVAL_SECONDS=0)
    app.test_client_class = CsrfClient
    return app


@pytest.fixture
def rooms(signed_in, tmp_path):
    """Every role signed in to the two rooms, on a database of this test's own."""
    from roles import copy_database, settle

    template, built = signed_in
    copy_database(template, tmp_path / "kerne.sqlite")
    app = quiet_app(tmp_path / "kerne.sqlite")
    watching = sqlite.writes_outside_requests.set(False)
    with app.app_context():
        yield built.on(app)
        settle()
        db.session.remove()
        db.engine.dispose()
    sqlite.writes_outside_requests.reset(watching)


# ---- a real server -----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(database_url: str, workers: int = 2, threads: int = 4, port: int | None = None,
                   settings: dict[str, str] | None = None):
    """The app under gunicorn on loopback, as in production; ``settings``: more of its environment."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "PYTHONPATH": str(ROOT),
           "KERNE_MATCH_SECONDS": "3", "KERNE_MAIL_INTERVAL": os.environ.get("KERNE_MAIL_INTERVAL", "0"),
           "KERNE_RATELIMIT_ENABLED": os.environ.get("KERNE_RATELIMIT_ENABLED", "0"), **(settings or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded machine starts gunicorn slowly
        while True:
            try:
                urlopen(base + "/j", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a loaded machine: make sure no server outlives its test
            process.kill()
            process.wait()


@pytest.fixture
def live_server(app, database_url):
    with running_server(database_url) as base:
        yield base


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    """One SQLite database with the people of world.build() (no visit open), served by gunicorn for a
    whole module: its tests make processes of their own, and skip a server start each."""
    from world import build, writing

    path = tmp_path_factory.mktemp("site") / "kerne.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = _app_for(url)
    watching = sqlite.writes_outside_requests.set(False)
    with app.app_context():
        with writing():
            world = build(opened=False)
        with running_server(url) as base:
            yield base, world
        db.session.remove()
        db.engine.dispose()
    sqlite.writes_outside_requests.reset(watching)


# ---- a browser ---------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Chromium is missing: `make test` installs it with apt-get")
    browser = playwright_instance.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, playwright_instance):
    """A factory of phone-sized browser contexts (Pixel 7)."""
    contexts = []

    def new_phone():
        context = browser.new_context(**playwright_instance.devices["Pixel 7"])
        contexts.append(context)
        return context

    yield new_phone
    for context in contexts:
        context.close()
