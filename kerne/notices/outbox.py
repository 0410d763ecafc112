"""The outbox: mails wait in the database until the SMTP server has taken them.

``queue`` adds a mail in the transaction of the change it tells about, once per
occasion (its ``key``); a mail about something that moved replaces the one still
waiting with the old date. ``deliver_due`` claims due mails row by row (so several
workers never send one twice), sends them over one SMTP connection and marks
them sent; when the server is down or refuses for now, each keeps waiting with a
growing pause (at most an hour) and nothing is lost. A mail no retry can send (an
address the server cannot take, a mail that cannot be built) is marked failed with
its reason, alone: one bad mail never holds up the others. A courier thread in each
worker does this every ``MAIL_INTERVAL_SECONDS``; ``flask send-mail`` does it once.

``last_error`` is ``"<problem>: <technical detail>"``; the problem is a key of
``kerne.web.vocabulary.MAIL_PROBLEMS``, which says in Danish what happened and what to do.
"""
import smtplib
import ssl
import threading
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import NamedTuple

import idna
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kerne.models import Mail, utcnow
from kerne.notices.personal import ANONYMOUS_DOMAIN
from kerne.web.extensions import db

CLAIM = timedelta(minutes=2)
MAX_PAUSE = timedelta(hours=1)
BATCH = 50
# A mail still waiting this long after it was queued is stuck: the outbox page says so, and what to do.
STUCK = timedelta(hours=1)


def queue(key: str, kind: str, to_email: str, to_name: str, subject: str, body: str, ics: bytes | None = None,
          process_id: int | None = None, replaces: tuple[str, ...] = ()) -> Mail | None:
    """Queue a mail unless one with this key was queued before, or the address is an anonymised
    person's (then None).

    ``replaces`` are key prefixes of earlier mails about the same thing (a visit, with its old date):
    those still waiting for this recipient are dropped, so the new mail goes out instead of beside them.
    """
    address = to_email.strip().lower()
    if address.endswith("@" + ANONYMOUS_DOMAIN):
        return None
    key = key[:120]
    if db.session.scalar(select(Mail.id).where(Mail.key == key)) is not None:
        return None
    if replaces:
        now = utcnow()
        db.session.execute(delete(Mail).where(
            Mail.status == "queued", Mail.to_email == address, Mail.key != key,
            or_(Mail.claimed_until.is_(None), Mail.claimed_until < now),  # one being sent right now goes out
            or_(*(Mail.key.startswith(prefix, autoescape=True) for prefix in replaces))))
    # Another worker may be queueing the same occasion right now: its row wins, this one adds nothing.
    added = db.session.scalar(
        _insert(Mail).values(key=key, kind=kind, to_email=address, to_name=to_name[:120], subject=subject[:200],
                             body=body, ics=ics.decode() if ics else None, process_id=process_id)
        .on_conflict_do_nothing(index_elements=[Mail.key]).returning(Mail.id))
    return None if added is None else db.session.get(Mail, added)


def _insert(model):
    """INSERT of the session's database dialect, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](model)


def pause(attempts: int) -> timedelta:
    """How long a mail waits after ``attempts`` failed tries: 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), MAX_PAUSE)


class Undeliverable(Exception):
    """A mail no retry can send; ``problem`` is a key of kerne.web.vocabulary.MAIL_PROBLEMS."""

    def __init__(self, problem: str, detail: str = ""):
        super().__init__(detail)
        self.problem = problem


def recipient(mail: Mail) -> Address:
    """The To address. Built from its parts: a domain with æ, ø or å has an ASCII spelling (IDNA punycode,
    fjordbý.dk → xn--fjordb-gza.dk) that every server takes; a name before the @ with them has none, so it is
    kept as it is and sent with SMTPUTF8, which smtplib asks for when the server offers it."""
    username, at, domain = mail.to_email.rpartition("@")
    if not (at and username and domain):
        raise Undeliverable("bad_address", mail.to_email)
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise Undeliverable("bad_address", f"{mail.to_email}: {error}") from error
    return Address(mail.to_name, username, domain)


