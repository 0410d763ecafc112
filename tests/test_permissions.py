"""Every route in `flask routes`, tried by every role and anonymously, with our ids and another
process's, answers as kerne/permissions.py says; every answer carries the browser headers."""
import shutil
import threading
from pathlib import Path

import pytest
from conftest import CsrfClient, _app_for
from roles import SCOPED_IDS, build_rooms, copy_database
from world import assert_hardened

from kerne import create_app, sqlite
from kerne.extensions import db
from kerne.permissions import KEY, NO, ROLES, TABLE, YES, markdown


def _all_rules():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


RULES = _all_rules()


def test_every_route_has_an_entry_in_the_permission_table():
    missing = sorted({rule.endpoint for rule in RULES} - set(TABLE))
    assert not missing, f"add these endpoints to TABLE in kerne/permissions.py: {', '.join(missing)}"
    stale = sorted(set(TABLE) - {rule.endpoint for rule in RULES})
    assert not stale, f"TABLE in kerne/permissions.py names endpoints that no longer exist: {', '.join(stale)}"


def _denied(response) -> bool:
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory, sqlite_template):
    """Both rooms and every role's client, built once; each test gets a copy of the database."""
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
    template, built = signed_in
    copy_database(template, tmp_path / "kerne.sqlite")
    app = quiet_app(tmp_path / "kerne.sqlite")
    watching = sqlite.writes_outside_requests.set(False)
    with app.app_context():
        yield built.on(app)
        for thread in threading.enumerate():  # a proposal the coordinator asked for computes in the background
            if thread.name.startswith("match-run-"):
                thread.join()
        db.session.remove()
        db.engine.dispose()
    sqlite.writes_outside_requests.reset(watching)


@pytest.mark.parametrize("rule", [r for r in RULES if r.endpoint != "static"], ids=lambda r: f"{r.endpoint} {r.rule}")
def test_each_role_gets_what_the_table_allows(rooms, rule):
    access = TABLE.get(rule.endpoint)
    assert access is not None, f"{rule.endpoint} ({rule.rule}) has no entry in TABLE in kerne/permissions.py"
    scoped = [name for name in rule.arguments if name in SCOPED_IDS]
    for method in sorted(rule.methods & {"GET", "POST"}):
        for role in ROLES:
            level = getattr(access, role)
            client = rooms.clients[role]
            tries = [("ours", False)]
            if level not in (NO, YES, KEY) and scoped:
                # Theirs, then (with two ids) our parent with their child, then ours.
                tries = [("theirs", False)] + [("theirs", True)] * (len(scoped) > 1) + [("ours", False)]
            for side, mixed in tries:
                url = rooms.url(rule, side, role, mixed)
                response = client.open(url, method=method)
                status = response.status_code
                what = f"{role} {method} {url} → {status}"
                assert status < 500, what
                assert_hardened(response)
                if level == NO:
                    assert _denied(response), f"{what}: the table says no"
                elif side == "theirs":
                    assert _denied(response) or status == 404, f"{what}: {level} only"
                else:
                    assert not _denied(response), f"{what}: the table says {level}"


def test_the_table_prints_as_markdown_for_the_readme(runner):
    result = runner.invoke(args=["permissions"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "| route | " + " | ".join(ROLES) + " |"
    assert "| GET `/ambassadors` | yes | – | – | – | – | – |" in lines
    assert "| GET `/w/<public_id>/changes` | – | – | – | own processes | own visit | – |" in lines
    assert result.output.strip() == markdown(runner.app)
