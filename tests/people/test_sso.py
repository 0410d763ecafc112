"""Single sign-on by OpenID Connect against a small provider the test starts on loopback:
discovery, JWKS, an authorize endpoint that answers at once, a token endpoint that insists on
PKCE and hands out an RS256-signed ID token, UserInfo, and an end-session endpoint when asked.
Nothing leaves the machine. tests/people/test_sso_provider.py signs in against a real provider."""
import base64
import hashlib
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
from world import build, fresh, login

from kerne.models import AuditEvent, User
from kerne.web.extensions import db

CLIENT_ID, CLIENT_SECRET = "kerne-test", "s3cret"
KEY = RSAKey.generate_key(2048, parameters={"kid": "directory"})
FORGER = RSAKey.generate_key(2048, parameters={"kid": "directory"})
ABSENT = object()  # a claim the provider does not send


class Provider(ThreadingHTTPServer):
    """The municipality's directory, as much of it as a sign-in needs."""

    signing_key = KEY

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ProviderHandler)
        self.issuer = f"http://127.0.0.1:{self.server_port}"
        self.codes: dict[str, dict] = {}
        self.subject = "user-1"
        self.email: object = "koordinator@example.dk"
        self.email_verified: object = True
        self.email_in_id_token = True  # else in UserInfo only, as a code-flow provider may (OIDC Core §5.4)
        self.userinfo_subject: str | None = None  # UserInfo about someone else
        self.end_session: bool | str = False  # advertise RP-initiated logout (here, or at this address)
        self.userinfo_calls = 0

    def email_claims(self) -> dict:
        claims = {"email": self.email, "email_verified": self.email_verified}
        return {name: value for name, value in claims.items() if value is not ABSENT}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": self.subject, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, **(self.email_claims() if self.email_in_id_token else {})}
        return jwt.encode({"alg": "RS256", "kid": "directory"}, claims, self.signing_key)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


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

    def _back(self, query: dict, answer: dict) -> None:
        self.send_response(302)
        self.send_header("Location", f"{query['redirect_uri']}?{urlencode({**answer, 'state': query['state']})}")
        self.end_headers()

    def do_GET(self):
        url = urlsplit(self.path)
        issuer = self.server.issuer
        if url.path == "/.well-known/openid-configuration":
            return self._json({
                "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
                "userinfo_endpoint": f"{issuer}/userinfo",
                **({"end_session_endpoint": self.server.end_session if isinstance(self.server.end_session, str)
                    else f"{issuer}/logout"} if self.server.end_session else {}),
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"]})
        if url.path == "/jwks":
            return self._json({"keys": [KEY.as_dict(private=False)]})
        if url.path == "/authorize":  # the person signs in at the directory; it sends them back with a code
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
            if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                return self._back(query, {"error": "invalid_request", "error_description": "policy requires PKCE"})
            code = f"code-{len(self.server.codes)}"
            self.server.codes[code] = query
            return self._back(query, {"code": code})
        if url.path == "/userinfo":
            self.server.userinfo_calls += 1
            if self.headers.get("Authorization") != "Bearer at":
                return self._json({"error": "invalid_token"}, 401)
            return self._json({"sub": self.server.userinfo_subject or self.server.subject,
                               **self.server.email_claims()})
        return self._json({"error": "not_found"}, 404)

    def do_POST(self):
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        asked = self.server.codes.pop(form.get("code"), None)
        if self.path != "/token" or self.headers.get("Authorization") != f"Basic {basic}" or asked is None \
                or form.get("redirect_uri") != asked["redirect_uri"] \
                or _s256(form.get("code_verifier", "")) != asked["code_challenge"]:
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


def _through_the_directory(client, start_at: str = "/login/sso", **headers):
    """Start at Kerne, let the directory answer, come back: Kerne's answer to the callback."""
    start = client.get(start_at, headers=headers)
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


def _reasons() -> list[str]:
    return [json.loads(event.detail)["reason"] for event in _failures()]


def _signed_in_as(client) -> int | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return int(user_id) if user_id else None


# ---- 1. only a verified, plain e-mail; the login bound to the identity ------------------------------

@pytest.mark.parametrize("verified", [ABSENT, "false", "true", 0, 1, False, None])
def test_an_email_is_taken_only_when_the_provider_says_true_as_a_json_boolean(client, provider, verified):
    build()
    provider.email_verified = verified
    response = _through_the_directory(client)
    assert response.headers["Location"] == "/login"
    assert _signed_in_as(client) is None
    assert _reasons() == ["email unverified"]


@pytest.mark.parametrize("address", ["\u212aoordinator@example.dk", "koordinator@example\u3002dk",
                                     "\uff4boordinator@example.dk", "koordinator@exampl\u0435.dk",
                                     " koordinator@example.dk", "koordinator@@example.dk", 42])
def test_an_address_that_only_folds_to_an_account_never_signs_in(client, provider, address):
    """The Kelvin sign, an ideographic full stop, a full-width k and a Cyrillic e all lower() or normalise
    towards the coordinator's address; so might a space or a doubled @ to a careless comparison."""
    build()
    provider.email = address
    assert _through_the_directory(client).headers["Location"] == "/login"
    assert _signed_in_as(client) is None
    assert _reasons() == ["email unusable"]
    assert "ingen e-mailadresse, Kerne kan" not in client.get("/login").get_data(as_text=True)


def test_case_differs_in_ascii_only(client, provider):
    world = build()
    provider.email = "Koordinator@EXAMPLE.dk"
    assert _through_the_directory(client).headers["Location"] == "/"
    assert _signed_in_as(client) == world.coordinator.id


def test_the_first_sign_in_binds_the_login_and_later_ones_find_it_by_subject_alone(client, app, provider):
    world = build()
    _through_the_directory(client)
    coordinator = fresh(User, world.coordinator.id)
    assert (coordinator.sso_issuer, coordinator.sso_subject) == (provider.issuer, "user-1")
    bound = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sso_bound")).one()
    assert bound.user_id == world.coordinator.id and json.loads(bound.detail) == {"issuer": provider.issuer}
    # The address changes at the provider (unverified, even someone else's): the binding still decides.
    provider.email, provider.email_verified = "leder@example.dk", False
    later = app.test_client()
    assert _through_the_directory(later).headers["Location"] == "/"
    assert _signed_in_as(later) == world.coordinator.id


def test_a_second_identity_claiming_a_bound_logins_email_is_refused_and_audited(client, app, provider):
    world = build()
    _through_the_directory(client)
    provider.subject = "guest-7"  # another person at the directory, given the coordinator's address
    other = app.test_client()
    assert _through_the_directory(other).headers["Location"] == "/login"
    assert _signed_in_as(other) is None
    assert "hører til et andet login hos kommunen" in other.get("/login").get_data(as_text=True)
    event = _failures()[0]
    assert event.user_id == world.coordinator.id
    assert json.loads(event.detail) == {"method": "sso", "reason": "bound to another identity", "known_email": True,
                                        "issuer": provider.issuer}
    assert fresh(User, world.coordinator.id).sso_subject == "user-1"


def test_the_coordinator_unties_a_login_for_a_person_whose_directory_account_was_made_anew(client, app, provider):
    world = build()
    _through_the_directory(client)
    provider.subject = "koordinator-new"
    person = app.test_client()
    assert _through_the_directory(person).headers["Location"] == "/login"
    login(client, world.coordinator.email)
    assert "knyttet til kommunens login" in client.get("/users").get_data(as_text=True)
    response = client.post(f"/users/{world.coordinator.id}/single-sign-on")
    assert response.status_code == 302 and response.headers["Location"] == "/users"
    unbound = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.sso_unbind")).one()
    assert unbound.user_id == world.coordinator.id and json.loads(unbound.detail) == {"issuer": provider.issuer}
    assert _through_the_directory(person).headers["Location"] == "/"
    assert fresh(User, world.coordinator.id).sso_subject == "koordinator-new"
    again = client.post(f"/users/{world.leader.id}/single-sign-on")
    assert again.status_code == 409 and "ikke knyttet til kommunens login" in again.get_data(as_text=True)


def test_an_unverified_email_of_an_existing_account_gets_its_own_message_and_audit_detail(client, provider):
    world = build()
    provider.email_verified = False
    _through_the_directory(client)
    assert "har ikke bekræftet din e-mailadresse" in client.get("/login").get_data(as_text=True)
    event = _failures()[0]
    assert event.user_id == world.coordinator.id
    assert json.loads(event.detail) == {"method": "sso", "reason": "email unverified", "known_email": True,
                                        "issuer": provider.issuer}


@pytest.mark.parametrize("verified, signed_in", [(ABSENT, True), (False, False), ("true", False)])
def test_a_trusted_provider_that_never_sends_email_verified(client, provider, app, verified, signed_in):
    """The setting names the provider's issuer; one that sends the claim is held to it."""
    world = build()
    app.config["OIDC_EMAIL_TRUSTED_ISSUER"] = provider.issuer
    provider.email_verified = verified
    _through_the_directory(client)
    assert _signed_in_as(client) == (world.coordinator.id if signed_in else None)


def test_trust_in_another_provider_does_not_carry_over(client, app, provider):
    build()
    app.config["OIDC_EMAIL_TRUSTED_ISSUER"] = "https://another.example"
    provider.email_verified = ABSENT
    _through_the_directory(client)
    assert _signed_in_as(client) is None and _reasons() == ["email unverified"]


# ---- a real provider's defaults: PKCE, UserInfo, sign-out -------------------------------------------

def test_kerne_sends_pkce_s256_and_proves_it_at_the_token_endpoint(client, provider):
    world = build()
    start = client.get("/login/sso")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    back = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/"  # the stub checked the verifier
    assert _signed_in_as(client) == world.coordinator.id


def test_the_email_is_read_from_userinfo_when_the_id_token_lacks_it(client, provider):
    world = build()
    provider.email_in_id_token = False
    assert _through_the_directory(client).headers["Location"] == "/"
    assert _signed_in_as(client) == world.coordinator.id and provider.userinfo_calls == 1


def test_userinfo_is_not_asked_when_the_id_token_has_the_email(client, provider):
    build()
    _through_the_directory(client)
    assert provider.userinfo_calls == 0


def test_userinfo_about_another_subject_is_not_used(client, provider):
    build()
    provider.email_in_id_token = False
    provider.userinfo_subject = "someone-else"
    assert _through_the_directory(client).headers["Location"] == "/login"
    assert _signed_in_as(client) is None and _reasons() == ["userinfo of another subject"]


def test_userinfo_holds_the_verified_rule_too(client, provider):
    build()
    provider.email_in_id_token, provider.email_verified = False, ABSENT
    _through_the_directory(client)
    assert _signed_in_as(client) is None and _reasons() == ["email unverified"]


def test_signing_out_ends_the_providers_session_too(client, provider):
    build()
    provider.end_session = True
    _through_the_directory(client)
    response = client.post("/logout")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/logout"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == ["https://kerne.example.dk/login"]
    assert client.get("/ambassadors").status_code == 302  # and Kerne's own session has ended


def test_the_sign_out_form_may_continue_to_the_provider_and_nowhere_else(client, provider):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert policy.endswith(f"; form-action 'self' {provider.issuer}")


def test_an_end_session_endpoint_elsewhere_than_the_provider_is_not_followed(client, provider):
    """The page's policy would stop the browser there: Kerne signs out of itself alone."""
    build()
    provider.end_session = "https://elsewhere.example/logout"
    _through_the_directory(client)
    assert client.post("/logout").headers["Location"] == "/login"


def test_signing_out_of_a_password_sign_in_stays_at_kerne(client, provider):
    world = build()
    provider.end_session = True
    login(client, world.coordinator.email)
    assert client.post("/logout").headers["Location"] == "/login"


def test_without_an_end_session_endpoint_signing_out_stays_at_kerne(client, provider):
    build()
    _through_the_directory(client)
    assert client.post("/logout").headers["Location"] == "/login"


@pytest.mark.parametrize("where", ["http://127.0.0.1:9/.well-known/openid-configuration", "{issuer}/jwks",
                                   "{issuer}/nothing-here"])
def test_a_provider_that_cannot_be_reached_or_read_is_said_plainly(client, app, provider, where):
    """A closed port, a JSON document that is no discovery document, a 404."""
    build()
    client.get("/login")
    app.extensions["kerne.oidc"]._server_metadata_url = where.format(issuer=provider.issuer)
    response = client.get("/login/sso?next=/ambassadors")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/ambassadors"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Kommunens login svarer ikke lige nu" in page.get_data(as_text=True)
    # Put right (or back up), the next click goes to the provider: nothing wrong was kept.
    app.extensions["kerne.oidc"]._server_metadata_url = f"{provider.issuer}/.well-known/openid-configuration"
    assert client.get("/login/sso").headers["Location"].startswith(f"{provider.issuer}/authorize?")


def test_where_the_person_was_going_survives_the_round_trip(client, provider):
    world = build()
    response = _through_the_directory(client, f"/login/sso?next=/ambassadors/{world.first.id}")
    assert response.headers["Location"] == f"/ambassadors/{world.first.id}"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/%09/evil.example"])
def test_a_next_that_leaves_the_site_is_dropped(client, provider, target):
    build()
    assert _through_the_directory(client, f"/login/sso?next={target}").headers["Location"] == "/"


def test_the_login_page_hands_where_the_person_was_going_to_single_sign_on(client):
    page = client.get("/login?next=/ambassadors").get_data(as_text=True)
    assert 'href="/login/sso?next=/ambassadors"' in page


def test_each_start_replaces_the_pending_one_so_the_cookie_stays_small(client, provider):
    build()
    for _ in range(100):
        assert client.get("/login/sso").status_code == 302
    cookie = client.get_cookie("session")
    assert len(cookie.value) < 1000
    with client.session_transaction() as session:
        assert len([key for key in session if key.startswith("_state_")]) == 1
    assert _through_the_directory(client).headers["Location"] == "/"  # the last one started still works


# ---- 2. an invited person may come in through the provider instead ----------------------------------

def _invite(app, world, email: str) -> User:
    """The coordinator gives a leader's login from /users."""
    coordinator = app.test_client()
    login(coordinator, world.coordinator.email)
    response = coordinator.post("/users/new", data={"name": "Ny Leder", "email": email, "roles": "leader"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(User).where(User.email == email)).one()


def test_an_invited_person_signs_in_through_the_provider_and_the_login_is_bound(client, app, provider):
    invited = _invite(app, build(), "ny.leder@example.dk")
    assert invited.invitation is not None
    provider.email, provider.subject = "ny.leder@example.dk", "ny-1"
    assert _through_the_directory(client).headers["Location"] == "/"
    assert _signed_in_as(client) == invited.id
    user = fresh(User, invited.id)
    assert user.sso_subject == "ny-1" and user.invitation is None and not user.has_password


def test_an_invited_person_with_an_unverified_email_is_refused(client, app, provider):
    invited = _invite(app, build(), "ny.leder@example.dk")
    provider.email, provider.email_verified = "ny.leder@example.dk", "true"
    _through_the_directory(client)
    assert _signed_in_as(client) is None and _reasons() == ["email unverified"]
    assert fresh(User, invited.id).invitation is not None