def message(mail: Mail, sender: str) -> EmailMessage:
    built = EmailMessage()
    built["From"] = sender
    built["To"] = recipient(mail)
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


def _retry(mail: Mail, problem: str, error: Exception, now: datetime) -> None:
    """A try that failed for now: the mail waits, a little longer each time."""
    mail.attempts += 1
    mail.last_error = f"{problem}: {type(error).__name__}: {error}"[:300]
    mail.next_attempt_at = now + pause(mail.attempts)
    mail.claimed_until = None


def _give_up(mail: Mail, problem: str, error: Exception) -> None:
    """A mail no retry can send: failed for good, with the reason the outbox page explains."""
    mail.attempts += 1
    mail.status, mail.claimed_until = "failed", None
    mail.last_error = f"{problem}: {type(error).__name__}: {error}"[:300]


def _refused_for_good(error: smtplib.SMTPRecipientsRefused) -> bool:
    """A 5xx answer to the recipient is final (no such mailbox); a 4xx one may pass later."""
    return all(code >= 500 for code, _message in error.recipients.values())


def _send_one(server: smtplib.SMTP, mail: Mail, sender: str, now: datetime) -> str:
    """Send one mail; whatever goes wrong stays with this mail. Returns sent, waiting or failed."""
    try:
        server.send_message(message(mail, sender))
    except Undeliverable as error:
        _give_up(mail, error.problem, error)
    except smtplib.SMTPNotSupportedError as error:  # æ, ø or å before the @, and the server offers no SMTPUTF8
        _give_up(mail, "no_smtputf8", error)
    except smtplib.SMTPRecipientsRefused as error:
        if not _refused_for_good(error):
            _retry(mail, "send", error, now)
            return "waiting"
        _give_up(mail, "refused", error)
    except (OSError, smtplib.SMTPException) as error:
        _retry(mail, "send", error, now)
        return "waiting"
    except Exception as error:  # a mail that cannot even be built: trying again would fail the same way
        current_app.logger.exception("mail %s could not be sent", mail.id)
        _give_up(mail, "broken", error)
    else:
        mail.status, mail.sent_at, mail.claimed_until = "sent", utcnow(), None
        mail.attempts += 1
        return "sent"
    return "failed"


class Round(NamedTuple):
    """What one round of the courier did: mails sent, still waiting after a failed try, failed for good."""

    sent: int = 0
    waiting: int = 0
    failed: int = 0


def deliver_due(now: datetime | None = None) -> Round:
    """Send the mails that are due; each mail's trouble is its own, so the round always finishes."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        return Round()
    now = now or utcnow()
    claimed = _claim(now)
    if not claimed:
        return Round()
    try:
        server = _connect(config)
    except Exception as error:  # down, refusing us, or set up wrong: every claimed mail waits for the next try
        problem = "unreachable" if isinstance(error, OSError) else "connect"
        for mail in db.session.scalars(select(Mail).where(Mail.id.in_(claimed))):
            _retry(mail, problem, error, now)
        db.session.commit()
        return Round(waiting=len(claimed))
    outcomes = {"sent": 0, "waiting": 0, "failed": 0}
    try:
        for mail_id in claimed:
            mail = db.session.get(Mail, mail_id)
            if mail is None or mail.status != "queued":  # dropped since it was claimed (its person anonymised)
                continue
            outcomes[_send_one(server, mail, config["MAIL_FROM"], now)] += 1
            db.session.commit()
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return Round(**outcomes)


def troubles(now: datetime) -> dict[str, int]:
    """What the outbox page warns about: mails failed for good, mails waiting after failed tries,
    and mails waiting longer than STUCK (no server set up, or one that has been down a while)."""
    failed, retrying, stuck = db.session.execute(select(
        func.count().filter(Mail.status == "failed"),
        func.count().filter(Mail.status == "queued", Mail.attempts > 0),
        func.count().filter(Mail.status == "queued", Mail.created_at < now - STUCK))).one()
    return {"failed": failed, "retrying": retrying, "stuck": stuck}


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
