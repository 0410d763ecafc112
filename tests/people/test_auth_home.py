"""Staff sign-in, the front page by role, a process's results, the language switch."""
import pytest
from world import PASSWORD, build, login

from kerne.web.extensions import db
from kerne.workshop.visits import close_visit


def test_welcome_page_offers_the_code_field_and_sign_in(client):
    page = client.get("/").get_data(as_text=True)
    assert 'name="code"' in page and 'href="/login"' in page


def test_wrong_password_is_refused_in_danish(client):
    world = build()
    response = client.post("/login", data={"email": world.first.email, "password": "forkert"})
    assert response.status_code == 422
    assert "Forkert e-mail eller adgangskode." in response.get_data(as_text=True)


def test_empty_login_is_refused(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Feltet skal udfyldes." in response.get_data(as_text=True)


def test_email_is_matched_without_case(client):
    world = build()
    response = client.post("/login", data={"email": world.first.email.upper(), "password": PASSWORD})
    assert response.status_code == 302


def test_inactive_account_cannot_sign_in(client):
    world = build()
    world.first.user.active = False
    db.session.commit()
    assert client.post("/login", data={"email": world.first.email, "password": PASSWORD}).status_code == 422


def test_login_without_csrf_is_refused(client):
    world = build()
    response = client.post("/login", data={"email": world.first.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client):
    world = build()
    response = client.post(f"/login?next=/visits/{world.visit.id}/console", data={"email": world.first.email, "password": PASSWORD})
    assert response.headers["Location"] == f"/visits/{world.visit.id}/console"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/", data={"email": world.first.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_logout_is_a_post(client):
    world = build()
    login(client, world.first.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get(f"/visits/{world.visit.id}/console").status_code == 302


def test_ambassador_sees_own_processes_with_console_links(client):
    world = build()
    login(client, world.first.email)
    page = client.get("/").get_data(as_text=True)
    assert "Mine forløb" in page and f"/visits/{world.visit.id}/console" in page
    assert "Alle forløb" not in page


def test_ambassador_without_processes_is_told_so(client):
    world = build()
    login(client, world.outsider.email)
    assert "Du er ikke sat på et forløb endnu" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "leader"])
def test_coordinator_and_leader_see_all_processes(client, role):
    world = build()
    login(client, getattr(world, role).email)
    page = client.get("/").get_data(as_text=True)
    assert "Alle forløb" in page and "Fjordskolen" in page
    assert "/console" not in page


def test_process_page_shows_results_to_the_right_people(client, app):
    world = build()
    close_visit(world.visit)
    db.session.commit()
    url = f"/processes/{world.process.id}"
    assert client.get(url).status_code == 302
    for email, status in [(world.first.email, 200), (world.leader.email, 200), (world.coordinator.email, 200),
                          (world.outsider.email, 404)]:
        browser = app.test_client()
        login(browser, email)
        assert browser.get(url).status_code == status, email
    assert app.test_client().get("/processes/999").status_code == 302


def test_language_switch_sets_english_and_back(client):
    response = client.get("/language/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    client.get("/language/da")
    assert '<html lang="da">' in client.get("/login").get_data(as_text=True)
    assert client.get("/language/fr").status_code == 404
    assert client.get("/language/en?next=https://evil.example").headers["Location"] == "/"
