"""Visits in calendars: a window until the day is agreed, then one day at a time of day in Danish time,
moved with a higher SEQUENCE. Every .ics is read by two independent parsers, icalendar and vobject."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from flask_babel import format_date
from icalendar import Calendar
from sqlalchemy import select
from world import build, login

from kerne.models import Booking, Mail, ProcessRequest, UnavailableDay
from kerne.processes import schedule
from kerne.web.extensions import db

SOON = date.today() + timedelta(days=30)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def world(client):
    """The world's process, planned from a request with a window of four days for each visit."""
    world = build(opened=False)
    request = ProcessRequest(
        workplace=world.workplace, contact_name="Lise Leder", contact_email="lise@example.dk",
        visit1_start=SOON, visit1_end=SOON + timedelta(days=3), visit2_start=SOON + timedelta(days=14),
        visit2_end=SOON + timedelta(days=17), visit_starts=time(13), visit_ends=time(15, 30), status="planned",
        process=world.process)
    db.session.add(request)
    for visit, window in zip(world.process.visits, request.windows):
        visit.scheduled_on = window[0]
        schedule.book(visit, world.process.facilitators, window)
    db.session.commit()
    login(client, world.first.email)
    return world


def booked(ambassador) -> list[date]:
    db.session.commit()
    return sorted(db.session.scalars(select(Booking.day).where(Booking.ambassador_id == ambassador.id)))


def _offset(value):
    return value.utcoffset() if isinstance(value, datetime) else None


def parsed(data: bytes) -> list[dict]:
    """The events as both parsers read them; they must agree, also on the offset from UTC, which
    vobject works out from the file's own VTIMEZONE."""
    events = list(Calendar.from_ical(data).walk("VEVENT"))
    first = [{"uid": str(e["uid"]), "start": e["dtstart"].dt, "end": e["dtend"].dt, "sequence": int(e["sequence"]),
              "offset": _offset(e["dtstart"].dt)} for e in events]
    calendar = vobject.readOne(data.decode())
    second = [{"uid": e.uid.value, "start": e.dtstart.value, "end": e.dtend.value, "sequence": int(e.sequence.value),
               "offset": _offset(e.dtstart.value)} for e in calendar.vevent_list]
    assert first == second
    zones = [z.tzid.value for z in getattr(calendar, "vtimezone_list", [])]
    assert zones == (["Europe/Copenhagen"] if any(e["offset"] is not None for e in first) else [])
    return [{**event, "tzid": e["dtstart"].params.get("TZID")} for event, e in zip(first, events)]


def feed(app, world) -> list[dict]:
    response = app.test_client().get(f"/calendar/{world.first.calendar_token}.ics")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return parsed(response.data)


def agree(client, world, number: int, day: date, starts: str = "10:00", ends: str = "12:30", expected: int = 302):
    response = client.post(f"/processes/{world.process.id}/visits/{number}/time",
                           data={f"visit{number}-day": day.isoformat(), f"visit{number}-starts": starts,
                                 f"visit{number}-ends": ends})
    assert response.status_code == expected, response.get_data(as_text=True)
    return response


def test_a_one_day_request_gives_its_visits_the_requests_time_and_a_window_waits():
    one_day = ProcessRequest(visit1_start=SOON, visit1_end=SOON, visit2_start=SOON + timedelta(days=14),
                             visit2_end=SOON + timedelta(days=16), visit_starts=time(8, 30), visit_ends=time(11))
    first, second = schedule.planned_visits(one_day)
    assert (first.scheduled_on, first.starts, first.ends) == (SOON, time(8, 30), time(11))
    assert (second.scheduled_on, second.starts, second.ends) == (SOON + timedelta(days=14), None, None)


def test_until_the_day_is_agreed_a_visit_is_all_day_over_its_window_and_books_it(app, world):
    assert booked(world.first) == [SOON + timedelta(days=n) for n in (0, 1, 2, 3, 14, 15, 16, 17)]
    events = feed(app, world)
    assert [(e["start"], e["end"], e["sequence"], e["tzid"]) for e in events] == [
        (SOON, SOON + timedelta(days=4), 0, None), (SOON + timedelta(days=14), SOON + timedelta(days=18), 0, None)]


