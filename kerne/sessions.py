"""Flask's signed-cookie session, with its signing serializer built once per key.

Flask builds a new serializer, deriving its key again, on every request. Every
phone in a room polls every two seconds, so that small cost is paid hundreds
of times a second (see bench/poll.py); the keys do not change while we run.
"""
from functools import lru_cache

from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        return _serializer(app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))


@lru_cache(maxsize=4)
def _serializer(secret_key, fallbacks):
    return SecureCookieSessionInterface().get_signing_serializer(_Keys(secret_key, fallbacks))


class _Keys:
    """Just what the base class reads from the app to build its serializer."""

    def __init__(self, secret_key, fallbacks):
        self.secret_key = secret_key
        self.config = {"SECRET_KEY_FALLBACKS": list(fallbacks)}
