"""A participant's join: a signed cookie that names one participant of one visit.

Reading it costs no database query and no JSON, which keeps an unchanged poll
at one read.
"""
from functools import lru_cache

from flask import current_app, request
from itsdangerous import BadSignature, Signer
from sqlalchemy import select

from kerne.models import Participant, Visit
from kerne.web.extensions import db


def _cookie_name(public_id: str) -> str:
    return f"kerne_p_{public_id}"


@lru_cache(maxsize=1024)
def _signer_for(secret_key: str, public_id: str) -> Signer:
    # The salt binds the signature to this visit: a cookie cannot be replayed on another.
    return Signer(secret_key, salt=f"participant:{public_id}")


def _signer(public_id: str) -> Signer:
    return _signer_for(current_app.secret_key, public_id)


def participant_id(public_id: str) -> int | None:
    """The participant this phone joined as, or None (no cookie, or a tampered one)."""
    raw = request.cookies.get(_cookie_name(public_id))
    if not raw:
        return None
    try:
        value = _signer(public_id).unsign(raw)
    except BadSignature:
        return None
    return int(value) if value.isdigit() else None


def remember(response, visit: Visit, participant: Participant) -> None:
    """Set the join cookie on ``response``."""
    days = current_app.config["PARTICIPANT_COOKIE_DAYS"]
    response.set_cookie(
        _cookie_name(visit.public_id),
        _signed(visit.public_id, participant.id),
        max_age=days * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _signed(public_id: str, participant_id: int) -> str:
    return _signer(public_id).sign(str(participant_id)).decode()


def cookie(public_id: str, participant_id: int) -> str:
    """The join cookie as a Cookie header carries it (for load generators)."""
    return f"{_cookie_name(public_id)}={_signed(public_id, participant_id)}"


def earlier_name(visit: Visit) -> str | None:
    """The name this phone used at an earlier visit of the same process, to offer again."""
    earlier = db.session.execute(
        select(Visit.public_id, Visit.id).where(Visit.process_id == visit.process_id, Visit.number < visit.number)
        .order_by(Visit.number.desc())
    ).all()
    for public_id, visit_id in earlier:
        known = participant_id(public_id)
        if known is not None:
            participant = db.session.get(Participant, known)
            if participant is not None and participant.visit_id == visit_id and participant.display_name:
                return participant.display_name
    return None
