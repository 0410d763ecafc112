"""The outbox page (the coordinator's: what was sent, what waits and why) and each
person's own page of what Kerne sent them."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from kerne.models import Mail, utcnow
from kerne.notices.compose import queue_reminders
from kerne.notices.outbox import deliver_due, troubles
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.vocabulary import MAIL_STATUS_LABELS

bp = Blueprint("notices", __name__)
SHOWN = 200


@bp.get("/outbox")
def outbox():
    """Every notice, newest first, with whether it was sent, why not and what to do."""
    status = request.args.get("status") if request.args.get("status") in MAIL_STATUS_LABELS else None
    query = select(Mail).order_by(Mail.id.desc()).limit(SHOWN)
    if status:
        query = query.where(Mail.status == status)
    counts = dict(db.session.execute(select(Mail.status, func.count()).group_by(Mail.status)).all())
    return render_template("notices/outbox.html", mails=db.session.scalars(query).all(), counts=counts,
                           status=status, smtp=current_app.config["SMTP_HOST"], troubles=troubles(utcnow()))


@bp.post("/outbox/send")
def send_now():
    """Queue the reminders that are due and send what waits, now (failed ones are tried again too)."""
    queued = queue_reminders(utcnow().date())
    db.session.execute(db.update(Mail).where(Mail.status == "queued").values(next_attempt_at=utcnow()))
    db.session.commit()
    done = deliver_due()
    flash(_("%(reminders)s, %(sent)s sendt, %(waiting)s venter stadig, %(failed)s kan ikke sendes.",
            reminders=ngettext("%(num)d ny påmindelse", "%(num)d nye påmindelser", queued),
            sent=done.sent, waiting=done.waiting, failed=done.failed), "info")
    return redirect(url_for(".outbox"))


@bp.get("/me/mail")
def mine():
    """What Kerne has sent (or will send) to me."""
    query = (select(Mail).where(func.lower(Mail.to_email) == current_user.email.lower())
             .order_by(Mail.id.desc()).limit(SHOWN))
    return render_template("notices/mine.html", mails=db.session.scalars(query).all())


@bp.get("/me/mail/<int:mail_id>")
def show(mail_id):
    """One mail as it was sent."""
    mail = db.session.get(Mail, mail_id)
    if mail is None or (mail.to_email.lower() != current_user.email.lower()
                        and not current_user.has_role("coordinator")):
        abort(404)  # another person's mail is one that does not exist for you: ids cannot be counted
    if mail.to_email.lower() != current_user.email.lower():
        audit.record_reading("mail.read", mail)
    return render_template("notices/mail.html", mail=mail)
