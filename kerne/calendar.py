"""Each ambassador's confirmed visits as iCalendar: a download, and a feed with a
secret address that Outlook can subscribe to."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort
from flask_babel import gettext as _
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select

from .extensions import db
from .links import absolute
from .models import Ambassador, ProcessRequest, utcnow

bp = Blueprint("calendar", __name__)
TIMEZONE = "Europe/Copenhagen"


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
        partners = ", ".join(a.name for a in process.facilitators if a.id != ambassador.id)
        description = _("Sammen med %(names)s. %(link)s", names=partners,
                        link=absolute("home.process", process_id=process.id))
        for visit in process.visits:
            if visit.scheduled_on is not None:
                calendar.add_component(visit_event(process, visit, windows.get(process.id), description))
    return calendar.to_ical()


def visit_event(process, visit, windows, description: str) -> Event:
    """One visit as an all-day event over its window (the exact day is agreed with the workplace)."""
    start, end = (windows or ((visit.scheduled_on, visit.scheduled_on),) * 2)[visit.number - 1]
    event = Event()
    event.add("uid", f"kerne-visit-{visit.id}@kerne")
    event.add("dtstamp", utcnow())
    event.add("dtstart", start)
    event.add("dtend", end + timedelta(days=1))
    event.add("summary", _("Kerneopgave, besøg %(n)s: %(place)s", n=visit.number, place=process.workplace.name))
    event.add("location", process.workplace.name)
    event.add("description", description)
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Kerne//kerneopgave//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def process_calendar(process, request, description: str) -> bytes:
    """Both visits of a process, as the pair and the workplace get them when the plan is confirmed."""
    calendar = _calendar(_("Kerne: %(place)s", place=process.workplace.name))
    for visit in process.visits:
        if visit.scheduled_on is not None:
            calendar.add_component(visit_event(process, visit, request.windows if request else None, description))
    return calendar.to_ical()


def meeting_calendar(process, description: str = "") -> bytes:
    """The follow-up meeting, in Danish time with its VTIMEZONE; SEQUENCE counts its moves,
    so a calendar that has it replaces the old time instead of adding a second meeting."""
    calendar = _calendar(_("Kerne: opfølgning"))
    zone = ZoneInfo(TIMEZONE)
    event = Event()
    event.add("uid", f"kerne-follow-up-{process.id}@kerne")
    event.add("dtstamp", utcnow())
    event.add("sequence", process.meeting_sequence)
    event.add("dtstart", datetime.combine(process.meeting_on, process.meeting_starts, zone))
    event.add("dtend", datetime.combine(process.meeting_on, process.meeting_ends, zone))
    event.add("summary", _("Opfølgning på kerneopgaven: %(place)s", place=process.workplace.name))
    event.add("location", process.meeting_place or process.workplace.name)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _ics(ambassador: Ambassador) -> Response:
    return Response(visits_calendar(ambassador), mimetype="text/calendar; charset=utf-8",
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
