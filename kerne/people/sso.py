"""Single sign-on by OpenID Connect, with the municipality's own directory (Entra ID, AD FS, Keycloak …).

On when KERNE_OIDC_DISCOVERY_URL and KERNE_OIDC_CLIENT_ID are set. The directory
vouches for an e-mail address; a person gets in only when a Kerne account with
that e-mail exists and is active. Nobody is created here: the coordinator decides
who has an account (``flask create-user``). Local passwords keep working.
"""
import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from kerne.people.sign_in import find_user, start_session
from kerne.records import audit
from kerne.web import links, sqlite
from kerne.web.extensions import db

bp = Blueprint("sso", __name__, url_prefix="/login/sso")
CLIENT = "kerne.oidc"


def init_app(app) -> None:
    """Register the directory as this app's OpenID Connect provider, when one is configured."""
    config = app.config
    on = bool(config["OIDC_DISCOVERY_URL"] and config["OIDC_CLIENT_ID"])
    app.jinja_env.globals["single_sign_on"] = on  # the login page offers it
    if not on:
        return
    oauth = OAuth(app)  # one per app: the provider is the app's configuration, not the process's
    app.extensions[CLIENT] = oauth.register(
        "municipality",
        server_metadata_url=config["OIDC_DISCOVERY_URL"],
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        client_kwargs={"scope": "openid email profile", "timeout": 10},
    )


def enabled() -> bool:
    return CLIENT in current_app.extensions


def _client():
    if not enabled():
        abort(404)
    return current_app.extensions[CLIENT]


def _callback_url() -> str:
    return links.absolute("sso.callback")  # from configuration, never the Host header


@bp.get("")
def start():
    """Send the person to the municipality's sign-in page."""
    return _client().authorize_redirect(_callback_url())


def _refused(message: str, **detail):
    audit.record("auth.sign_in_failed", method="sso", **detail)
    db.session.commit()
    flash(message, "error")
    return redirect(url_for("auth.login"))


@bp.get("/callback")
def callback():
    """The directory sends the person back with a code; its signed ID token names their e-mail."""
    client = _client()
    sqlite.will_write()  # a sign-in is logged, though this is a GET
    try:
        token = client.authorize_access_token()
    except (AuthlibBaseError, JoseError, requests.RequestException) as error:
        current_app.logger.warning("OpenID Connect sign-in failed: %s", error)
        return _refused(_("Log ind via kommunen lykkedes ikke. Prøv igen."), reason=type(error).__name__)
    claims = token.get("userinfo") or {}
    email = claims.get("email") if claims.get("email_verified", True) is not False else None
    user = find_user(email) if isinstance(email, str) and email else None
    if user is None or not user.is_active:
        return _refused(_("Der er ingen aktiv konto i Kerne med din e-mail. Kontakt koordinatoren."),
                        user=user, reason="no active account", known_email=user is not None)
    start_session(user, "sso")
    db.session.commit()
    return redirect(url_for("home.index"))
