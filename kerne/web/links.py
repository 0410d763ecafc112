"""Absolute links (the projector's QR code, calendar feeds, e-mails) from configuration.

A request's Host header is whatever the sender typed, so it names the site only
when ``KERNE_TRUSTED_HOSTS`` vouches for it (Flask then answers 400 to any other).
"""
import os

from flask import current_app, has_request_context, request, url_for


def base_url() -> str:
    """``KERNE_BASE_URL``; else the trusted host that asked; else this machine."""
    configured = current_app.config["BASE_URL"]
    if configured:
        return configured.rstrip("/")
    if has_request_context() and current_app.config["TRUSTED_HOSTS"]:
        return request.host_url.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"


def absolute(endpoint: str, **values) -> str:
    """The address of ``endpoint`` as someone outside the request (a phone, a calendar, a mailbox) needs it."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return base_url() + path
