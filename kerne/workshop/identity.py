"""A participant's join: a signed cookie that names one participant of one visit.

Reading it costs no database query, which keeps an unchanged poll at one read.
"""
from itsdangerous import BadSignature, URLSafeSerializer
from flask import current_app, request

from ..models import Participant, Visit


def _cookie_name(public_id: str) -> str:
    return f"kerne_p_{public_id}"


def _serializer(public_id: str) -> URLSafeSerializer:
    # The salt binds the signature to this visit: a cookie cannot be replayed on another.
    return URLSafeSerializer(current_app.secret_key, salt=f"participant:{public_id}")


def participant_id(public_id: str) -> int | None:
    """The participant this phone joined as, or None (no cookie, or a tampered one)."""
    raw = request.cookies.get(_cookie_name(public_id))
    if not raw:
        return None
    try:
        value = _serializer(public_id).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def remember(response, visit: Visit, participant: Participant) -> None:
    """Set the join cookie on ``response``."""
    days = current_app.config["PARTICIPANT_COOKIE_DAYS"]
    response.set_cookie(
        _cookie_name(visit.public_id),
        _serializer(visit.public_id).dumps(participant.id),
        max_age=days * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
