"""Signing staff in and keeping their sessions: who a session belongs to, and when it has ended.

A session names the user and the user's session generation when it began. Signing
out, a new password and deactivation bump the generation, which ends every session
of that person at once; the check rides on the one read of the user a request makes
anyway. A session also ends after an idle time and an absolute time (see Config).
"""
import time
from functools import cache
from urllib.parse import urlsplit

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from kerne.models import User
from kerne.people import devices
from kerne.records import audit
from kerne.web.extensions import db, login_manager

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log ind for at se siden.")
login_manager.login_message_category = "info"
# How often the idle clock in the session cookie is moved on: not a new cookie per request.
SEEN_RESOLUTION_SECONDS = 60
# What a sign-in puts in the session (Flask-Login's keys and ours); the CSRF token is left alone.
SIGN_IN_KEYS = ("_user_id", "_fresh", "_id", "generation", "signed_in_at", "seen_at", "signed_in_with")


def forget_sign_in() -> None:
    for key in SIGN_IN_KEYS:
        session.pop(key, None)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, unless their session was ended, timed out, or they were deactivated."""
    user = db.session.get(User, int(user_id))
    now = int(time.time())
    config = current_app.config
    started, seen = session.get("signed_in_at", 0), session.get("seen_at", 0)
    if (user is None or not user.is_active or session.get("generation") != user.session_generation
            or now - started > config["SESSION_MAX_HOURS"] * 3600
            or now - seen > config["SESSION_IDLE_MINUTES"] * 60):
        forget_sign_in()
        return None
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session["seen_at"] = now
    return user


def start_session(user: User, method: str) -> None:
    """Sign ``user`` in on this browser, in their current session generation, and log it; the browser
    is remembered as theirs (kerne.people.devices)."""
    forget_sign_in()
    # A token seen before sign-in (on a shared computer, say) must not outlive it.
    session.pop("csrf_token", None)
    login_user(user)
    session["generation"] = user.session_generation
    session["signed_in_at"] = session["seen_at"] = int(time.time())
    session["signed_in_with"] = method  # signing out of single sign-on ends the provider's session too
    devices.remember(user.id)
    audit.record("auth.sign_in", user, user=user, method=method)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


@cache
def _stand_in_hash() -> str:
    return generate_password_hash("no account has this password")


def authenticate(email: str, password: str) -> tuple[User | None, bool]:
    """The account with this e-mail, and whether the password opens it.

    A hash is checked whether or not the e-mail is known and has a password (an invited login has none
    yet), so the answer takes as long either way and does not tell which e-mails have accounts.
    """
    user = find_user(email)
    usable = user is not None and user.has_password
    matches = check_password_hash(user.password_hash if usable else _stand_in_hash(), password)
    return user, matches and usable and user.is_active


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: where to go after sign-in or a language switch.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    ``/%09/evil.example`` would leave the site: any control character or backslash is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
