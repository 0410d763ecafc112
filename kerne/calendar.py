"""Each ambassador's confirmed visits as iCalendar: a download, and a feed with a
secret address that Outlook can subscribe to."""
from datetime import timedelta

from flask import Blueprint, Response, abort, url_for
from flask_babel import gettext as _
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select

from .auth import role_required
from .extensions import db
from .models import Ambassador, ProcessRequest, utcnow

bp = Blueprint("calendar", __name__)


def visits_calendar(ambassador: Ambassador) -> bytes:
    """One all-day event per visit window; the exact day is agreed with the workplace."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kerne//kerneopgave//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Kerne: mine besøg"))
    processes = [process.id for process in ambassador.processes]
    windows = {
        r.process_id: r.windows
        for r in db.session.scalars(select(ProcessRequest).where(ProcessRequest.process_id.in_(processes)))
    }
    for process in ambassador.processes:
        for visit in process.visits:
            if visit.scheduled_on is None:
                continue
            start, end = windows.get(process.id, ((visit.scheduled_on, visit.scheduled_on),) * 2)[visit.number - 1]
            event = Event()
            event.add("uid", f"kerne-visit-{visit.id}@kerne")
            event.add("dtstamp", utcnow())
            event.add("dtstart", start)
            event.add("dtend", end + timedelta(days=1))
            event.add("summary", _("Kerneopgave, besøg %(n)s: %(place)s", n=visit.number, place=process.workplace.name))
            event.add("location", process.workplace.name)
            partners = ", ".join(a.name for a in process.facilitators if a.id != ambassador.id)
            event.add("description", _("Sammen med %(names)s. %(link)s", names=partners,
                                       link=url_for("home.process", process_id=process.id, _external=True)))
            calendar.add_component(event)
    return calendar.to_ical()


def _ics(ambassador: Ambassador) -> Response:
    return Response(visits_calendar(ambassador), mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=kerne-besoeg.ics"})


@bp.get("/me/calendar.ics")
@role_required("ambassador")
def download():
    """Download one's confirmed visits."""
    if current_user.ambassador is None:
        abort(404)
    return _ics(current_user.ambassador)


@bp.get("/calendar/<token>.ics")
def feed(token):
    """The calendar feed: the token in the address is the key, so no sign-in is needed."""
    ambassador = db.session.scalar(select(Ambassador).where(Ambassador.calendar_token == token))
    if ambassador is None or len(token) < 32:
        abort(404)
    return _ics(ambassador)
