"""Single sign-on against a real provider: node-oidc-provider 8.8.1 (OpenID Certified) at its defaults,
started by tests/people/oidc_provider.mjs on loopback, and Kerne under gunicorn. Chromium signs in
through the provider's own login and consent pages: PKCE, the e-mail from UserInfo, the verified
rule and sign-out as a real provider has them. `make test` installs the package (npm ci in tests/node)."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, _app_for, free_port, running_server
from sqlalchemy import select
from world import build

from kerne.models import User
from kerne.web import sqlite
from kerne.web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
PACKAGE = ROOT / "tests" / "node" / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID, CLIENT_SECRET = "kerne", "a-client-secret-long-enough-for-hs256-0123456789"
# Nothing but loopback: the provider's pages ask for a web font, which a test never fetches.
ELSEWHERE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")


def _provider(port: int, kerne: str) -> subprocess.Popen:
    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        pytest.fail("Node or oidc-provider is missing: `make test` installs them (npm ci in tests/node)")
    process = subprocess.Popen([node, str(SCRIPT), str(port), kerne, CLIENT_ID, CLIENT_SECRET],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:  # its warnings about development defaults go to stderr
        if line.startswith("ready "):
            return process
    raise RuntimeError("oidc-provider did not start")


@pytest.fixture(scope="module")
def servers(tmp_path_factory, sqlite_template):
    """The provider and Kerne, each knowing the other's address; the people of world.build()."""
    path = tmp_path_factory.mktemp("sso") / "kerne.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    kerne_port, provider_port = free_port(), free_port()
    kerne, issuer = f"http://127.0.0.1:{kerne_port}", f"http://127.0.0.1:{provider_port}"
    app = _app_for(url)
    watching = sqlite.writes_outside_requests.set(False)
    provider = _provider(provider_port, kerne)
    try:
        with app.app_context():
            world = build(opened=False)
            settings = {"KERNE_BASE_URL": kerne, "KERNE_OIDC_DISCOVERY_URL": f"{issuer}/.well-known/openid-configuration",
                        "KERNE_OIDC_CLIENT_ID": CLIENT_ID, "KERNE_OIDC_CLIENT_SECRET": CLIENT_SECRET}
            with running_server(url, workers=1, port=kerne_port, settings=settings):
                yield kerne, issuer, world
            db.session.remove()
            db.engine.dispose()
    finally:
        provider.terminate()
        provider.wait(timeout=10)
        provider.stdout.close()
        sqlite.writes_outside_requests.reset(watching)


@pytest.fixture
def page(browser):
    """A browser of its own (no session at Kerne or the provider) that reaches nothing but loopback."""
    context = browser.new_context()
    context.route(ELSEWHERE, lambda route: route.abort())
    yield context.new_page()
    context.close()


def _at_the_provider(page, issuer: str, login: str) -> None:
    """Sign in on the provider's own login page and allow Kerne on its consent page."""
    page.wait_for_url(f"{issuer}/interaction/*")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "whatever the directory checks")
    page.click("button:has-text('Sign-in')")
    page.click("button:has-text('Continue')")  # the consent page, once the provider has signed the person in


def _start(page, kerne: str, path: str = "/login") -> None:
    page.goto(kerne + path)
    page.click("a:has-text('Log ind med kommunens login')")


def test_a_person_signs_in_through_the_providers_own_pages_and_out_of_both(servers, page):
    kerne, issuer, world = servers
    _start(page, kerne, "/login?next=/ambassadors")
    _at_the_provider(page, issuer, "koordinator")
    page.wait_for_url(f"{kerne}/ambassadors")
    assert page.locator("h1").inner_text() == "Ambassadører"
    coordinator = db.session.scalars(select(User).where(User.id == world.coordinator.id)).one()
    db.session.refresh(coordinator)
    assert (coordinator.sso_issuer, coordinator.sso_subject) == (issuer, "koordinator")

    page.click("button:has-text('Log ud')")  # Kerne sends the browser on to the provider's sign-out
    page.wait_for_url(f"{issuer}/session/end*")
    page.click("button:has-text('Yes, sign me out')")
    page.wait_for_url(f"{kerne}/login*")
    assert "Du er logget ud." in page.content()
    # At a shared computer the next person is asked who they are, not let in as the last one.
    page.click("a:has-text('Log ind med kommunens login')")
    page.wait_for_url(f"{issuer}/interaction/*")
    assert page.locator("input[name=login]").is_visible()


def test_a_person_without_a_kerne_account_is_told_so(servers, page):
    kerne, issuer, _world = servers
    _start(page, kerne)
    _at_the_provider(page, issuer, "ukendt")
    page.wait_for_url(f"{kerne}/login")
    assert "Der er ingen aktiv konto i Kerne med din e-mail." in page.content()
    page.goto(f"{kerne}/ambassadors")
    page.wait_for_url(f"{kerne}/login?next=*")


def test_an_email_the_provider_has_not_verified_is_refused(servers, page):
    kerne, issuer, world = servers
    _start(page, kerne)
    _at_the_provider(page, issuer, "leder")  # leder@example.dk is a Kerne account; the directory never confirmed it
    page.wait_for_url(f"{kerne}/login")
    assert "har ikke bekræftet din e-mailadresse" in page.content()
    leader = db.session.get(User, world.leader.id)
    db.session.refresh(leader)
    assert leader.sso_subject is None
