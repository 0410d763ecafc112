"""Browsers a person signed in on before, known by a signed cookie (OWASP's device cookies).

The limit on failed sign-ins per account stops guessing at one person's password; alone, it would
also let anyone lock that person out by guessing wrong on purpose. A browser the account signed in
on before is not held by that limit: its failures count against the browser instead
(kerne.people.auth), so the owner at their own computer is never slowed by someone else's guessing.
The cookie is signed with the secret key, names logins by id only, and is sent to the sign-in page alone.
"""
import secrets

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "kerne_device"
PATH = "/login"
REMEMBERED = 5  # logins per browser: a shared computer has a few


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="kerne.device")


def _max_age() -> int:
    return current_app.config["DEVICE_COOKIE_DAYS"] * 24 * 3600


def _cookie() -> dict | None:
    """The browser's device cookie, if it carries one this app signed and it has not expired."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=_max_age())
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("device"), str) else None


def known(user_id: int) -> bool:
    """Whether this browser signed in to the login ``user_id`` before."""
    data = _cookie()
    return data is not None and user_id in data.get("accounts", ())


def key() -> str:
    """The limiter's key for this browser's own failures."""
    data = _cookie()
    return "device:" + data["device"] if data else ""


def remember(user_id: int) -> None:
    """Remember this browser as one ``user_id`` signed in on; the cookie is set on the answer."""
    data = _cookie() or {"device": secrets.token_urlsafe(16), "accounts": []}
    accounts = [user_id] + [a for a in data.get("accounts", ()) if a != user_id][:REMEMBERED - 1]
    value = _serializer().dumps({"device": data["device"], "accounts": accounts})

    @after_this_request
    def set_cookie(response):
        response.set_cookie(COOKIE, value, max_age=_max_age(), path=PATH, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response
