"""Single sign-on by OpenID Connect, with the municipality's own directory (Entra ID, AD FS, Keycloak …).

On when KERNE_OIDC_DISCOVERY_URL and KERNE_OIDC_CLIENT_ID are set; docs/sign-in.md has the rules.
The code flow with PKCE (S256) and the client's secret; the ID token names the person (issuer and
subject), and UserInfo gives the e-mail when the ID token does not. A login is bound to that identity
at its first sign-in, found by a verified e-mail (kerne.people.binding); nobody is created here: the
coordinator decides who has a login. Local passwords keep working.
"""
import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError

from kerne.people import binding
from kerne.people.claims import email_claims, email_of, needs_userinfo
from kerne.people.sign_in import safe_next, start_session
from kerne.records import audit
from kerne.web import links, sqlite
from kerne.web.config import provider_origin, single_sign_on
from kerne.web.extensions import db

bp = Blueprint("sso", __name__, url_prefix="/login/sso")
CLIENT = "kerne.oidc"
PROVIDER = "municipality"
# Authlib keeps each sign-in that was started under a session key with this prefix.
PENDING = f"_state_{PROVIDER}_"
# Where to go after signing in, kept through the round trip to the provider.
NEXT = "sso_next"
# What a discovery document must name for the code flow to work.
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
# Why a sign-in was refused (kerne.people.binding), as the person is told.
REFUSALS = {
    "no active account": _l("Der er ingen aktiv konto i Kerne med din e-mail. Kontakt koordinatoren."),
    "email unverified": _l("Kommunens login har ikke bekræftet din e-mailadresse, så Kerne kan ikke bruge den. "
                           "Kontakt IT-afdelingen."),
    "email missing": _l("Kommunens login sendte ingen e-mailadresse. Kontakt IT-afdelingen."),
    "email unusable": _l("Kommunens login sendte en e-mailadresse med tegn, Kerne ikke kan bruge. "
                         "Kontakt IT-afdelingen."),
    "bound to another identity": _l("Din konto i Kerne hører til et andet login hos kommunen. "
                                    "Kontakt koordinatoren."),
}


def init_app(app) -> None:
    """Register the directory as this app's OpenID Connect provider, when one is configured."""
    config = app.config
    on = single_sign_on(config)
    app.jinja_env.globals["single_sign_on"] = on  # the login page offers it
    if not on:
        return
    oauth = OAuth(app)  # one per app: the provider is the app's configuration, not the process's
    app.extensions[CLIENT] = oauth.register(
        PROVIDER,
        server_metadata_url=config["OIDC_DISCOVERY_URL"],
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        client_kwargs={"scope": "openid email profile", "timeout": 10, "code_challenge_method": "S256"},
    )


def enabled() -> bool:
    return CLIENT in current_app.extensions


def _client():
    if not enabled():
        abort(404)
    return current_app.extensions[CLIENT]


def _metadata(client) -> dict | None:
    """The provider's discovery document, or None when it cannot be read or is not one (logged)."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError, TypeError) as error:
        current_app.logger.warning("OpenID Connect discovery failed: %s", error)
        return None
    if not all(metadata.get(name) for name in REQUIRED_METADATA):
        current_app.logger.warning("OpenID Connect discovery document lacks one of %s", REQUIRED_METADATA)
        metadata.pop("_loaded_at", None)  # Authlib would keep it for good: read it again next time
        return None
    return metadata


def _forget_pending() -> None:
    """One sign-in waits per browser: every start would otherwise add a state to the session cookie,
    which browsers drop past 4 KB."""
    for key in [key for key in session if key.startswith(PENDING)]:
        del session[key]
    session.pop(NEXT, None)


@bp.get("")
def start():
    """Send the person to the municipality's sign-in page."""
    client = _client()
    target = safe_next(request.args.get("next"))
    if _metadata(client) is None:
        flash(_("Kommunens login svarer ikke lige nu. Prøv igen om lidt, eller log ind med e-mail og adgangskode."),
              "error")
        return redirect(url_for("auth.login", next=target))
    _forget_pending()
    if target:
        session[NEXT] = target
    return client.authorize_redirect(links.absolute("sso.callback"))  # from configuration, never the Host header


def _refused(message: str, **detail):
    session.pop(NEXT, None)
    audit.record("auth.sign_in_failed", method="sso", **detail)
    db.session.commit()
    flash(message, "error")
    return redirect(url_for("auth.login"))


@bp.get("/callback")
def callback():
    """The directory sends the person back with a code; its signed ID token names them."""
    client = _client()
    sqlite.will_write()  # a sign-in is logged, though this is a GET
    failed = _("Log ind via kommunen lykkedes ikke. Prøv igen.")
    metadata = _metadata(client)
    if metadata is None:
        return _refused(failed, reason="discovery failed")
    try:
        token = client.authorize_access_token()
        identity = token.get("userinfo") or {}  # the ID token's claims: signature, issuer, audience, nonce checked
        claims = identity
        if identity and needs_userinfo(identity) and metadata.get("userinfo_endpoint"):
            claims = email_claims(identity, client.userinfo(token=token))
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, TypeError) as error:
        current_app.logger.warning("OpenID Connect sign-in failed: %s", error)
        return _refused(failed, reason=type(error).__name__)
    if not identity:
        return _refused(failed, reason="no ID token")
    if claims is None:
        return _refused(failed, reason="userinfo of another subject")
    issuer, subject = identity["iss"], identity["sub"]
    email = email_of(claims, issuer, current_app.config["OIDC_EMAIL_TRUSTED_ISSUER"])
    outcome = binding.resolve(issuer, subject, email)
    if outcome.bind and not binding.bind(outcome.user, issuer, subject):
        outcome = binding.Outcome(outcome.user, "bound to another identity")
    if outcome.refused:
        return _refused(str(REFUSALS[outcome.refused]), user=outcome.user, reason=outcome.refused,
                        known_email=outcome.user is not None, issuer=issuer)
    if outcome.bind:
        audit.record("auth.sso_bound", outcome.user, user=outcome.user, issuer=issuer)
    start_session(outcome.user, "sso")
    db.session.commit()
    return redirect(safe_next(session.pop(NEXT, None)) or url_for("home.index"))


def end_session_url() -> str | None:
    """Where a person who came in through the provider signs out of it too (RP-initiated logout), so the
    next person at a shared computer is asked who they are; None when the provider offers no such end."""
    if not enabled():
        return None
    client = current_app.extensions[CLIENT]
    metadata = _metadata(client)
    endpoint = metadata and metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    if not endpoint.startswith(provider_origin(current_app.config) + "/"):
        # The page's form-action allows the discovery document's origin alone: another would be blocked.
        current_app.logger.warning("end_session_endpoint %s is not at the provider's origin", endpoint)
        return None
    return client.create_logout_url(post_logout_redirect_uri=links.absolute("auth.login"),
                                    client_id=client.client_id)["url"]
