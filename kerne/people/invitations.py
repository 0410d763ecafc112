"""Logins the coordinator gives: created with their roles (and a leader's units) but no password,
their person invited by mail to choose one.

The mailed link holds a random token; only its SHA-256 is stored, so the database (or a backup of it)
cannot open an invitation. The link works once, for INVITATION_HOURS, and stops when it is used,
sent again or revoked. Until then the login shows as invited. With single sign-on, the person may
instead sign in through the provider with a verified e-mail, which binds the login and uses the
invitation up (kerne.people.binding).
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from kerne.models import Ambassador, Invitation, OrgUnit, User, utcnow
from kerne.notices import compose
from kerne.notices.personal import ANONYMOUS_DOMAIN
from kerne.people.sign_in import find_user
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.links import absolute


def _hash(token: str) -> str:
    # The token is 256 random bits: a fast hash is enough, nobody can try them all.
    return hashlib.sha256(token.encode()).hexdigest()


def invitable(user: User) -> bool:
    """A login nobody has taken into use yet: no password chosen, never signed in through the provider."""
    return not user.has_password and user.sso_subject is None


def invite(user: User) -> None:
    """(Re)send ``user`` an invitation: a new link (an older one stops working), valid for INVITATION_HOURS;
    a login whose invitation was revoked is opened again."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = user.invitation or Invitation(user=user)
    invitation.token_hash, invitation.created_at = _hash(token), now
    invitation.expires_at = now + timedelta(hours=current_app.config["INVITATION_HOURS"])
    reopened = not user.active
    user.active = True
    db.session.add(invitation)
    db.session.flush()
    compose.invitation(user, absolute("auth.invitation", token=token), f"invitation:{user.id}:{invitation.id}:"
                       + invitation.token_hash[:16])
    audit.record("user.invite", user, expires_at=invitation.expires_at, **({"reopened": True} if reopened else {}))


def create_login(email: str, name: str, roles: list[str], units: list[OrgUnit], whole_organisation: bool) -> User:
    """A new login with these roles and units, invited; the registry's ambassador with its address gets it."""
    user = User(email=email.strip().lower(), name=name, roles=" ".join(roles), password_hash="", units=units,
                sees_whole_organisation=whole_organisation)
    db.session.add(user)
    ambassador = db.session.scalar(select(Ambassador).where(func.lower(Ambassador.email) == user.email,
                                                            Ambassador.user_id.is_(None)))
    if ambassador is not None:
        ambassador.user = user
    db.session.flush()
    invite(user)
    return user


def give_ambassador_login(ambassador: Ambassador) -> str:
    """A login for an ambassador: "invited" (a new one), "linked" (the login with their address made theirs),
    or "taken" (that login is another registry entry's, one differing only in case)."""
    user = find_user(ambassador.email)
    if user is None:
        create_login(ambassador.email, ambassador.name, ["ambassador"], [], False)
        return "invited"
    if user.ambassador is not None:
        return "taken"
    if "ambassador" not in user.roles.split():
        user.roles = f"{user.roles} ambassador".strip()
    ambassador.user = user
    return "linked"


def ambassadors_without_login() -> list[Ambassador]:
    """Active ambassadors of the registry with no login (anonymised ones left out): the bulk invitation's list."""
    return list(db.session.scalars(
        select(Ambassador).where(Ambassador.user_id.is_(None), Ambassador.active.is_(True),
                                 Ambassador.email.not_like(f"%@{ANONYMOUS_DOMAIN}"))
        .order_by(Ambassador.name, Ambassador.id)))


def revoke(user: User) -> None:
    """The invitation stops working and the unused login is closed, so single sign-on cannot open it either."""
    user.invitation = None
    user.active = False
    user.end_sessions()
    audit.record("user.revoke_invitation", user)


def pending(token: str) -> Invitation | None:
    """The invitation this link opens, while it is valid and its login open and still unused (a password set
    with ``flask create-user`` or a sign-in through the provider ends it too)."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token),
                                                            Invitation.expires_at > utcnow()))
    if invitation is None or not invitation.user.active or not invitable(invitation.user):
        return None
    return invitation


def use(invitation: Invitation, password: str) -> bool:
    """Use the invitation up and give its login the password; False when another request used it first."""
    user = invitation.user
    if db.session.execute(Invitation.__table__.delete().where(Invitation.id == invitation.id)).rowcount != 1:
        return False
    db.session.expunge(invitation)
    db.session.expire(user, ["invitation"])
    user.set_password(password)
    audit.record("user.accept_invitation", user, user=user)
    return True
