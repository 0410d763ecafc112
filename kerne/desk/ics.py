"""Visits and follow-up meetings as iCalendar files: each ambassador's confirmed visits, a process's two
visits, and the follow-up meeting, in Danish time with their VTIMEZONE."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from kerne.models import Ambassador, ProcessRequest
from kerne.processes import schedule
from kerne.web.extensions import db
from kerne.web.links import absolute

TIMEZONE = "Europe/Copenhagen"


def visits_calendar(ambassador: Ambassador) -> bytes:
    """One event per visit: at its agreed day and time, or all day over its window until the day is agreed."""
    calendar = _calendar(_("Kerne: mine besøg"))
    processes = [process.id for process in ambassador.processes]
    requests = {r.process_id: r for r in db.session.scalars(
        select(ProcessRequest).where(ProcessRequest.process_id.in_(processes)))}
    for process in ambassador.processes:
        partners = ", ".join(a.name for a in process.facilitators if a.id != ambassador.id)
        description = _("Sammen med %(names)s. %(link)s", names=partners,
                        link=absolute("home.process", process_id=process.id))
        for visit in process.visits:
            if visit.scheduled_on is not None:
                calendar.add_component(visit_event(process, visit, requests.get(process.id), description))
    return _finished(calendar)


def visit_event(process, visit, request, description: str) -> Event:
    """One visit: from its start to its end in Danish time once the day is agreed, else an all-day event
    over its window. SEQUENCE counts the visit's moves, so a calendar that has it moves it."""
    event = Event()
    event.add("uid", f"kerne-visit-{visit.id}@kerne")
    event.add("dtstamp", datetime.now(UTC))
    event.add("sequence", visit.sequence)
    if visit.starts is not None:
        zone = ZoneInfo(TIMEZONE)
        event.add("dtstart", datetime.combine(visit.scheduled_on, visit.starts, zone))
        event.add("dtend", datetime.combine(visit.scheduled_on, visit.ends, zone))
    else:
        start, end = schedule.window_of(visit, request) or (visit.scheduled_on, visit.scheduled_on)
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


def _finished(calendar: Calendar) -> bytes:
    """The calendar as a file, with a VTIMEZONE for every zone its events use."""
    calendar.add_missing_timezones()
    return calendar.to_ical()


def process_calendar(process, request, description: str) -> bytes:
    """Both visits of a process, as the pair and the workplace get them when the plan is confirmed
    or a visit is moved."""
    calendar = _calendar(_("Kerne: %(place)s", place=process.workplace.name))
    for visit in process.visits:
        if visit.scheduled_on is not None:
            calendar.add_component(visit_event(process, visit, request, description))
    return _finished(calendar)


def meeting_calendar(process, description: str = "") -> bytes:
    """The follow-up meeting, in Danish time with its VTIMEZONE; SEQUENCE counts its moves,
    so a calendar that has it replaces the old time instead of adding a second meeting."""
    calendar = _calendar(_("Kerne: opfølgning"))
    zone = ZoneInfo(TIMEZONE)
    event = Event()
    event.add("uid", f"kerne-follow-up-{process.id}@kerne")
    event.add("dtstamp", datetime.now(UTC))
    event.add("sequence", process.meeting_sequence)
    event.add("dtstart", datetime.combine(process.meeting_on, process.meeting_starts, zone))
    event.add("dtend", datetime.combine(process.meeting_on, process.meeting_ends, zone))
    event.add("summary", _("Opfølgning på kerneopgaven: %(place)s", place=process.workplace.name))
    event.add("location", process.meeting_place or process.workplace.name)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    return _finished(calendar)
