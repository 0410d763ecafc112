"""Flask's signed-cookie session, made cheap for the requests that never use it.

Every phone in a room polls every two seconds (see bench/poll.py), and a poll
needs no session: it is known by its join cookie. Flask would still verify
and decode the session cookie on each one, and build a new signing serializer
to do so. Here the serializer is built once per key, and the cookie is only
decoded when the session is first used; a session nobody touched is not saved.
"""
from functools import lru_cache

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class LazySession(SecureCookieSession):
    """A session whose cookie is decoded on first use."""

    def __init__(self, load):
        super().__init__()
        self._load = load

    def loaded(self) -> "LazySession":
        if self._load is not None:
            load, self._load = self._load, None
            dict.update(self, load())  # reading the cookie is not a modification
        return self

    @property
    def untouched(self) -> bool:
        return self._load is not None


def _loading(name):
    method = getattr(SecureCookieSession, name)

    def wrapper(self, *args, **kwargs):
        return method(self.loaded(), *args, **kwargs)

    wrapper.__name__ = name
    return wrapper


for _name in ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__", "__len__", "__repr__",
              "get", "setdefault", "pop", "popitem", "update", "clear", "keys", "values", "items", "copy"):
    setattr(LazySession, _name, _loading(_name))


class SessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        return _serializer(app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())

        def load() -> dict:
            try:
                return serializer.loads(value, max_age=max_age)
            except BadSignature:
                return {}

        return LazySession(load)

    def save_session(self, app, session, response):
        if isinstance(session, LazySession) and session.untouched:
            return  # nobody read or changed it: the cookie the browser has is still right
        super().save_session(app, session, response)


@lru_cache(maxsize=4)
def _serializer(secret_key, fallbacks):
    return SecureCookieSessionInterface().get_signing_serializer(_Keys(secret_key, fallbacks))


class _Keys:
    """Just what the base class reads from the app to build its serializer."""

    def __init__(self, secret_key, fallbacks):
        self.secret_key = secret_key
        self.config = {"SECRET_KEY_FALLBACKS": list(fallbacks)}
