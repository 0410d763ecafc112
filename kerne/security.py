"""Response headers that harden every page a browser gets from Kerne.

A strict Content-Security-Policy (scripts and styles only from our own
files, no inline code, no eval), no framing, no MIME sniffing, no referrer
leaving the site (join codes and calendar secrets live in URLs), and no
caching of answers that are personal to the cookie that asked. The headers
are built once at start-up: the unchanged poll pays one dict update.
"""
from flask import request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"


def headers_for(secure: bool) -> dict[str, str]:
    """The headers every answer carries; HSTS only when Kerne is served over HTTPS."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def init_app(app) -> None:
    common = headers_for(app.config["SESSION_COOKIE_SECURE"])

    @app.after_request
    def harden(response):
        response.headers.update(common)
        # Static files are the same for everyone and may be cached; every other answer is
        # personal to the cookie that asked for it, unless its view said otherwise.
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
