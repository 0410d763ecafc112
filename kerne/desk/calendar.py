"""Each ambassador's confirmed visits as iCalendar: a download, and a feed with a
secret address that Outlook can subscribe to."""
from flask import Blueprint, Response, abort
from flask_login import current_user
from sqlalchemy import select

from kerne.desk.ics import visits_calendar
from kerne.models import Ambassador
from kerne.web.extensions import db

bp = Blueprint("calendar", __name__)


def _ics(ambassador: Ambassador) -> Response:
    return Response(visits_calendar(ambassador), mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=kerne-besoeg.ics"})


@bp.get("/me/calendar.ics")
def download():
    """Download one's confirmed visits."""
    if current_user.ambassador is None:
        abort(404)
    return _ics(current_user.ambassador)


@bp.get("/calendar/<token>.ics")
def feed(token):
    """The calendar feed: the token in the address is the key, so no sign-in is needed."""
    ambassador = db.session.scalar(select(Ambassador).where(Ambassador.calendar_token == token))
    if ambassador is None or len(token) < 32 or not ambassador.in_service:
        abort(404)
    return _ics(ambassador)
