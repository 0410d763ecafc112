"""Notices by e-mail through a real SMTP server on loopback (aiosmtpd): the pair and the
workplace contact get the confirmed plan with a valid .ics; with the server down nothing is
lost, and the mails go out on a later try."""
import email
import threading
from datetime import date, datetime, time, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from conftest import free_port
from icalendar import Calendar
from sqlalchemy import func, select
from world import add_request, build, login, request_form, wait_for

from kerne.models import Mail, Process, utcnow
from kerne.notices.compose import queue_reminders
from kerne.notices.outbox import deliver_due, pause
from kerne.web.extensions import db


class Inbox:
    """An aiosmtpd handler that keeps what arrives; it refuses unknown@… for good and busy@… for now."""

    def __init__(self, utf8: bool):
        self.messages = []
        self.utf8 = utf8  # whether the server offers SMTPUTF8

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("unknown@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if "SMTPUTF8" in envelope.mail_options:  # headers in UTF-8, as RFC 6532 lets them be
            message = email.message_from_string(envelope.content.decode(), policy=policy.default)
        else:
            message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp(app, request):
    """A real SMTP server on loopback; parametrise it indirectly with False to have it not offer SMTPUTF8."""
    port = free_port()
    inbox = Inbox(utf8=getattr(request, "param", True))
    servers = []

    def start():
        controller = Controller(inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=inbox.utf8)
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

    assert deliver_due() == (3, 0, 0)
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
    assert deliver_due() == (0, 0, 0)  # nothing is sent twice

    # the server goes down: the visit reminders (visit 1 is two days away) wait in the outbox
    stop()
    assert queue_reminders(date.today()) == 3
    db.session.commit()
    assert queue_reminders(date.today()) == 0  # queued once
    assert deliver_due() == (0, 3, 0)
    waiting = db.session.scalars(select(Mail).where(Mail.status == "queued")).all()
    assert len(waiting) == 3 and all(m.attempts == 1 and "Connection" in m.last_error for m in waiting), [(m.attempts, m.last_error) for m in waiting]
    assert deliver_due() == (0, 0, 0)  # not before their pause is over
    start()
    later = utcnow() + pause(1) + timedelta(seconds=1)
    assert deliver_due(later) == (3, 0, 0)
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
    assert deliver_due() == (0, 0, 0)
    login(client, world.coordinator.email)
    page = client.get("/outbox").get_data(as_text=True)
    assert "Der er ikke sat en mailserver op" in page and "Venter" in page
    assert "KERNE_SMTP_HOST" not in page  # the coordinator is told what to ask for, not a variable's name
    assert client.post("/outbox/send").status_code == 302


def test_the_backoff_grows_to_an_hour():
    assert [pause(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


def test_mails_and_follow_up_notes_are_in_the_personal_export_and_anonymised(app):
    from kerne.models import WorkTask
    from kerne.notices import personal

    world = build(opened=False)
    went = Mail(key="k1", kind="plan_confirmed", to_email="Anna.Berg@example.dk", subject="Planlagt",
                body="Hej Anna", status="sent", sent_at=utcnow())
    db.session.add(went)
    db.session.add(Mail(key="k2", kind="visit_reminder", to_email="anna.berg@example.dk", subject="Påmindelse",
                        body="Snart"))
    task = WorkTask(visit_id=world.second_visit.id, position=1, title="Lektiecafé", follow_up_mark="done",
                    follow_up_note="Aftalt", followed_up_by_id=world.first.user.id, followed_up_at=utcnow())
    db.session.add(task)
    db.session.commit()
    data = personal.export(world.first.email, world.first.user.id)
    assert [m["body"] for m in data["mails"]] == ["Hej Anna", "Snart"] and data["follow_ups"][0]["note"] == "Aftalt"
    personal.anonymise(world.first.email, world.first.user.id)
    db.session.commit()
    assert personal.export(world.first.email, world.first.user.id) == {"mails": [], "follow_ups": []}
    # the mail that went keeps that it went, nothing of her; the one still waiting is dropped
    assert db.session.execute(select(Mail.key, Mail.to_email, Mail.body, Mail.status)).all() == [
        (f"anonymiseret:{went.id}", "anonymiseret@anonymiseret.invalid", "", "sent")]


THOMAS = "thomas.sørensen@fjordby.dk"


@pytest.mark.parametrize("smtp", [True, False], ids=["smtputf8", "ascii_only"], indirect=True)
def test_an_address_with_æøå_before_the_at_goes_out_or_fails_alone_and_never_jams_the_outbox(client, app, smtp):
    """formataddr() raised UnicodeEncodeError, which nobody caught: /outbox/send answered 500 and every
    later mail stayed queued. Now the server's SMTPUTF8 carries it, or that one mail fails with a reason."""
    inbox, _start, _stop = smtp
    world = build(opened=False)
    login(client, world.leader.email)  # a leader plants the address through a request's contact
    sent = client.post("/requests/new", data=request_form(world, workplace=world.workplace.id,
                                                          contact_name="Thomas Sørensen", contact_email=THOMAS))
    assert sent.status_code == 302, sent.get_data(as_text=True)
    login(client, world.coordinator.email)
    run_id = int(client.post("/plan/runs").headers["Location"].rsplit("/", 1)[1])
    assert wait_for(run_id).status == "done"
    assert client.post(f"/plan/runs/{run_id}/confirm").status_code == 302
    db.session.add(Mail(key="later", kind="notice", to_email="lise@example.dk", subject="Senere", body="Hej"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Mail).where(Mail.status == "queued")) == 4

    answer = client.post("/outbox/send")
    assert answer.status_code == 302
    db.session.commit()
    thomas = db.session.scalars(select(Mail).where(Mail.to_email == THOMAS)).one()
    received = sorted(r for rcpt, _m in inbox.messages for r in rcpt)
    pair = db.session.get(Process, thomas.process_id).facilitators
    ordinary = sorted(["lise@example.dk", *(a.email for a in pair)])
    page = client.get("/outbox").get_data(as_text=True)
    if inbox.utf8:
        assert thomas.status == "sent" and received == sorted([*ordinary, THOMAS])
        header = next(m for rcpt, m in inbox.messages if rcpt == [THOMAS])["To"]
        assert header.addresses[0].display_name == "Thomas Sørensen" and header.addresses[0].addr_spec == THOMAS
        assert "Kan ikke sendes: 0" in page
    else:
        assert received == ordinary  # the ordinary ones still go out
        assert thomas.status == "failed" and thomas.last_error.startswith("no_smtputf8: SMTPNotSupportedError")
        assert "1 besked kan ikke sendes" in page and "bogstaver som æ, ø eller å før @" in page
        assert deliver_due(utcnow() + timedelta(days=1)) == (0, 0, 0)  # failed for good: not tried again


@pytest.mark.parametrize("smtp", [True, False], indirect=True, ids=["smtputf8", "ascii-only"])
def test_a_domain_with_æøå_goes_out_as_punycode_and_a_local_part_needs_smtputf8(app, smtp):
    """The domain has an ASCII spelling (IDNA), so it is sent whatever the server offers; the part before the
    @ has none, so it needs SMTPUTF8 or fails alone with a Danish reason."""
    inbox, _start, _stop = smtp
    anna = Mail(key="anna", kind="notice", to_email="anna@fjordbý.dk", to_name="Anna", subject="S", body="B")
    søren = Mail(key="søren", kind="notice", to_email="søren@fjordbý.dk", to_name="Søren", subject="S", body="B")
    after = Mail(key="after", kind="notice", to_email="lise@example.dk", subject="S", body="B")
    db.session.add_all([anna, søren, after])
    db.session.commit()
    deliver_due()
    db.session.commit()
    received = sorted(r for rcpt, _m in inbox.messages for r in rcpt)
    assert anna.status == "sent" and after.status == "sent"
    if inbox.utf8:
        assert received == ["anna@xn--fjordb-gza.dk", "lise@example.dk", "søren@xn--fjordb-gza.dk"]
    else:
        assert received == ["anna@xn--fjordb-gza.dk", "lise@example.dk"]
        assert søren.status == "failed" and søren.last_error.startswith("no_smtputf8:")


def test_each_mail_fails_alone_for_its_own_reason_and_the_round_finishes(app, smtp):
    inbox, _start, _stop = smtp
    mails = {key: Mail(key=key, kind="notice", to_email=to, to_name=name, subject="S", body="B") for key, to, name in (
        ("no-at", "uden-snabel-a", ""), ("header", "x@example.dk", "Linje\nskift"), ("unknown", "unknown@example.dk", ""),
        ("busy", "busy@example.dk", ""), ("fine", "fine@example.dk", "Fin"))}
    db.session.add_all(mails.values())
    db.session.commit()
    assert deliver_due() == (1, 1, 3)
    db.session.commit()
    outcome = {key: (m.status, m.last_error.split(":")[0]) for key, m in mails.items()}
    assert outcome == {"no-at": ("failed", "bad_address"), "header": ("failed", "broken"),
                       "unknown": ("failed", "refused"), "busy": ("queued", "send"), "fine": ("sent", "")}
    assert [rcpt for rcpt, _m in inbox.messages] == [["fine@example.dk"]]


def test_the_outbox_shows_failing_and_stuck_mails_and_what_to_do(client, app):
    world = build(opened=False)
    app.config["SMTP_HOST"] = ""
    long_ago = utcnow() - timedelta(hours=3)
    db.session.add_all([
        Mail(key="down", kind="notice", to_email="a@example.dk", subject="Venter længe", body="B", attempts=4,
             created_at=long_ago, last_error="unreachable: ConnectionRefusedError: [Errno 111] Connection refused"),
        Mail(key="bad", kind="notice", to_email="b@example.dk", subject="Afvist", body="B", status="failed",
             attempts=1, last_error="refused: SMTPRecipientsRefused: {'b@example.dk': (550, b'No such mailbox')}")])
    db.session.commit()
    login(client, world.coordinator.email)
    page = client.get("/outbox").get_data(as_text=True)
    assert "1 besked kan ikke sendes" in page and "1 besked venter efter et mislykket forsøg" in page
    assert "1 besked har ventet mere end en time" in page
    assert "Mailserveren kunne ikke nås. Kerne prøver igen af sig selv" in page
    assert "Mailserveren afviste modtagerens adresse. Ret adressen" in page
    # the detail for whoever runs the server, folded away after the words
    assert "<summary>Teknisk fejl</summary>ConnectionRefusedError: [Errno 111] Connection refused</details>" in page
    failed = client.get("/outbox?status=failed").get_data(as_text=True)
    assert "Afvist" in failed and "Venter længe" not in failed


def test_an_anonymised_address_is_never_queued(app):
    from kerne.notices.outbox import queue

    assert queue("k", "notice", "anonymiseret-a7@anonymiseret.invalid", "", "S", "B") is None
    assert queue("k", "notice", "a@example.dk", "", "S", "B") is not None


def test_a_mail_page_shows_the_address_as_text(client, app):
    """_("Til %(name)s <%(email)s>") became a tag <leder@example.dk> that never closed: the address was
    invisible and the rest of the page sat inside it."""
    world = build(opened=False)
    mail = Mail(key="k", kind="notice", to_email=world.leader.email, to_name="Lise <Leder>", subject="S", body="B")
    db.session.add(mail)
    db.session.commit()
    login(client, world.leader.email)
    page = client.get(f"/me/mail/{mail.id}").get_data(as_text=True)
    assert "Til Lise &lt;Leder&gt; (leder@example.dk)" in page and "<leder@" not in page


def test_the_same_mail_queued_by_two_workers_at_once_is_kept_once_and_fails_neither(app):
    """Two workers noticing the same occasion at once: the second waits for the first and adds nothing,
    instead of failing on the unique key (a 500 for the person whose change it was)."""
    from kerne.notices.outbox import queue

    def mail():
        return queue("plan:1:a@example.dk", "plan_confirmed", "a@example.dk", "A", "S", "B")

    assert mail() is not None  # this worker's transaction is still open
    outcome = {}

    def other_worker():
        with app.app_context():
            try:
                outcome["queued"] = mail()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 – the test reports what the worker met
                outcome["error"] = error

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join(timeout=1)  # it queued already, or waits for this transaction
    db.session.commit()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert "error" not in outcome, outcome
    assert outcome["queued"] is None
    assert db.session.scalar(select(func.count()).select_from(Mail)) == 1
