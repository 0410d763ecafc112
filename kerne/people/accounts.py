"""Logins: the coordinator gives them (an invitation by mail, kerne.people.invitations), sends an
invitation again or revokes it, deactivates and reactivates staff accounts and ends their sessions.

A deactivated login signs nobody in and ends every session it had (kerne.people.sign_in);
an ambassador's calendar feed stops with it (``Ambassador.in_service``).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne.models import ROLES, User, utcnow
from kerne.people import binding, invitations
from kerne.people.forms import NewLoginForm
from kerne.people.leaders import chosen_units, unit_choices
from kerne.people.sign_in import find_user, safe_next
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.forms import ToggleForm

bp = Blueprint("accounts", __name__, url_prefix="/users")


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("")
def index():
    """Every login, whether it is active, and what it is for."""
    users = db.session.scalars(select(User).options(selectinload(User.ambassador), selectinload(User.invitation))
                               .order_by(User.name))
    return render_template("people/accounts.html", users=list(users), now=utcnow(), invitable=invitations.invitable)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Give someone a login, with its roles and a leader's units; they are invited by mail."""
    form = NewLoginForm()
    form.units.choices = unit_choices()
    if not form.is_submitted() and request.args.get("role") in ROLES:
        form.roles.data = [request.args["role"]]
    if form.validate_on_submit():
        if find_user(form.email.data) is not None:
            form.email.errors.append(_("Der er allerede et login med denne e-mail."))
        else:
            user = invitations.create_login(form.email.data, form.name.data, form.roles.data, chosen_units(form),
                                            form.whole_organisation.data)
            db.session.commit()
            flash(_("%(name)s har fået et login. Invitationen er sendt til %(email)s.", name=user.name,
                    email=user.email), "info")
            return redirect(safe_next(request.args.get("next")) or url_for(".index"))
    return render_template("people/new_login.html", form=form), 422 if form.errors else 200


@bp.post("/<int:user_id>/single-sign-on")
def unbind(user_id):
    """Untie a login from the person at the single sign-on provider it was bound to (kerne.people.binding)."""
    user = _user(user_id)
    if user.sso_subject is None:
        abort(409, _("%(name)s er ikke knyttet til kommunens login.", name=user.name))
    audit.record("user.sso_unbind", user, issuer=user.sso_issuer)
    binding.unbind(user)
    db.session.commit()
    flash(_("%(name)s er ikke længere knyttet til kommunens login. Næste log ind der knytter loginet igen ud fra "
            "en bekræftet e-mail.", name=user.name), "info")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/invitation")
def invite(user_id):
    """Send the invitation (again): a new link, valid from now; an older link stops working."""
    user = _user(user_id)
    if not invitations.invitable(user):
        abort(409, _("%(name)s har allerede taget sit login i brug.", name=user.name))
    invitations.invite(user)
    db.session.commit()
    flash(_("Invitationen er sendt til %(email)s.", email=user.email), "info")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/invitation/revoke")
def revoke_invitation(user_id):
    """Revoke an invitation: its link stops working and the unused login is closed."""
    user = _user(user_id)
    if user.invitation is None:
        abort(409, _("%(name)s har ingen invitation, der venter.", name=user.name))
    invitations.revoke(user)
    db.session.commit()
    flash(_("Invitationen til %(name)s er tilbagekaldt, og loginet er lukket.", name=user.name), "info")
    return redirect(url_for(".index"))


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
