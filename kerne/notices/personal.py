"""What after-the-workshop data is personal, for the per-person export and anonymisation:
the mails sent to a person (by address, so an ambassador without an account has them too),
the mails to others that name them, and the follow-up notes they wrote (by account)."""
from sqlalchemy import String, cast, delete, func, literal, select, update

from kerne.models import Mail, WorkTask
from kerne.web.extensions import db

# Where anonymised people's addresses point: the reserved .invalid domain receives no mail, and the
# address still reads as one, so a registry exported after an anonymisation imports again.
ANONYMOUS_DOMAIN = "anonymiseret.invalid"
# Where mails to others name a person: a reminder lists the pair with their e-mails and phones.
MENTIONS = (Mail.subject, Mail.body)


def export(email: str, user_id: int | None) -> dict:
    """The person's mails and follow-up notes, as plain data."""
    mails = db.session.scalars(select(Mail).where(func.lower(Mail.to_email) == email.lower()).order_by(Mail.id))
    notes = [] if user_id is None else db.session.scalars(
        select(WorkTask).where(WorkTask.followed_up_by_id == user_id).order_by(WorkTask.id))
    return {
        "mails": [{"subject": m.subject, "body": m.body, "created_at": m.created_at.isoformat(),
                   "sent_at": m.sent_at.isoformat() if m.sent_at else None} for m in mails],
        "follow_ups": [{"task": t.title, "mark": t.follow_up_mark, "note": t.follow_up_note,
                        "at": t.followed_up_at.isoformat() if t.followed_up_at else None} for t in notes],
    }


def anonymise(email: str, user_id: int | None) -> None:
    """Nothing left that names the person: mails still waiting for them are dropped (nobody is left to
    read them); the others lose address, name, text and the key that held the address (the outbox keeps
    that a mail went out); their follow-up marks no longer say who made them."""
    to_them = func.lower(Mail.to_email) == email.lower()
    db.session.execute(delete(Mail).where(to_them, Mail.status == "queued"))
    db.session.execute(update(Mail).where(to_them).values(
        to_email=f"anonymiseret@{ANONYMOUS_DOMAIN}", to_name="", body="", ics=None,
        key=literal("anonymiseret:") + cast(Mail.id, String)))
    if user_id is not None:
        db.session.execute(update(WorkTask).where(WorkTask.followed_up_by_id == user_id)
                           .values(followed_up_by_id=None))

