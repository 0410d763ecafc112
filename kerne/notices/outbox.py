"""The outbox: mails wait in the database until the SMTP server has taken them.

``queue`` adds a mail in the transaction of the change it tells about, once per
occasion (its ``key``). ``deliver_due`` claims due mails row by row (so several
workers never send one twice), sends them over one SMTP connection and marks
them sent; when the server is down or refuses, each keeps waiting with a
growing pause (at most an hour) and nothing is lost. A courier thread in each
worker does this every ``MAIL_INTERVAL_SECONDS``; ``flask send-mail`` does it once.
"""
import smtplib
import ssl
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import or_, select, update

from kerne.models import Mail, utcnow
from kerne.web.extensions import db

CLAIM = timedelta(minutes=2)
MAX_PAUSE = timedelta(hours=1)
BATCH = 50


def queue(key: str, kind: str, to_email: str, to_name: str, subject: str, body: str, ics: bytes | None = None,
          process_id: int | None = None) -> Mail | None:
    """Queue a mail unless one with this key was queued before (then None)."""
    if db.session.scalar(select(Mail.id).where(Mail.key == key)) is not None:
        return None
    mail = Mail(key=key[:120], kind=kind, to_email=to_email.strip().lower(), to_name=to_name[:120],
                subject=subject[:200], body=body, ics=ics.decode() if ics else None, process_id=process_id)
    db.session.add(mail)
    return mail


def pause(attempts: int) -> timedelta:
    """How long a mail waits after ``attempts`` failed tries: 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), MAX_PAUSE)


def message(mail: Mail, sender: str) -> EmailMessage:
    built = EmailMessage()
    built["From"] = sender
    built["To"] = formataddr((mail.to_name, mail.to_email))
    built["Subject"] = mail.subject
    built["Message-ID"] = make_msgid(idstring=f"kerne-{mail.id}", domain="kerne")
    built.set_content(mail.body)
    if mail.ics:
        built.add_attachment(mail.ics, subtype="calendar", charset="utf-8", filename="kerne.ics",
                             params={"method": "PUBLISH"})
    return built


def _claim(now: datetime) -> list[int]:
    due = db.session.scalars(
        select(Mail.id).where(Mail.status == "queued", Mail.next_attempt_at <= now,
                              or_(Mail.claimed_until.is_(None), Mail.claimed_until < now))
        .order_by(Mail.id).limit(BATCH)).all()
    claimed = []
    for mail_id in due:
        taken = db.session.execute(
            update(Mail).where(Mail.id == mail_id, Mail.status == "queued",
                               or_(Mail.claimed_until.is_(None), Mail.claimed_until < now))
            .values(claimed_until=now + CLAIM))
        if taken.rowcount == 1:
            claimed.append(mail_id)
    db.session.commit()
    return claimed


def _connect(config) -> smtplib.SMTP:
    if config["SMTP_SECURITY"] == "ssl":
        server = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15)
        if config["SMTP_SECURITY"] == "starttls":
            server.starttls(context=ssl.create_default_context())
    if config["SMTP_USER"]:
        server.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
    return server


def _failed(mail: Mail, error: Exception, now: datetime) -> None:
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:300]
    mail.next_attempt_at = now + pause(mail.attempts)
    mail.claimed_until = None


def deliver_due(now: datetime | None = None) -> tuple[int, int]:
    """Send the mails that are due; returns (sent, still waiting after a failed try)."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        return 0, 0
    now = now or utcnow()
    claimed = _claim(now)
    if not claimed:
        return 0, 0
    sent = failed = 0
    try:
        server = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        for mail in db.session.scalars(select(Mail).where(Mail.id.in_(claimed))):
            _failed(mail, error, now)
        db.session.commit()
        return 0, len(claimed)
    try:
        for mail_id in claimed:
            mail = db.session.get(Mail, mail_id)
            try:
                server.send_message(message(mail, config["MAIL_FROM"]))
            except (OSError, smtplib.SMTPException) as error:
                _failed(mail, error, now)
                failed += 1
            else:
                mail.status, mail.sent_at, mail.claimed_until = "sent", utcnow(), None
                mail.attempts += 1
                sent += 1
            db.session.commit()
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent, failed


class Courier(threading.Thread):
    """Queues the reminders that are due and sends the outbox, every ``interval`` seconds."""

    def __init__(self, app, interval: float):
        super().__init__(daemon=True, name="kerne-mail-courier")
        self.app, self.interval = app, interval
        self.wake = threading.Event()

    def run(self) -> None:
        from kerne.notices.compose import queue_reminders

        while True:
            with self.app.app_context():
                try:
                    queue_reminders(utcnow().date())
                    db.session.commit()
                    deliver_due()
                except Exception:  # the next round tries again; the mails stay in the outbox
                    db.session.rollback()
                    self.app.logger.exception("mail courier")
                finally:
                    db.session.remove()
            self.wake.wait(self.interval)
            self.wake.clear()


def init_app(app) -> None:
    """Start the courier with the first request a worker serves (not for CLI commands or tests)."""
    interval = app.config["MAIL_INTERVAL_SECONDS"]
    if interval <= 0 or app.testing:
        return
    lock = threading.Lock()
    courier = Courier(app, interval)
    app.extensions["kerne.courier"] = courier

    def start_courier():
        if courier.ident is None:  # once per worker; later requests pay one attribute read
            with lock:
                if courier.ident is None:
                    courier.start()

    app.before_request(start_courier)
