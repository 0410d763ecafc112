"""Every answer carries the hardening headers; personal answers are never cached."""
import pytest
from world import assert_hardened, build, join, login

from kerne import create_app
from kerne.web.security import CONTENT_SECURITY_POLICY


def test_the_policy_allows_no_inline_code_no_eval_and_no_framing():
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY + ";"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_pages_fragments_and_the_unchanged_poll_are_hardened_and_not_cached(client):
    world = build()
    assert_hardened(client.get("/"))
    assert_hardened(client.get("/login"))
    page = join(client, world.visit)
    assert_hardened(client.get(page))
    current = world.visit.version
    unchanged = client.get(f"{page}/changes?since={current}")
    assert unchanged.status_code == 204
    assert_hardened(unchanged)
    assert_hardened(client.get(f"{page}/changes?since=0"))
    assert_hardened(client.get("/no-such-page"))


def test_staff_pages_and_exports_are_not_cached(client):
    world = build()
    login(client, world.coordinator.email)
    assert_hardened(client.get("/ambassadors"))
    assert_hardened(client.get("/ambassadors.csv"))


def test_static_files_may_be_cached_but_are_hardened(client):
    response = client.get("/static/kerne.css")
    response.close()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Cache-Control") == "no-cache"  # revalidated by its ETag
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]


def test_a_missing_static_file_is_a_personal_page_like_any_other(client):
    world = build()
    login(client, world.coordinator.email)
    missing = client.get("/static/no-such-file.css")
    assert missing.status_code == 404 and world.coordinator.name in missing.get_data(as_text=True)
    assert_hardened(missing)


def test_a_method_no_route_takes_is_405_not_a_csrf_refusal(client):
    response = client.put("/logout", csrf=False)
    assert response.status_code == 405
    assert_hardened(response)


@pytest.mark.parametrize("secure", [True, False])
def test_hsts_only_when_served_over_https(database_url, secure):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url,
                      "SESSION_COOKIE_SECURE": secure})
    response = app.test_client().get("/login")
    assert ("Strict-Transport-Security" in response.headers) is secure