def test_an_agreed_visit_has_one_day_and_a_time_in_danish_time_and_moves_with_a_higher_sequence(client, app, world):
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert "(dagen aftales)" in page and "Aftal dag og tid" in page
    assert 'value="13:00"' in page and 'value="15:30"' in page  # the request's time of day is the default
    before = feed(app, world)

    day = SOON + timedelta(days=2)
    agree(client, world, 1, day)
    assert booked(world.first) == [day] + [SOON + timedelta(days=n) for n in (14, 15, 16, 17)]
    assert booked(world.second) == booked(world.first)
    events = feed(app, world)
    assert events[0]["uid"] == before[0]["uid"]
    assert (events[0]["start"], events[0]["end"]) == (datetime.combine(day, time(10), COPENHAGEN),
                                                      datetime.combine(day, time(12, 30), COPENHAGEN))
    assert events[0]["tzid"] == "Europe/Copenhagen" and events[0]["sequence"] == 1
    assert events[1] == before[1]
    mails = db.session.scalars(select(Mail).where(Mail.kind == "visit_scheduled")).all()
    assert sorted(m.to_email for m in mails) == ["anna.berg@example.dk", "bo.dam@example.dk", "lise@example.dk"]
    assert parsed(mails[0].ics.encode())[0]["sequence"] == 1 and "kl. 10:00-12:30" in mails[0].body

    # moved: the same event, a higher SEQUENCE, so Outlook moves the meeting instead of adding one
    agree(client, world, 1, day + timedelta(days=1), "09:00", "11:00")
    moved = feed(app, world)[0]
    assert moved["uid"] == before[0]["uid"] and moved["sequence"] == 2
    assert moved["start"] == datetime.combine(day + timedelta(days=1), time(9), COPENHAGEN)
    assert booked(world.first)[0] == day + timedelta(days=1)
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert "kl. 09:00-11:00" in page and "Flyt besøget" in page
    # the same again changes nothing and sends nothing
    agree(client, world, 1, day + timedelta(days=1), "09:00", "11:00")
    assert feed(app, world)[0]["sequence"] == 2


def test_a_visit_that_moved_again_replaces_the_waiting_mail_and_reminder_with_the_old_date(client, app, world):
    """Each move queued a mail of its own beside the one still waiting: the pair got both dates."""
    from kerne.notices.compose import queue_reminders

    app.config["VISIT_REMINDER_DAYS"] = 40  # visit 1 is a month away: its reminder is due now
    assert queue_reminders(date.today()) == 3
    db.session.commit()
    first, second = SOON + timedelta(days=1), SOON + timedelta(days=2)
    agree(client, world, 1, first)
    agree(client, world, 1, second, "09:00", "11:00")
    queue_reminders(date.today())
    db.session.commit()
    waiting = db.session.scalars(select(Mail).where(Mail.status == "queued").order_by(Mail.kind, Mail.to_email)).all()
    assert [(m.kind, m.to_email) for m in waiting] == [
        (kind, email) for kind in ("visit_reminder", "visit_scheduled")
        for email in ("anna.berg@example.dk", "bo.dam@example.dk", "lise@example.dk")]
    old_dates = [format_date(day, "long") for day in (SOON, first)]
    assert all(format_date(second, "long") in m.body and not any(d in m.body for d in old_dates) for m in waiting)
    assert all(parsed(m.ics.encode())[0]["sequence"] == 2 for m in waiting if m.ics)


def test_a_visit_is_not_agreed_on_a_day_the_pair_cannot(client, world):
    db.session.add(UnavailableDay(ambassador_id=world.second.id, day=SOON + timedelta(days=1)))
    db.session.commit()
    refused = agree(client, world, 1, SOON + timedelta(days=1), expected=409)
    assert "Bo Dam kan ikke facilitere den dag." in refused.get_data(as_text=True)
    refused = agree(client, world, 2, SOON - timedelta(days=1), expected=409)  # before visit 1's window
    assert "Besøg 2 skal ligge efter besøg 1." in refused.get_data(as_text=True)
    refused = agree(client, world, 1, SOON + timedelta(days=15), expected=409)  # visit 2's days are the pair's
    assert "er sat på et andet besøg den dag" in refused.get_data(as_text=True)
    assert len(booked(world.first)) == 8


