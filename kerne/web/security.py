"""The CSRF check, and the response headers that harden every page a browser gets from Kerne.

A strict Content-Security-Policy (scripts and styles only from our own
files, no inline code, no eval), no framing, no MIME sniffing, no referrer
leaving the site (join codes and calendar secrets live in URLs), and no
caching of answers that are personal to the cookie that asked. The headers
are built once at start-up: the unchanged poll pays one list extension.
"""
from flask import current_app, request

from kerne.web.config import provider_origin
from kerne.web.extensions import csrf

CONTENT_SECURITY_POLICY = (  # form-action last: headers_for adds the single sign-on provider to it
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"


def headers_for(secure: bool, provider: str = "") -> dict[str, str]:
    """The headers every answer carries; HSTS only when Kerne is served over HTTPS. With single sign-on, the
    sign-out form may end at the ``provider``'s origin (browsers hold a form's redirects to form-action too)."""
    policy = CONTENT_SECURITY_POLICY + (f" {provider}" if provider else "")
    headers = {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class Hardened:
    """WSGI middleware that adds the headers to every answer as it leaves.

    An answer without a Cache-Control of its own is personal to the cookie that
    asked for it: no-store. Static files carry theirs (no-cache, revalidated by their
    ETag); a missing file's 404 page has none, so it is not stored either. Appending
    prepared pairs here costs a poll a few microseconds, where Flask's header API
    in an after-request hook cost it a tenth of its time.
    """

    def __init__(self, wsgi_app, headers: dict[str, str]):
        self.wsgi_app = wsgi_app
        self.headers = list(headers.items())

    def __call__(self, environ, start_response):
        def start_hardened(status, headers, exc_info=None):
            headers.extend(self.headers)
            if not any(name.lower() == "cache-control" for name, _value in headers):
                headers.append(("Cache-Control", "no-store"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_hardened)


def check_csrf() -> None:
    """Flask-WTF's CSRF check, on every request to a route that may change something.

    Its own hook (switched off by WTF_CSRF_CHECK_DEFAULT) worked through the
    exemptions of every request before it looked at the method, polls included.
    A request no route takes runs no view: routing answers it (404, 405).
    """
    config = current_app.config
    if config["WTF_CSRF_ENABLED"] and request.method in config["WTF_CSRF_METHODS"] and request.url_rule is not None:
        csrf.protect()


def init_app(app) -> None:
    app.before_request(check_csrf)
    app.wsgi_app = Hardened(app.wsgi_app, headers_for(app.config["SESSION_COOKIE_SECURE"],
                                                      provider_origin(app.config)))
