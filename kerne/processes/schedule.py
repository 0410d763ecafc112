"""A visit's day and time of day. Until the pair and the workplace agree a day, a visit has the
request's window and the pair is booked on every day of it; once agreed, the visit has one day
and a start and end time, the pair is booked on that day alone, and the visit's ``sequence``
goes up so a calendar that has it moves it."""
from datetime import date, time, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, select

from kerne.models import Ambassador, Booking, Process, ProcessRequest, UnavailableDay, Visit
from kerne.web.extensions import db


class CannotSchedule(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def window_of(visit: Visit, request: ProcessRequest | None) -> tuple[date, date] | None:
    """The days a visit may fall on while its day is not agreed (None without a request)."""
    return request.windows[visit.number - 1] if request is not None else None


def planned_visits(request: ProcessRequest) -> list[Visit]:
    """The two visits of a confirmed request. A request for one day gives that day at the request's
    time of day; a window of several days waits for the pair and the workplace to agree a day."""
    visits = []
    for number, (start, end) in enumerate(request.windows, 1):
        agreed = start == end
        visits.append(Visit(number=number, scheduled_on=start, starts=request.visit_starts if agreed else None,
                            ends=request.visit_ends if agreed else None))
    return visits


def book(visit: Visit, people: list[Ambassador], window: tuple[date, date] | None) -> None:
    """Book the pair for a visit: its agreed day, or every day of its window while none is agreed."""
    if visit.starts is not None or window is None:
        days = [visit.scheduled_on]
    else:
        days = [window[0] + timedelta(days=n) for n in range((window[1] - window[0]).days + 1)]
    for person in people:
        for day in days:
            db.session.add(Booking(ambassador_id=person.id, day=day, visit_id=visit.id))


def _bounds(visit: Visit, request: ProcessRequest | None) -> tuple[date, date]:
    """The first and last day a visit can be on as things stand."""
    window = window_of(visit, request)
    return (visit.scheduled_on, visit.scheduled_on) if visit.starts is not None or window is None else window


def schedule(process: Process, visit: Visit, request: ProcessRequest | None, day: date, starts: time,
             ends: time) -> bool:
    """Fix ``visit`` on ``day`` from ``starts`` to ``ends``; False when that is what it already was.
    Refused (CannotSchedule) when the visits would come in the wrong order or one of the pair is not free."""
    if (visit.scheduled_on, visit.starts, visit.ends) == (day, starts, ends):
        return False
    other = next((v for v in process.visits if v.number != visit.number), None)
    if other is not None and other.scheduled_on is not None:
        first, last = _bounds(other, request)
        if (visit.number == 1 and day >= last) or (visit.number == 2 and day <= first):
            raise CannotSchedule(_("Besøg 2 skal ligge efter besøg 1."))
    people = [a.id for a in process.facilitators]
    away = db.session.scalar(select(Ambassador.name).join(UnavailableDay)
                             .where(UnavailableDay.day == day, Ambassador.id.in_(people)).limit(1))
    if away is not None:
        raise CannotSchedule(_("%(name)s kan ikke facilitere den dag.", name=away))
    taken = db.session.scalar(select(Ambassador.name).join(Booking, Booking.ambassador_id == Ambassador.id)
                              .where(Booking.day == day, Booking.ambassador_id.in_(people),
                                     Booking.visit_id != visit.id).limit(1))
    if taken is not None:
        raise CannotSchedule(_("%(name)s er sat på et andet besøg den dag.", name=taken))
    db.session.execute(delete(Booking).where(Booking.visit_id == visit.id))
    visit.scheduled_on, visit.starts, visit.ends = day, starts, ends
    visit.sequence += 1
    book(visit, process.facilitators, None)
    return True


def when(visit: Visit, request: ProcessRequest | None) -> str:
    """A visit's day and time as people read it, or its window while the day is not agreed."""
    if visit.starts is not None:
        return _("%(day)s kl. %(start)s-%(end)s", day=format_date(visit.scheduled_on, "long"),
                 start=visit.starts.strftime("%H:%M"), end=visit.ends.strftime("%H:%M"))
    window = window_of(visit, request)
    if window is not None and window[0] != window[1]:
        return _("%(start)s – %(end)s (dagen aftales)", start=format_date(window[0], "long"),
                 end=format_date(window[1], "long"))
    return format_date(visit.scheduled_on, "long") if visit.scheduled_on else _("ikke fastlagt")
