"""Small worlds for tests: an organisation, people, a process and a visit."""
import io
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from kerne.models import Ambassador, MatchRun, OrgUnit, Process, ProcessRequest, User, Visit
from kerne.web import sqlite
from kerne.web.extensions import db
from kerne.web.security import CONTENT_SECURITY_POLICY
from kerne.workshop.visits import go_to_step, open_visit

PASSWORD = "correct horse battery"
# Sign-in checks a real account's scrypt hash, slow on purpose; the suite signs in over a thousand times, so its
# accounts carry a one-round hash of the same kind of check (tests/people/test_sessions.py keeps scrypt's cost).
PASSWORD_HASH = generate_password_hash(PASSWORD, "pbkdf2:sha256:1")


def unit(name: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    row = OrgUnit(name=name, kind=kind, parent=parent)
    db.session.add(row)
    return row


def user(email: str, roles: str, name: str | None = None) -> User:
    row = User(email=email, name=name or email.split("@")[0].title(), roles=roles, password_hash=PASSWORD_HASH)
    db.session.add(row)
    return row


def ambassador(name: str, workplace: OrgUnit, profession: str = "Pædagog", account: bool = True) -> Ambassador:
    email = f"{name.lower().replace(' ', '.')}@example.dk"
    row = Ambassador(
        name=name, email=email, workplace=workplace, profession=profession,
        user=user(email, "ambassador", name) if account else None,
    )
    db.session.add(row)
    return row


@dataclass
class World:
    workplace: OrgUnit
    other_workplace: OrgUnit
    first: Ambassador
    second: Ambassador
    outsider: Ambassador
    coordinator: User
    leader: User
    process: Process

    @property
    def visit(self) -> Visit:
        return self.process.visits[0]

    @property
    def second_visit(self) -> Visit:
        return self.process.visits[1]


def build(opened: bool = True) -> World:
    """Two departments, a pair across them, one process with two visits; visit 1 open; the leader follows the area."""
    area = unit("Børn og Unge", "area")
    schools = unit("Skoler", "department", area)
    daycare = unit("Dagtilbud", "department", area)
    workplace = unit("Fjordskolen", "workplace", schools)
    other = unit("Børnehuset Mågen", "workplace", daycare)
    first = ambassador("Anna Berg", workplace, "Lærer")
    second = ambassador("Bo Dam", other, "Pædagog")
    outsider = ambassador("Carl Eg", other, "Pædagog")
    process = Process(workplace=workplace, facilitators=[first, second])
    process.visits = [Visit(number=1, scheduled_on=date(2026, 12, 1)), Visit(number=2, scheduled_on=date(2026, 12, 15))]
    db.session.add(process)
    leader = user("leder@example.dk", "leader")
    leader.units = [area]
    world = World(
        workplace=workplace, other_workplace=other, first=first, second=second, outsider=outsider,
        coordinator=user("koordinator@example.dk", "coordinator"), leader=leader, process=process,
    )
    db.session.flush()
    if opened:
        open_visit(world.visit)
    db.session.commit()
    return world


def login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def join(client, visit: Visit, name: str = "") -> str:
    """Join from a phone; returns the participant page's path."""
    response = client.post(f"/j/{visit.join_code}", data={"display_name": name})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def version(html: str) -> int:
    return int(re.search(r'data-version="(\d+)"', html).group(1))


def fresh(model, row_id):
    """The row as the database has it now, not as this session remembers it."""
    db.session.commit()
    return db.session.get(model, row_id)


def only(query):
    return db.session.scalars(select(query)).all()


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the login page of a browser."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


@contextmanager
def writing():
    """A write from a test while a live server writes too: take SQLite's write lock first, as a request does."""
    db.session.commit()
    token = sqlite.writes_outside_requests.set(True)
    try:
        yield
        db.session.commit()
    finally:
        sqlite.writes_outside_requests.reset(token)


def new_process(world: World, step: int = 1, core_task: str = "") -> Process:
    """Another process of the world's pair at its workplace, visit 1 open at ``step``: a room of its own."""
    with writing():
        process = Process(workplace=world.workplace, facilitators=[world.first, world.second])
        process.visits = [Visit(number=1, scheduled_on=date(2026, 12, 1)),
                          Visit(number=2, scheduled_on=date(2026, 12, 15))]
        db.session.add(process)
        db.session.flush()
        open_visit(process.visits[0])
        go_to_step(process.visits[0], step)
        db.session.flush()
        process.visits[0].draft.core_task = core_task
    return process


def assert_hardened(response, cache="no-store"):
    """The browser headers kerne.web.security promises on every answer (over plain HTTP: no HSTS)."""
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers.get("Cache-Control") == cache
    assert "Strict-Transport-Security" not in response.headers


# The coordinator's desk: requests, uploads, matching runs.
SOON = date.today() + timedelta(days=30)


def add_request(world, workplace=None, start=SOON, **more) -> ProcessRequest:
    wanted = ProcessRequest(
        workplace=workplace or world.workplace, contact_name="Leder", contact_email="leder@example.dk",
        visit1_start=start, visit1_end=start, visit2_start=start + timedelta(days=14),
        visit2_end=start + timedelta(days=14), **more,
    )
    db.session.add(wanted)
    db.session.commit()
    return wanted


def wait_for(run_id: int) -> MatchRun:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.session.commit()  # a fresh read of what the engine's thread wrote
        run = db.session.get(MatchRun, run_id)
        if run.status != "running":
            return run
        time.sleep(0.1)
    raise AssertionError("the proposal did not finish")


def upload(client, path: str, data: bytes):
    return client.post(path, data={"file": (io.BytesIO(data), "f.csv")}, content_type="multipart/form-data")


def hidden(page: str, name: str) -> str:
    return re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def confirm_import(client, preview, **more):
    """Confirm the ambassador file a preview page shows."""
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    return client.post("/ambassadors/import/confirm",
                       data={"file_data": hidden(page, "file_data"), "digest": hidden(page, "digest"), **more})


def request_form(world, **changes) -> dict:
    data = {"workplace": world.workplace.id, "contact_name": "Lise Leder", "contact_email": "lise@example.dk",
            "target_groups": "Elever", "visit1_start": SOON.isoformat(), "visit1_end": "",
            "visit2_start": (SOON + timedelta(days=14)).isoformat(), "visit2_end": "", "notes": ""}
    return {**data, **changes}
