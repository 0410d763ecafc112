"""Rate limits on sign-in and join codes (Flask-Limiter), with small limits to reach them quickly;
join codes that expire, and one browser as one participant."""
from datetime import timedelta

import pytest
from flask_limiter.util import get_qualified_name
from sqlalchemy import func, select
from world import PASSWORD, build, fresh, join

from kerne.models import Participant, Visit
from kerne.web.extensions import LIMITED_ENDPOINTS, db, limiter
from kerne.workshop.visits import close_visit


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ADDRESS": "5 per minute",
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute", "JOIN_FAILURE_LIMIT": "4 per minute",
            "JOIN_LIMIT": "3 per minute"}


def _sign_in(client, email: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_guessing_a_password_is_stopped_even_when_the_right_one_comes(client):
    world = build()
    for _ in range(3):
        assert _sign_in(client, world.coordinator.email, "forkert").status_code == 422
    response = _sign_in(client, world.coordinator.email)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "For mange forsøg" in page and '<html lang="da">' in page
    assert int(response.headers["Retry-After"]) > 0


def test_the_limit_is_per_account_and_per_address(client, app):
    world = build()
    for _ in range(3):
        _sign_in(client, world.coordinator.email, "forkert")
    assert _sign_in(client, world.leader.email).status_code == 302  # another account from here still works
    other = app.test_client()
    for email in ("a@example.dk", "b@example.dk"):
        _sign_in(other, email, "forkert")
    # five failures from this address in all: now every account is refused from it
    assert _sign_in(other, world.first.email, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 429
    assert _sign_in(other, world.first.email, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 302


def test_signing_in_rightly_never_counts(client):
    world = build()
    for _ in range(6):
        assert _sign_in(client, world.coordinator.email).status_code == 302
        client.post("/logout")


def test_the_owners_own_browser_is_not_locked_out_by_someone_elses_guessing(client, app):
    """OWASP's device cookies: a browser that signed in to the account before is not held by the account's limit."""
    world = build()
    assert _sign_in(client, world.coordinator.email).status_code == 302
    client.post("/logout")
    guesser = app.test_client()
    stranger = {"REMOTE_ADDR": "10.0.0.9"}  # another address: the per-address limit is not what stops the owner
    for _ in range(3):
        assert _sign_in(guesser, world.coordinator.email, "forkert", environ_base=stranger).status_code == 422
    assert _sign_in(guesser, world.coordinator.email, environ_base=stranger).status_code == 429
    assert _sign_in(app.test_client(), world.coordinator.email).status_code == 429  # a browser never used to sign in
    assert _sign_in(client, world.coordinator.email).status_code == 302  # the owner, at their own browser


@pytest.mark.parametrize("guessers_address", ["10.0.0.9", "127.0.0.1"])
def test_ten_failures_from_anywhere_never_hold_the_owners_browser(client, app, guessers_address):
    """Every limit on the sign-in POST – per account and per address – lets the owner's own browser through,
    also when the guesser sits behind the same address (a municipal office shares one NAT address)."""
    world = build()
    assert _sign_in(client, world.coordinator.email).status_code == 302
    client.post("/logout")
    guesser = app.test_client()
    for email in [world.coordinator.email] * 10 + [f"gaet{n}@example.dk" for n in range(6)]:
        assert _sign_in(guesser, email, "forkert", environ_base={"REMOTE_ADDR": guessers_address}
                        ).status_code in (422, 429)
    assert _sign_in(guesser, world.coordinator.email, environ_base={"REMOTE_ADDR": guessers_address}
                    ).status_code == 429
    assert _sign_in(app.test_client(), world.coordinator.email).status_code == 429  # no device cookie: limited
    assert _sign_in(client, world.coordinator.email).status_code == 302  # the owner, at their own browser


def test_the_own_browser_is_limited_by_its_own_failures_and_only_for_its_own_accounts(client, app):
    world = build()
    _sign_in(client, world.leader.email)
    client.post("/logout")
    guesser = app.test_client()
    for _ in range(3):
        _sign_in(guesser, world.coordinator.email, "forkert", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    # The browser knows the leader's account, not the coordinator's: the account limit holds it.
    assert _sign_in(client, world.coordinator.email).status_code == 429
    for _ in range(3):
        assert _sign_in(client, world.leader.email, "forkert", environ_base={"REMOTE_ADDR": "10.0.0.8"}
                        ).status_code == 422
    # Its own guessing at the leader's password stops it, from any address; the leader elsewhere is not held.
    assert _sign_in(client, world.leader.email, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 429
    assert _sign_in(app.test_client(), world.leader.email).status_code == 302


def test_a_device_cookie_this_app_did_not_sign_is_worth_nothing(client, app):
    world = build()
    _sign_in(client, world.coordinator.email)
    genuine = client.get_cookie("kerne_device", path="/login")
    assert genuine is not None and genuine.http_only
    for _ in range(3):
        _sign_in(app.test_client(), world.coordinator.email, "forkert", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    forger = app.test_client()
    forger.set_cookie("kerne_device", genuine.value[:-2] + "xx", path="/login")
    assert _sign_in(forger, world.coordinator.email).status_code == 429


def test_the_limit_message_works_for_htmx_too(client):
    build()
    for _ in range(3):
        _sign_in(client, "x@example.dk", "forkert")
    response = _sign_in(client, "x@example.dk", headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert 'data-error-message>For mange forsøg. Vent lidt og prøv igen.<' in response.get_data(as_text=True)


def test_the_page_and_a_fragment_of_a_signed_in_user_are_not_limited(client):
    world = build()
    _sign_in(client, world.coordinator.email)
    for _ in range(8):
        assert client.get("/login").status_code == 200
        assert client.get("/ambassadors/rows").status_code == 200


def test_guessing_join_codes_is_stopped_for_both_ways_in(client):
    world = build()
    assert client.post("/j", data={"code": "ZZZZ99"}).status_code == 404
    assert client.get("/j/ZZZZ98").status_code == 404
    assert client.post("/j", data={"code": "ZZZZ97"}).status_code == 404
    assert client.get("/j/ZZZZ96").status_code == 404
    response = client.post("/j", data={"code": world.visit.join_code})
    assert response.status_code == 429 and "For mange forsøg" in response.get_data(as_text=True)
    assert client.get(f"/j/{world.visit.join_code}").status_code == 429


def test_a_phone_that_joined_still_opens_its_link_after_others_guessed_from_the_same_address(client, app):
    world = build()
    page = join(client, world.visit, "Sofie")
    guesser = app.test_client()
    for n in range(4):
        guesser.get(f"/j/ZZZZ9{n}")
    assert app.test_client().get(f"/j/{world.visit.join_code}").status_code == 429  # a new phone waits
    response = client.get(f"/j/{world.visit.join_code}")
    assert response.status_code == 302 and response.headers["Location"] == page
    assert guesser.get("/j/ZZZZ95").status_code == 429  # guessing stays stopped


def test_a_room_of_phones_behind_one_address_is_not_slowed_by_opening_the_join_page(client, app):
    world = build()
    for _ in range(10):
        assert app.test_client().get(f"/j/{world.visit.join_code}").status_code == 200
    assert join(client, world.visit, "Sofie").startswith("/w/")


def test_new_participants_from_one_address_are_limited(app):
    world = build()
    for n in range(3):
        join(app.test_client(), world.visit, f"Telefon {n}")
    assert app.test_client().post(f"/j/{world.visit.join_code}", data={"display_name": "x"}).status_code == 429
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 3


def test_one_browser_is_one_participant_even_without_its_join_cookie(client):
    world = build()
    client.get(f"/j/{world.visit.join_code}")  # two tabs opened the name form before either joined
    first = client.post(f"/j/{world.visit.join_code}", data={"display_name": "Sofie"})
    client.delete_cookie(f"kerne_p_{world.visit.public_id}")
    second = client.post(f"/j/{world.visit.join_code}", data={"display_name": "Sofie igen"})
    assert first.status_code == second.status_code == 302
    assert db.session.scalars(select(Participant.display_name)).all() == ["Sofie"]
    assert client.get(second.headers["Location"]).status_code == 200


def test_a_code_expires_after_the_set_time_though_the_visit_is_open(client, app):
    world = build()
    visit = world.visit
    visit.join_code_issued_at -= timedelta(hours=app.config["JOIN_CODE_HOURS"], seconds=1)
    db.session.commit()
    response = client.get(f"/j/{visit.join_code}")
    assert response.status_code == 404 and "Koden virker ikke" in response.get_data(as_text=True)
    assert fresh(Visit, visit.id).status == "open"


def test_a_phone_that_joined_still_finds_its_visit_after_the_code_stops(client):
    world = build()
    page = join(client, world.visit, "Sofie")
    close_visit(world.visit)
    db.session.commit()
    response = client.get(f"/j/{world.visit.join_code}")
    assert response.status_code == 302 and response.headers["Location"] == page


def test_only_the_limited_routes_pay_for_the_limiter(app):
    """kerne.web.extensions runs the limiter's hooks for LIMITED_ENDPOINTS alone; it must name each limited route."""
    with app.test_request_context():  # the limits are read from the configuration when asked for
        limited = {endpoint for endpoint, view in app.view_functions.items()
                   if limiter.limit_manager.decorated_limits(get_qualified_name(view))}
    assert limited == LIMITED_ENDPOINTS
