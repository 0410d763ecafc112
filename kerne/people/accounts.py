"""Logins: the coordinator deactivates and reactivates staff accounts and ends their sessions.

A deactivated login signs nobody in and ends every session it had (kerne.people.sign_in);
an ambassador's calendar feed stops with it (``Ambassador.in_service``).
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne.models import User
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.forms import ToggleForm

bp = Blueprint("accounts", __name__, url_prefix="/users")


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("")
def index():
    """Every login, whether it is active, and what it is for."""
    users = db.session.scalars(select(User).options(selectinload(User.ambassador)).order_by(User.name))
    return render_template("people/accounts.html", users=list(users))


@bp.post("/<int:user_id>/active")
def set_active(user_id):
    """Deactivate (value 0) or reactivate (value 1) a login; deactivating ends its sessions."""
    user = _user(user_id)
    form = ToggleForm()
    if not form.validate():
        abort(400)
    if user.id == current_user.id:
        abort(409, _("Du kan ikke deaktivere dit eget login."))
    if user.active != form.on:
        user.active = form.on
        if not form.on:
            user.end_sessions()
        audit.record("user.activate" if form.on else "user.deactivate", user)
        db.session.commit()
    flash(_("%(name)s kan logge ind igen.", name=user.name) if form.on
          else _("%(name)s er deaktiveret og logget ud overalt.", name=user.name), "info")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/sessions")
def end_sessions(user_id):
    """Sign a person out everywhere (a lost laptop, a shared computer)."""
    user = _user(user_id)
    user.end_sessions()
    audit.record("user.end_sessions", user)
    db.session.commit()
    flash(_("%(name)s er logget ud overalt.", name=user.name), "info")
    return redirect(url_for(".index"))
