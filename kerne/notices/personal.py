"""What after-the-workshop data is personal, for the per-person export and anonymisation:
the mails sent to a person and the follow-up notes they wrote."""
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Mail, User, WorkTask


def export(user: User) -> dict:
    """The person's mails and follow-up notes, as plain data."""
    mails = db.session.scalars(select(Mail).where(func.lower(Mail.to_email) == user.email.lower()).order_by(Mail.id))
    notes = db.session.scalars(select(WorkTask).where(WorkTask.followed_up_by_id == user.id).order_by(WorkTask.id))
    return {
        "mails": [{"subject": m.subject, "body": m.body, "created_at": m.created_at.isoformat(),
                   "sent_at": m.sent_at.isoformat() if m.sent_at else None} for m in mails],
        "follow_ups": [{"task": t.title, "mark": t.follow_up_mark, "note": t.follow_up_note,
                        "at": t.followed_up_at.isoformat() if t.followed_up_at else None} for t in notes],
    }


def anonymise(user: User) -> None:
    """Nothing left that names the person: their mails lose address, name and text (the outbox keeps
    that a mail went out), and their follow-up marks no longer say who made them."""
    db.session.execute(update(Mail).where(func.lower(Mail.to_email) == user.email.lower())
                       .values(to_email="anonymiseret@invalid", to_name="", body="", ics=None))
    db.session.execute(update(WorkTask).where(WorkTask.followed_up_by_id == user.id).values(followed_up_by_id=None))
