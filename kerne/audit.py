"""The audit log: who changed what, and when.

``record`` adds an event to the current database session, so it is committed
(or rolled back) with the change it describes and never tells of a change
that did not happen.
"""
import json
from typing import Any

from flask import has_request_context
from flask_login import current_user

from .extensions import db
from .models import AuditEvent, User


def record(action: str, subject: Any = None, *, user: User | None = None, **detail: Any) -> AuditEvent:
    """Log ``action`` (e.g. ``"ambassador.update"``) on ``subject`` (a model row, or None).

    The acting user is the signed-in one unless given; ``detail`` is kept as
    JSON (dates and other values as text).
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        subject_type=type(subject).__tablename__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        detail=json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True),
    )
    db.session.add(event)
    return event
