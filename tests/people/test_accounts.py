"""Deactivation: a coordinator turns a login off (or an ambassador's Aktiv) and the person's
sessions, console, visits and calendar feed stop at once; sessions end; feed secrets rotate."""
import pytest
from sqlalchemy import select
from world import build, fresh, login

from kerne.models import Ambassador, AuditEvent, User
from kerne.web.extensions import db


def _console(world) -> str:
    return f"/visits/{world.visit.id}/console"


def _feed(ambassador) -> str:
    return f"/calendar/{ambassador.calendar_token}.ics"


def _actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.not_like("auth.%"))).all()


def test_logins_page_lists_every_login_with_its_state(client):
    world = build()
    world.second.user.active = False
    login(client, world.coordinator.email)
    page = client.get("/users").get_data(as_text=True)
    assert "Anna Berg" in page and "leder@example.dk" in page and "deaktiveret" in page
    assert "Deaktiver Anna Berg" in page and "Genaktiver Bo Dam" in page and "Log Anna Berg ud overalt" in page
    assert "Deaktiver Koordinator" not in page  # not oneself


@pytest.mark.parametrize("who", ["leader", "first", None])
def test_logins_are_the_coordinators_alone(client, who):
    world = build()
    if who:
        login(client, getattr(world, who).email)
        assert client.get("/users").status_code == 403
        assert client.post(f"/users/{world.coordinator.id}/active", data={"value": "0"}).status_code == 403
    else:
        assert client.get("/users").headers["Location"].startswith("/login")
    assert fresh(User, world.coordinator.id).active


def test_a_deactivated_ambassador_loses_console_visits_and_feed_at_once(client, app):
    world = build()
    feed = _feed(world.first)
    assert client.get(feed).status_code == 200
    ambassador = app.test_client()
    login(ambassador, world.first.email)
    assert ambassador.get(_console(world)).status_code == 200
    login(client, world.coordinator.email)
    response = client.post(f"/users/{world.first.user.id}/active", data={"value": "0"})
    assert response.status_code == 302
    assert "er deaktiveret og logget ud overalt" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert ambassador.get(_console(world)).headers["Location"].startswith("/login")
    assert ambassador.get("/").get_data(as_text=True).count("/console") == 0
    assert client.get(feed).status_code == 404
    assert ambassador.post("/login", data={"email": world.first.email, "password": "correct horse battery"}
                           ).status_code == 422
    assert _actions() == ["user.deactivate"]


def test_a_reactivated_login_signs_in_again(client, app):
    world = build()
    world.first.user.active = False
    login(client, world.coordinator.email)
    assert client.post(f"/users/{world.first.user.id}/active", data={"value": "1"}).status_code == 302
    assert fresh(User, world.first.user.id).active
    login(app.test_client(), world.first.email)
    assert client.get(_feed(world.first)).status_code == 200


def test_unticking_aktiv_in_the_registry_ends_the_ambassadors_sessions_console_and_feed(client, app):
    world = build()
    feed = _feed(world.first)
    ambassador = app.test_client()
    login(ambassador, world.first.email)
    login(client, world.coordinator.email)
    form = {"name": "Anna Berg", "email": world.first.email, "workplace": world.workplace.id, "profession": "Lærer",
            "capacity": 3, "active": ""}
    assert client.post(f"/ambassadors/{world.first.id}", data=form).status_code == 302
    assert not fresh(Ambassador, world.first.id).active
    assert ambassador.get(_console(world)).headers["Location"].startswith("/login")
    assert ambassador.get("/me").status_code == 302
    assert client.get(feed).status_code == 404
    # Still a login in the registry's sense, but one that holds no role it may use: it cannot sign in.
    assert ambassador.post("/login", data={"email": world.first.email, "password": "correct horse battery"}
                           ).status_code == 422
    assert _actions() == ["ambassador.deactivate"]


def test_an_inactive_ambassador_who_also_coordinates_keeps_the_coordinators_desk(client):
    world = build()
    world.first.user.roles = "ambassador coordinator"
    world.first.active = False
    login(client, world.first.email)
    assert client.get("/ambassadors").status_code == 200
    assert client.get(_console(world)).status_code == 403
    assert client.get("/me").status_code == 403


def test_ending_someones_sessions_signs_them_out_everywhere_but_lets_them_back(client, app):
    world = build()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, world.leader.email)
    login(phone, world.leader.email)
    login(client, world.coordinator.email)
    assert client.post(f"/users/{world.leader.id}/sessions").status_code == 302
    assert laptop.get("/dashboard").headers["Location"].startswith("/login")
    assert phone.get("/dashboard").headers["Location"].startswith("/login")
    login(laptop, world.leader.email)
    assert laptop.get("/dashboard").status_code == 200
    assert _actions() == ["user.end_sessions"]


def test_login_actions_refuse_bad_input_oneself_and_a_missing_token(client):
    world = build()
    login(client, world.coordinator.email)
    assert client.post(f"/users/{world.leader.id}/active", data={"value": "maybe"}).status_code == 400
    assert client.post("/users/999999/active", data={"value": "0"}).status_code == 404
    assert client.post("/users/999999/sessions").status_code == 404
    refused = client.post(f"/users/{world.coordinator.id}/active", data={"value": "0"})
    assert refused.status_code == 409 and "dit eget login" in refused.get_data(as_text=True)
    assert client.post(f"/users/{world.leader.id}/active", data={"value": "0"}, csrf=False).status_code == 400
    assert client.post(f"/users/{world.leader.id}/sessions", csrf=False).status_code == 400
    assert fresh(User, world.leader.id).active and fresh(User, world.leader.id).session_generation == 0
    assert _actions() == []


def test_a_new_calendar_secret_stops_the_old_feed_address(client):
    world = build()
    old = _feed(world.first)
    login(client, world.coordinator.email)
    page = client.get(f"/ambassadors/{world.first.id}").get_data(as_text=True)
    assert "Ny kalenderadresse" in page
    response = client.post(f"/ambassadors/{world.first.id}/calendar-secret")
    assert response.status_code == 302 and response.headers["Location"] == f"/ambassadors/{world.first.id}"
    assert client.get(old).status_code == 404
    assert client.get(_feed(fresh(Ambassador, world.first.id))).status_code == 200
    assert _actions() == ["ambassador.calendar_secret"]


def test_a_calendar_secret_is_rotated_by_the_coordinator_only_with_a_token(client):
    world = build()
    token = world.first.calendar_token
    url = f"/ambassadors/{world.first.id}/calendar-secret"
    assert client.post(url).headers["Location"].startswith("/login")
    login(client, world.first.email)
    assert client.post(url).status_code == 403
    client.post("/logout")
    login(client, world.coordinator.email)
    assert client.post(url, csrf=False).status_code == 400
    assert client.post("/ambassadors/999999/calendar-secret").status_code == 404
    assert fresh(Ambassador, world.first.id).calendar_token == token
