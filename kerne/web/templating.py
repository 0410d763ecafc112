"""What every template may use: labels, the locale, date formats, the phone's messages."""
from flask import current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from markupsafe import escape

from kerne.web import vocabulary
from kerne.web.links import absolute


def js_messages() -> dict:
    """Texts the small script in static/kerne.js shows, translated like the rest."""
    return {
        "unsaved": _("Ikke gemt endnu"),
        "saving": _("Gemmer …"),
        "saved": _("Gemt"),
        "conflict": _("Ikke gemt i feltet – din version står herunder. Vælg, hvad der skal gælde."),
        "kept": _("Ikke gemt – din tekst er gemt på telefonen, se øverst."),
        "keptTitle": _("Tekst, der ikke blev gemt"),
        "keptText": _("Din tekst (du kan kopiere den)"),
        "copy": _("Kopiér"),
        "copied": _("Kopieret"),
        "dismiss": _("Fjern"),
        "offline": _("Ikke gemt – ingen forbindelse. Det gemmes, når du er online igen."),
        "rejected": _("Ikke gemt:"),
        "pollOffline": _("Ingen forbindelse. Det du skriver, bliver gemt, når forbindelsen er tilbage."),
        "queued": _("Ikke sendt endnu – sendes, når du er online igen."),
        "sending": _("Sendes …"),
        "closedUnsent": _("Besøget blev afsluttet, før teksten blev sendt."),
        "waitingJoin": _("Din deltagelse kunne ikke genkendes. Teksten sendes, når du har deltaget igen."),
        "left": _("tilbage"),
        "over": _("over tid"),
    }


def field_attributes(field, hint=None, autocomplete=None) -> dict:
    """ARIA links from a form field to its hint and error, for screen readers."""
    described = ([f"{field.id}-hint"] if hint else []) + ([f"{field.id}-error"] if field.errors else [])
    attributes = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attributes["aria-invalid"] = "true"
    if autocomplete:
        attributes["autocomplete"] = autocomplete
    return attributes


def _escaped_html(self) -> str:
    return str(escape(str(self)))


def escape_lazy_strings() -> None:
    """Make every lazy message HTML-safe, wherever it ends up.

    Flask-Babel's lazy strings claim to be markup already (``__html__`` returns
    the raw text), so Jinja, WTForms' labels and a flashed message's trip
    through the session cookie all pass them through unescaped: a message that
    mentions ``<script>`` or echoes what someone typed would become live HTML.
    Answering ``__html__`` with the escaped text fixes it for every message at
    once, including those written later.
    """
    LazyString.__html__ = _escaped_html


def init_app(app) -> None:
    escape_lazy_strings()
    app.jinja_env.globals.update(labels=vocabulary, js_messages=js_messages, field_attributes=field_attributes,
                                 absolute_url=absolute)

    @app.context_processor
    def inject():
        return {"locale": str(get_locale()), "poll_interval_ms": current_app.config["POLL_INTERVAL_MS"]}

    app.jinja_env.filters["decimal"] = lambda value, places=1: format_decimal(round(value, places))
    app.jinja_env.filters["datetime"] = lambda value, fmt="short": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
