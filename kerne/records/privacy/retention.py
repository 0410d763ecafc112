"""Keeping personal data no longer than needed: participants' display names go a set time
after their visit closed, the text of mails a set time after they were sent, audit events
after a set time. Run by ``flask --app app retention``
from cron or a systemd timer (see docs/operations.md)."""
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from kerne.models import AuditEvent, Mail, Participant, Visit
from kerne.records import audit
from kerne.web.extensions import db


def anonymise_participants(now: datetime, days: int) -> int:
    """Remove the display names of participants of visits closed more than ``days`` days ago;
    what they contributed stays, known by its anonymous participant."""
    closed = select(Visit.id).where(Visit.status == "closed", Visit.closed_at < now - timedelta(days=days))
    return db.session.execute(update(Participant).where(Participant.visit_id.in_(closed),
                                                        Participant.display_name.is_not(None))
                              .values(display_name=None)).rowcount


def empty_sent_mails(now: datetime, days: int) -> int:
    """Remove the text and calendar file of mails sent more than ``days`` days ago; the outbox
    keeps that they went, to whom and about what."""
    return db.session.execute(update(Mail).where(Mail.status == "sent", Mail.sent_at < now - timedelta(days=days),
                                                 Mail.body != "").values(body="", ics=None)).rowcount


def forget_audit_events(now: datetime, days: int) -> int:
    """Delete audit events older than ``days`` days."""
    return db.session.execute(delete(AuditEvent).where(AuditEvent.created_at < now - timedelta(days=days))).rowcount


def run(now: datetime, config) -> dict[str, int]:
    """One round of retention with the app's settings, recorded in the audit log when it removed anything."""
    done = {"participant_names": anonymise_participants(now, config["PARTICIPANT_NAME_DAYS"]),
            "mail_texts": empty_sent_mails(now, config["MAIL_DAYS"]),
            "audit_events": forget_audit_events(now, config["AUDIT_DAYS"])}
    if any(done.values()):
        audit.record("retention.run", None, **done)
    return done
