"""Error pages: a clear Danish message and the right status, never a stack trace."""
from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def _page(status: int, message):
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _page(400, _l("Sikkerhedstjekket fejlede. Genindlæs siden og prøv igen."))

    @app.errorhandler(RateLimitExceeded)
    def too_many(_error):
        # The page (htmx shows its message too); Flask-Limiter adds Retry-After.
        return _page(429, MESSAGES[429])

    @app.errorhandler(HTTPException)
    def http_error(error):
        default = MESSAGES.get(error.code)
        # Our own abort(…, message) carries a Danish description; Werkzeug's default is English.
        own = error.description if error.description != type(error).description else None
        return _page(error.code, own or default or error.name)

    @app.errorhandler(500)
    def server_error(_error):
        return _page(500, MESSAGES[500])