UNREADABLE, BACKWARDS = "Skriv tidspunktet som tt:mm.", "Besøget skal slutte efter, det begynder."


@pytest.mark.parametrize(("starts", "ends", "message"), [
    ("10", "12:00", UNREADABLE), ("25:00", "10:00", UNREADABLE), ("09:00", "0:30", UNREADABLE),
    ("19:30", "1٩:00", UNREADABLE), ("0٩:00", "12:00", UNREADABLE),  # digits of another script sort wrongly
    ("12:00", "11:00", BACKWARDS),
])
def test_a_bad_time_is_refused_next_to_the_field_with_one_message(client, world, starts, ends, message):
    """A time that cannot be read is not also compared with the other: that gave a second, puzzling message."""
    text = agree(client, world, 1, SOON, starts, ends, expected=422).get_data(as_text=True)
    assert text.count(message) == 1
    assert ({UNREADABLE, BACKWARDS} - {message}).pop() not in text


def test_who_may_agree_a_visit(client, app, world):
    url = f"/processes/{world.process.id}/visits/1/time"
    data = {"visit1-day": SOON.isoformat(), "visit1-starts": "10:00", "visit1-ends": "11:00"}
    assert client.post(url, data=data, csrf=False).status_code == 400
    assert client.post(f"/processes/{world.process.id}/visits/3/time", data=data).status_code == 404
    assert app.test_client().post(url, data=data, csrf=False).status_code in (302, 400)
    outsider = app.test_client()
    login(outsider, world.outsider.email)
    assert outsider.post(url, data=data).status_code == 404
    coordinator = app.test_client()
    login(coordinator, world.coordinator.email)
    assert coordinator.post(url, data=data).status_code == 302


def test_a_visit_that_has_begun_keeps_its_day(client, world):
    from kerne.workshop.visits import open_visit
    open_visit(world.visit)
    db.session.commit()
    assert agree(client, world, 1, SOON, expected=409).status_code == 409


def test_calendar_answers_name_their_charset_once(client, app, world):
    assert client.get("/me/calendar.ics").headers["Content-Type"] == "text/calendar; charset=utf-8"
    coordinator = app.test_client()
    login(coordinator, world.coordinator.email)
    assert coordinator.get("/ambassadors.csv").headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_follow_up_meeting_reads_the_same_in_both_parsers(client, app, world):
    process = world.process
    process.meeting_on, process.meeting_starts, process.meeting_ends = SOON, time(14), time(15)
    process.meeting_sequence = 3
    db.session.commit()
    response = client.get(f"/processes/{process.id}/meeting.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = parsed(response.data)
    assert event["start"] == datetime.combine(SOON, time(14), COPENHAGEN) and event["sequence"] == 3


def test_a_request_says_its_time_of_day(client, world):
    coordinator_client = client.application.test_client()
    login(coordinator_client, world.coordinator.email)
    data = {"workplace": world.workplace.id, "contact_name": "Lise", "contact_email": "lise@example.dk",
            "visit1_start": SOON.isoformat(), "visit2_start": (SOON + timedelta(days=14)).isoformat(),
            "visit_starts": "08:00", "visit_ends": "10:30"}
    assert coordinator_client.post("/requests/new", data=data).status_code == 302
    wanted = db.session.scalar(select(ProcessRequest).where(ProcessRequest.contact_name == "Lise"))
    assert (wanted.visit_starts, wanted.visit_ends) == (time(8), time(10, 30))
    refused = coordinator_client.post("/requests/new", data={**data, "visit_ends": "07:00"})
    assert refused.status_code == 422 and "Besøget skal slutte efter, det begynder." in refused.get_data(as_text=True)
