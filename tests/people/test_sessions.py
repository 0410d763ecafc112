"""Sessions that end: sign-out, a new password and deactivation end every session of the person;
idle and absolute timeouts; password rules; sign-ins in the audit log."""
import pytest
from sqlalchemy import select
from world import PASSWORD, build, fresh, login

from kerne.models import AuditEvent, User
from kerne.people import sign_in
from kerne.web.extensions import db

NEW_PASSWORD = "a long new sentence to remember"


def _copy_of(client, app):
    """A second browser holding a copy of ``client``'s session cookie (as an attacker would)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _signed_in(client) -> bool:
    return 'action="/logout"' in client.get("/").get_data(as_text=True)


def test_sign_out_ends_a_copied_session_cookie(client, app):
    world = build()
    login(client, world.coordinator.email)
    copy = _copy_of(client, app)
    assert _signed_in(copy)
    assert client.post("/logout").status_code == 302
    assert not _signed_in(copy)
    assert copy.get("/ambassadors").headers["Location"].startswith("/login")


def test_signing_out_on_one_computer_ends_the_others(client, app):
    world = build()
    login(client, world.coordinator.email)
    laptop = app.test_client()
    login(laptop, world.coordinator.email)
    laptop.post("/logout")
    assert not _signed_in(client)


def test_a_password_change_keeps_this_browser_and_ends_the_others(client, app):
    world = build()
    login(client, world.coordinator.email)
    laptop = app.test_client()
    login(laptop, world.coordinator.email)
    response = client.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client) and not _signed_in(laptop)
    assert fresh(User, world.coordinator.id).check_password(NEW_PASSWORD)
    assert "auth.password" in db.session.scalars(select(AuditEvent.action)).all()


def test_password_page_for_anyone_signed_in_and_only_them(client):
    world = build()
    assert client.get("/password").headers["Location"].startswith("/login")
    login(client, world.first.email)
    page = client.get("/password").get_data(as_text=True)
    assert "Skift adgangskode" in page and 'autocomplete="new-password"' in page


@pytest.mark.parametrize(("new", "repeat", "message"), [
    ("kort", "kort", "mindst 12 tegn"),
    ("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "det samme tegn"),
    ("koordinator-1234567", "koordinator-1234567", "dit navn eller din e-mail"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "ikke ens"),
])
def test_a_weak_or_mistyped_new_password_is_refused_next_to_the_field(client, new, repeat, message):
    world = build()
    login(client, world.coordinator.email)
    response = client.post("/password", data={"current": PASSWORD, "new": new, "repeat": repeat})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert fresh(User, world.coordinator.id).check_password(PASSWORD)


def test_a_password_change_needs_the_current_password_and_the_csrf_token(client):
    world = build()
    login(client, world.coordinator.email)
    response = client.post("/password", data={"current": "forkert", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 422 and "Adgangskoden er forkert" in response.get_data(as_text=True)
    data = {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/password", data=data, csrf=False).status_code == 400
    assert fresh(User, world.coordinator.id).check_password(PASSWORD)


def test_an_idle_session_ends(client, app):
    world = build()
    login(client, world.coordinator.email)
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    assert client.get("/ambassadors").headers["Location"].startswith("/login")


def test_activity_keeps_a_session_until_its_absolute_end(client, app):
    world = build()
    login(client, world.coordinator.email)
    with client.session_transaction() as session:
        session["seen_at"] -= sign_in.SEEN_RESOLUTION_SECONDS  # a request now moves the idle clock on
        session["signed_in_at"] -= app.config["SESSION_MAX_HOURS"] * 3600 - 60
    assert client.get("/ambassadors").status_code == 200
    with client.session_transaction() as session:
        assert session["seen_at"] > session["signed_in_at"] + app.config["SESSION_MAX_HOURS"] * 3600 - 120
        session["signed_in_at"] -= 61
    assert client.get("/ambassadors").headers["Location"].startswith("/login")


def test_a_session_from_before_generations_is_not_trusted(client):
    world = build()
    login(client, world.coordinator.email)
    with client.session_transaction() as session:
        del session["generation"]
    assert not _signed_in(client)


def test_sign_ins_failures_and_sign_outs_are_audited_without_what_was_typed(client):
    world = build()
    client.post("/login", data={"email": world.coordinator.email, "password": "wrong"})
    client.post("/login", data={"email": "nobody@example.dk", "password": "hunter2-typed"})
    login(client, world.coordinator.email)
    client.post("/logout")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.user_id) for e in events] == [
        ("auth.sign_in_failed", world.coordinator.id), ("auth.sign_in_failed", None),
        ("auth.sign_in", world.coordinator.id), ("auth.sign_out", world.coordinator.id)]
    assert all("nobody" not in e.detail and "hunter2" not in e.detail for e in events)


def test_an_unknown_email_costs_a_password_check_too(client, monkeypatch):
    build()
    checked = []
    original = sign_in.check_password_hash
    monkeypatch.setattr(sign_in, "check_password_hash", lambda *args: checked.append(args) or original(*args))
    response = client.post("/login", data={"email": "nobody@example.dk", "password": PASSWORD})
    assert response.status_code == 422 and len(checked) == 1
    assert checked[0][0].startswith("scrypt:")  # the same kind of hash a real account has


def test_an_inactive_account_costs_a_password_check_too(client, monkeypatch):
    world = build()
    world.coordinator.active = False
    checked = []
    original = sign_in.check_password_hash
    monkeypatch.setattr(sign_in, "check_password_hash", lambda *args: checked.append(args) or original(*args))
    assert client.post("/login", data={"email": world.coordinator.email, "password": PASSWORD}).status_code == 422
    assert len(checked) == 1


def test_create_user_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-user", "ny@example.dk", "Ny", "--role", "coordinator"], input="kort\nkort\n")
    assert result.exit_code != 0 and "mindst 12 tegn" in result.output
    assert db.session.scalars(select(User)).all() == []


def test_create_user_resetting_a_password_ends_the_sessions(runner, client):
    world = build()
    login(client, world.coordinator.email)
    result = runner.invoke(args=["create-user", world.coordinator.email, "Koordinator", "--role", "coordinator"],
                           input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert not _signed_in(client)
