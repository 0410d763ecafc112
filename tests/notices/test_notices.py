"""Notices by e-mail through a real SMTP server on loopback (aiosmtpd): the pair and the
workplace contact get the confirmed plan with a valid .ics; with the server down nothing is
lost, and the mails go out on a later try."""
import email
from datetime import date, datetime, time, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from conftest import free_port
from icalendar import Calendar
from sqlalchemy import func, select
from test_desk import add_request, wait_for
from world import build, login

from kerne.models import Mail, utcnow
from kerne.notices.compose import queue_reminders
from kerne.notices.outbox import deliver_due, pause
from kerne.web.extensions import db


class Inbox:
    """An aiosmtpd handler that keeps what arrives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp(app):
    port = free_port()
    inbox = Inbox()
    servers = []

    def start():
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)

    def stop():
        servers.pop().stop()

    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", MAIL_FROM="Kerne <kerne@example.dk>")
    start()
    yield inbox, start, stop
    while servers:
        stop()


def confirm_a_plan(client, world):
    wanted = add_request(world, workplace=world.other_workplace, start=date.today() + timedelta(days=2))
    run_id = int(client.post("/plan/runs").headers["Location"].rsplit("/", 1)[1])
    assert wait_for(run_id).status == "done"
    assert client.post(f"/plan/runs/{run_id}/confirm").status_code == 302
    db.session.commit()
    return wanted


def test_plan_confirmed_reaches_the_pair_and_the_contact_with_a_valid_ics_and_survives_an_outage(client, app, smtp):
    inbox, start, stop = smtp
    world = build(opened=False)
    for visit in world.process.visits:  # far away: only the new process has a visit within the reminder days
        visit.scheduled_on = date.today() + timedelta(days=100 + visit.number)
    login(client, world.coordinator.email)
    wanted = confirm_a_plan(client, world)
    process = wanted.process
    pair = sorted(a.email for a in process.facilitators)
    queued = db.session.scalars(select(Mail).order_by(Mail.to_email)).all()
    assert [m.to_email for m in queued] == sorted([*pair, "leder@example.dk"])
    assert all(m.status == "queued" and m.kind == "plan_confirmed" for m in queued)

    assert deliver_due() == (3, 0)
    assert sorted(r for rcpt, _m in inbox.messages for r in rcpt) == sorted([*pair, "leder@example.dk"])
    _rcpt, message = inbox.messages[0]
    assert "Børnehuset Mågen" in message["Subject"] and message["From"] == "Kerne <kerne@example.dk>"
    body = message.get_body(("plain",)).get_content()
    assert "Ambassadørerne:" in body and f"/processes/{process.id}" in body and "http://127.0.0.1" in body
    attachment = next(part for part in message.iter_attachments() if part.get_content_type() == "text/calendar")
    events = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    copenhagen = ZoneInfo("Europe/Copenhagen")  # a request for one day each: the visits are at its time of day
    assert [e["DTSTART"].dt for e in events] == [datetime.combine(day, time(9), copenhagen)
                                                 for day in (wanted.visit1_start, wanted.visit2_start)]
    assert all("Børnehuset Mågen" in str(e["SUMMARY"]) for e in events), [str(e["SUMMARY"]) for e in events]
    assert deliver_due() == (0, 0)  # nothing is sent twice

    # the server goes down: the visit reminders (visit 1 is two days away) wait in the outbox
    stop()
    assert queue_reminders(date.today()) == 3
    db.session.commit()
    assert queue_reminders(date.today()) == 0  # queued once
    assert deliver_due() == (0, 3)
    waiting = db.session.scalars(select(Mail).where(Mail.status == "queued")).all()
    assert len(waiting) == 3 and all(m.attempts == 1 and "Connection" in m.last_error for m in waiting), [(m.attempts, m.last_error) for m in waiting]
    assert deliver_due() == (0, 0)  # not before their pause is over
    start()
    later = utcnow() + pause(1) + timedelta(seconds=1)
    assert deliver_due(later) == (3, 0)
    assert db.session.scalar(select(func.count()).where(Mail.status == "sent")) == 6
    reminders = [m for _r, m in inbox.messages[3:]]
    assert len(reminders) == 3 and all("Påmindelse" in m.get_body(("plain",)).get_content() for m in reminders)

    # each person sees what was sent to them; only the coordinator sees the outbox
    login(client, world.first.email if world.first.email in pair else world.second.email)
    mine = client.get("/me/mail").get_data(as_text=True)
    assert mine.count('class="mail-row"') == 2 and "Sendt" in mine
    assert client.get("/outbox").status_code == 403
    other = db.session.scalar(select(Mail.id).where(Mail.to_email == "leder@example.dk"))
    assert client.get(f"/me/mail/{other}").status_code == 404  # another's mail is not found: ids cannot be counted
    login(client, world.coordinator.email)
    assert client.get("/outbox").get_data(as_text=True).count('class="mail-row"') == 6


def test_follow_ups_due_are_noticed_once_per_date(app):
    from after import hold_first_visit, hold_second_visit, two_areas

    world = two_areas()
    hold_first_visit(world.process)
    hold_second_visit(world.process, [("Lektiecafé", "develop", "Lise", 3), ("Sang", "keep", "Bo", 30)])
    queue_reminders(date.today())
    db.session.commit()
    mails = db.session.scalars(select(Mail).where(Mail.kind == "follow_up_due")).all()
    # the pair and the contact; only the task due within a week
    assert sorted(m.to_email for m in mails) == ["anna.berg@example.dk", "bo.dam@example.dk", "lise@example.dk"]
    assert "Lektiecafé" in mails[0].body and "Sang" not in mails[0].body
    assert queue_reminders(date.today()) == 0


def test_without_smtp_the_mails_wait_in_the_outbox(client, app):
    world = build(opened=False)
    app.config["SMTP_HOST"] = ""
    db.session.add(Mail(key="x", kind="plan_confirmed", to_email="a@example.dk", subject="S", body="B"))
    db.session.commit()
    assert deliver_due() == (0, 0)
    login(client, world.coordinator.email)
    page = client.get("/outbox").get_data(as_text=True)
    assert "Der er ingen SMTP-server sat op" in page and "Venter" in page
    assert client.post("/outbox/send").status_code == 302


def test_the_backoff_grows_to_an_hour():
    assert [pause(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


def test_mails_and_follow_up_notes_are_in_the_personal_export_and_anonymised(app):
    from kerne.models import WorkTask
    from kerne.notices import personal

    world = build(opened=False)
    db.session.add(Mail(key="k1", kind="plan_confirmed", to_email="Anna.Berg@example.dk", subject="Planlagt",
                        body="Hej Anna"))
    task = WorkTask(visit_id=world.second_visit.id, position=1, title="Lektiecafé", follow_up_mark="done",
                    follow_up_note="Aftalt", followed_up_by_id=world.first.user.id, followed_up_at=utcnow())
    db.session.add(task)
    db.session.commit()
    data = personal.export(world.first.email, world.first.user.id)
    assert [m["body"] for m in data["mails"]] == ["Hej Anna"] and data["follow_ups"][0]["note"] == "Aftalt"
    personal.anonymise(world.first.email, world.first.user.id)
    db.session.commit()
    assert personal.export(world.first.email, world.first.user.id) == {"mails": [], "follow_ups": []}
    assert db.session.scalar(select(Mail.body)) == ""
