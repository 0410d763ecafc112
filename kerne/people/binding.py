"""Which Kerne login a person signed in at the single sign-on provider is.

The first sign-in there finds the login by a verified e-mail address (kerne.people.claims) and binds
it to the provider's issuer and subject; from then on the login is found by these alone, so an
e-mail address that changes hands at the provider (a guest, a reused address) never opens it.
A second identity claiming a bound login's address is refused.
"""
from dataclasses import dataclass

from sqlalchemy import func, select, update

from kerne.models import Invitation, User
from kerne.people.claims import EmailClaim, folded_email
from kerne.web.extensions import db


@dataclass(frozen=True)
class Outcome:
    """Whom the person signs in as, or why not (for the message and the audit log); ``bind``: first time."""

    user: User | None
    refused: str | None = None
    bind: bool = False


def bound_login(issuer: str, subject: str) -> User | None:
    return db.session.scalar(select(User).where(User.sso_issuer == issuer, User.sso_subject == subject))


def login_by_email(address: str) -> User | None:
    """The login whose address folds to ``address``; the database narrows by lower(), the ASCII rule decides."""
    found = db.session.scalars(select(User).where(func.lower(User.email) == address))
    return next((user for user in found if folded_email(user.email) == address), None)


def resolve(issuer: str, subject: str, email: EmailClaim) -> Outcome:
    """The login this identity signs in as: its bound one, else the one its verified e-mail names."""
    user = bound_login(issuer, subject)
    if user is None:
        if email.address is None:
            return Outcome(None, f"email {email.problem}")
        user = login_by_email(email.address)
        if email.problem:
            return Outcome(user, f"email {email.problem}")
        if user is not None and user.sso_subject is not None:
            return Outcome(user, "bound to another identity")
    if user is None or not user.is_active:
        return Outcome(user, "no active account")
    return Outcome(user, bind=user.sso_subject is None)


def bind(user: User, issuer: str, subject: str) -> bool:
    """Bind ``user`` to the identity unless another sign-in bound it to someone else first (a sign-in of the
    same person at the same moment is no one else); a pending invitation is used up."""
    if db.session.execute(update(User).where(User.id == user.id, User.sso_subject.is_(None))
                          .values(sso_issuer=issuer, sso_subject=subject)).rowcount == 1:
        db.session.execute(Invitation.__table__.delete().where(Invitation.user_id == user.id))
    db.session.expire(user)
    return (user.sso_issuer, user.sso_subject) == (issuer, subject)


def unbind(user: User) -> None:
    """The login is found by a verified e-mail again at its next sign-in through the provider: for a person
    whose account at the provider was made anew, or a municipality that moved to another provider."""
    user.sso_issuer = user.sso_subject = None
