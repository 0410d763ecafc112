"""Error pages: a clear Danish message and the right status, never a stack trace."""
from urllib.parse import urlencode

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, SecurityError, UnprocessableEntity
from werkzeug.routing import IntegerConverter, UnicodeConverter

from kerne.web.extensions import db

# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route: a number above any id is a page that does not exist (404), not an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """A text segment of a route (``<code>``, ``<token>``): control characters match no route, so routing answers
    404 before a join code, a token or a visit's public id reaches the database (PostgreSQL refuses a NUL)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]", 1)


class UnreadableArguments(UnprocessableEntity):
    """Address arguments a page cannot read, such as a list's filter (422): the error page says which and links to
    the same page without them, so one wrong filter in a shared link does not leave the reader at a dead end."""

    def __init__(self, names: tuple[str, ...], description: str, filters: int = 1):
        super().__init__(description)
        self.names, self.filters = names, filters

    def address_without(self) -> str:
        kept = [(name, value) for name, value in request.args.items(multi=True) if name not in self.names]
        return request.path + (f"?{urlencode(kept)}" if kept else "")


MESSAGES = {
    400: _l("Forespørgslen kunne ikke forstås. Genindlæs siden og prøv igen."),
    403: _l("Du har ikke adgang til denne side."),
    404: _l("Siden findes ikke."),
    405: _l("Siden kan ikke bruges på den måde."),
    409: _l("Det kunne ikke gemmes, fordi noget er ændret imens."),
    410: _l("Besøget er afsluttet. Der kan ikke ændres mere."),
    413: _l("Det sendte er for stort."),
    422: _l("Det indtastede kunne ikke bruges. Ret det og prøv igen."),
    429: _l("For mange forsøg. Vent lidt og prøv igen."),
    500: _l("Der skete en fejl hos os. Prøv igen om lidt – det du har skrevet, er ikke slettet."),
}


def _page(status: int, message, without: str | None = None, filters: int = 0):
    return render_template("web/error.html", status=status, message=message, without=without, filters=filters), status


def init_app(app) -> None:
    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # A Host outside KERNE_TRUSTED_HOSTS: no page of ours can be built for it, so plain text.
        return str(MESSAGES[400]), 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(_error):
        # A number or text no column can hold got past a form; nothing was saved.
        db.session.rollback()
        return _page(400, MESSAGES[400])

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _page(400, _l("Sikkerhedstjekket fejlede. Genindlæs siden og prøv igen."))

    @app.errorhandler(RateLimitExceeded)
    def too_many(_error):
        # The page (htmx shows its message too); Flask-Limiter adds Retry-After.
        return _page(429, MESSAGES[429])

    @app.errorhandler(UnreadableArguments)
    def unreadable_arguments(error):
        return _page(422, error.description, error.address_without(), error.filters)

    @app.errorhandler(HTTPException)
    def http_error(error):
        default = MESSAGES.get(error.code)
        # Our own abort(…, message) carries a Danish description; Werkzeug's default is English.
        own = error.description if error.description != type(error).description else None
        return _page(error.code, own or default or error.name)

    @app.errorhandler(500)
    def server_error(_error):
        # After a database error the session refuses every query until rolled back, and the page reads the user.
        db.session.rollback()
        return _page(500, MESSAGES[500])
