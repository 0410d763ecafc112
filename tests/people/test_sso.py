"""Single sign-on by OpenID Connect against a small provider the test starts on loopback:
discovery, JWKS, an authorize endpoint that answers at once, and a token endpoint that
hands out an RS256-signed ID token. Nothing leaves the machine."""
import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from world import build

from kerne.models import AuditEvent, User
from kerne.web.extensions import db

CLIENT_ID, CLIENT_SECRET = "kerne-test", "s3cret"
KEY = RSAKey.generate_key(2048, parameters={"kid": "directory"})
FORGER = RSAKey.generate_key(2048, parameters={"kid": "directory"})


class Provider(ThreadingHTTPServer):
    """The municipality's directory, as much of it as a sign-in needs."""

    email = "koordinator@example.dk"
    signing_key = KEY

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ProviderHandler)
        self.issuer = f"http://127.0.0.1:{self.server_port}"
        self.codes: dict[str, dict] = {}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "user-1", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, "email": self.email, "email_verified": True}
        return jwt.encode({"alg": "RS256", "kid": "directory"}, claims, self.signing_key)


class ProviderHandler(BaseHTTPRequestHandler):
    server: Provider

    def log_message(self, *args):  # quiet
        pass

    def _json(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        issuer = self.server.issuer
        if url.path == "/.well-known/openid-configuration":
            return self._json({
                "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"]})
        if url.path == "/jwks":
            return self._json({"keys": [KEY.as_dict(private=False)]})
        if url.path == "/authorize":  # the person signs in at the directory; it sends them back with a code
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
            code = f"code-{len(self.server.codes)}"
            self.server.codes[code] = query
            self.send_response(302)
            self.send_header("Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")
            self.end_headers()
            return None
        return self._json({"error": "not_found"}, 404)

    def do_POST(self):
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        asked = self.server.codes.pop(form.get("code"), None)
        if self.path != "/token" or self.headers.get("Authorization") != f"Basic {basic}" or asked is None \
                or form.get("redirect_uri") != asked["redirect_uri"]:
            return self._json({"error": "invalid_grant"}, 400)
        return self._json({"access_token": "at", "token_type": "Bearer", "expires_in": 300,
                           "id_token": self.server.id_token(asked["nonce"])})


@pytest.fixture
def provider():
    server = Provider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_config(provider) -> dict:
    return {"OIDC_DISCOVERY_URL": f"{provider.issuer}/.well-known/openid-configuration",
            "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET, "BASE_URL": "https://kerne.example.dk"}


def _through_the_directory(client, **headers):
    """Start at Kerne, let the directory answer, come back: Kerne's answer to the callback."""
    start = client.get("/login/sso", headers=headers)
    assert start.status_code == 302
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}" == "https://kerne.example.dk"
    return client.get(f"{callback.path}?{callback.query}")


def _failures() -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).all()


def test_the_login_page_offers_the_municipalitys_sign_in(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/sso"' in page and "Log ind med kommunens login" in page
    assert 'name="password"' in page  # local passwords remain


def test_a_known_account_signs_in_through_the_directory(client):
    world = build()
    response = _through_the_directory(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/ambassadors").status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in")).one()
    assert event.user_id == world.coordinator.id and json.loads(event.detail) == {"method": "sso"}
    client.post("/logout")  # and the session ends like any other
    assert client.get("/ambassadors").status_code == 302


def test_the_callback_address_comes_from_configuration_not_the_host_header(client):
    start = client.get("/login/sso", headers={"Host": "evil.example"})
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["redirect_uri"] == ["https://kerne.example.dk/login/sso/callback"]


def test_nobody_is_created_for_an_unknown_email(client, provider):
    build()
    provider.email = "ny.person@example.dk"
    users = db.session.scalar(select(func.count()).select_from(User))
    response = _through_the_directory(client)
    assert response.headers["Location"] == "/login"
    assert "ingen aktiv konto i Kerne" in client.get("/login").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert client.get("/ambassadors").status_code == 302
    assert len(_failures()) == 1 and "ny.person" not in _failures()[0].detail


def test_a_deactivated_account_is_refused(client):
    world = build()
    world.coordinator.active = False
    response = _through_the_directory(client)
    assert response.headers["Location"] == "/login"
    assert client.get("/ambassadors").status_code == 302
    assert _failures()[0].user_id == world.coordinator.id


def test_an_id_token_signed_by_someone_else_is_refused(client, provider):
    build()
    provider.signing_key = FORGER
    response = _through_the_directory(client)
    assert response.headers["Location"] == "/login"
    assert "lykkedes ikke" in client.get("/login").get_data(as_text=True)
    assert client.get("/ambassadors").status_code == 302
    assert json.loads(_failures()[0].detail)["reason"] == "BadSignatureError"


def test_a_callback_this_browser_did_not_start_is_refused(client, app):
    build()
    start = client.get("/login/sso")
    back = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    stranger = app.test_client()  # another browser is handed the code (login CSRF)
    assert stranger.get(f"{back.path}?{back.query}").headers["Location"] == "/login"
    assert stranger.get("/ambassadors").status_code == 302
    assert json.loads(_failures()[0].detail)["reason"] == "MismatchingStateError"


@pytest.mark.parametrize("app_config", [{}], indirect=False)
def test_without_configuration_there_is_no_single_sign_on(client, app_config):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    assert "/login/sso" not in client.get("/login").get_data(as_text=True)
