"""The audit log: who changed what, and when.

``record`` adds an event to the current database session, so it is committed
(or rolled back) with the change it describes and never tells of a change
that did not happen.

One rule makes sure nothing a person changes goes unrecorded: ``watch`` installs
a listener on the session that, at every flush, writes an event for each row of
WATCHED that a person created, deleted, or changed in a watched attribute,
with the old and new values. A person is the signed-in user of a request or
whoever runs a CLI command; participants' phones, background work and tests'
own set-up are not staff actions. Where a view records a named event of its
own (``request.cancel`` with its reason), that event stands for its subject and
the listener adds no second one.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import click
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from kerne.models import (
    Ambassador,
    AuditEvent,
    CoreTaskDraft,
    MatchChoice,
    MatchRun,
    OrgUnit,
    Process,
    ProcessRequest,
    User,
    Visit,
    WorkTask,
)
from kerne.web import sqlite
from kerne.web.extensions import db

SECRET = "***"  # a secret that changed is logged as changed, never with its value


@dataclass(frozen=True)
class Watched:
    """What of one model is audited: its action prefix, the attributes whose changes are
    logged, the ones only named for context, the secrets, and the collections (as items → text)."""

    prefix: str
    attributes: tuple[str, ...]
    context: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    collections: tuple[tuple[str, str], ...] = ()  # (relationship, attribute of an item that names it)


WATCHED: dict[type, Watched] = {
    OrgUnit: Watched("org", ("name", "kind", "parent_id", "external_id")),
    Ambassador: Watched("ambassador", ("name", "email", "phone", "workplace_id", "profession", "trained_on", "active",
                                       "capacity", "user_id", "external_id"),
                        secrets=("calendar_token",), collections=(("unavailable", "day"),)),
    User: Watched("user", ("email", "name", "roles", "active", "sees_whole_organisation"),
                  secrets=("password_hash",), collections=(("units", "name"),)),
    ProcessRequest: Watched("request", ("workplace_id", "contact_name", "contact_email", "target_groups",
                                        "visit1_start", "visit1_end", "visit2_start", "visit2_end", "notes", "status",
                                        "cancel_reason", "process_id", "external_id")),
    MatchRun: Watched("plan", ("status",)),
    MatchChoice: Watched("plan_choice", ("ambassador_id", "locked"), context=("run_id", "request_id", "slot")),
    Process: Watched("process", ("workplace_id", "target_groups", "cancelled_at", "cancel_reason", "meeting_on",
                                 "meeting_starts", "meeting_ends", "meeting_place"),
                     collections=(("facilitators", "name"),)),
    Visit: Watched("visit", ("status", "scheduled_on"), context=("process_id", "number")),
    CoreTaskDraft: Watched("core_task", ("locked_at",), context=("visit_id", "core_task")),
    WorkTask: Watched("work_task", ("decision", "owner", "deadline", "follow_up_on", "follow_up_mark",
                                    "follow_up_note", "removed"), context=("visit_id", "title")),
}
# Rows people create in the room (a task listed by a phone) are the workshop's, not staff actions.
CHANGES_ONLY = (WorkTask, CoreTaskDraft, Visit)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _acting_user() -> User | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _by_a_person() -> bool:
    """A change is a staff action when a signed-in user's request or a CLI command makes it."""
    if has_request_context():
        return current_user.is_authenticated
    return click.get_current_context(silent=True) is not None


def record(action: str, subject: Any = None, /, *, user: User | None = None, **detail: Any) -> AuditEvent:
    """Log ``action`` (e.g. ``"ambassador.update"``) on ``subject`` (a model row, or None).

    The acting user is the signed-in one unless given; ``detail`` is kept as
    JSON (dates and other values as text). A subject not yet flushed gets its
    id when it is.
    """
    return _add(db.session(), action, subject, user or _acting_user(), detail)


def record_reading(action: str, subject: Any = None, /, **detail: Any) -> None:
    """Log that the signed-in person read personal data (an export, another person's mail), committed
    at once: nothing else in the request changes anything, and the trail must not hang on the answer.

    The request's reading transaction ends first; on SQLite the one that writes takes the write lock up
    front (kerne.web.sqlite), and what is read after it does not.
    """
    db.session.commit()
    sqlite.will_write()
    record(action, subject, **detail)
    db.session.commit()
    sqlite.done_writing()


def _add(session: Session, action: str, subject: Any, user: User | None, detail: dict) -> AuditEvent:
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        subject_type=type(subject).__tablename__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        detail=json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True),
    )
    session.add(event)
    if subject is not None:
        _described(session).add(subject)
        if event.subject_id is None and hasattr(subject, "id"):
            session.info.setdefault("audit_pending", []).append((event, subject))
    return event


def _described(session: Session) -> set:
    """The rows a named event of this transaction already stands for."""
    return session.info.setdefault("audit_described", set())


def _changes(row, watched: Watched) -> dict[str, Any]:
    """The watched attributes a flush changes in a row, as (old, new)."""
    state = inspect(row)
    changes = {}
    for name in watched.attributes + watched.secrets:
        history = state.attrs[name].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[name] = SECRET if name in watched.secrets else [_plain(old), _plain(new)]
    for name, label in watched.collections:
        history = state.attrs[name].history
        added = sorted(_plain(getattr(item, label)) for item in history.added)
        removed = sorted(_plain(getattr(item, label)) for item in history.deleted)
        if added or removed:
            changes[name] = {"added": added, "removed": removed}
    return changes


def _values(row, watched: Watched) -> dict[str, Any]:
    """A new row as written: its context and the watched attributes that have a value."""
    values = {name: _plain(getattr(row, name)) for name in watched.context + watched.attributes}
    return {name: value for name, value in values.items() if value is not None}


def _context(row, watched: Watched) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in watched.context}


def _log_flush(session: Session, _flush_context, _instances) -> None:
    described = _described(session)
    found = []
    for kind, rows in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for row in rows:
            watched = WATCHED.get(type(row))
            if watched is None or row in described or (kind == "create" and isinstance(row, CHANGES_ONLY)):
                continue
            changes = _changes(row, watched) if kind == "update" else {}
            if kind == "update" and not changes:
                continue
            found.append((kind, row, watched, changes))
    if not found or not _by_a_person():
        return
    user = _acting_user()
    for kind, row, watched, changes in found:
        if kind == "delete":
            _add(session, f"{watched.prefix}.delete", row, user, {"name": getattr(row, "name", None)})
        elif kind == "update":
            _add(session, f"{watched.prefix}.update", row, user, {**_context(row, watched), **changes})
        else:  # described once flushed: its keys and defaults are known then
            event = _add(session, f"{watched.prefix}.create", row, user, {})
            session.info.setdefault("audit_created", []).append((event, row, watched))


def _fill_in_ids(session: Session, _flush_context) -> None:
    """The events of rows that were new at the flush learn the rows' ids, and new rows' values."""
    pending = session.info.get("audit_pending")
    if pending:
        session.info["audit_pending"] = [(e, row) for e, row in pending if row.id is None]
        for audit_event, row in pending:
            if row.id is not None:
                audit_event.subject_id = row.id
    for audit_event, row, watched in session.info.pop("audit_created", ()):
        audit_event.detail = json.dumps(_values(row, watched), default=str, ensure_ascii=False, sort_keys=True)


def _forget(session: Session, *_args) -> None:
    session.info.pop("audit_described", None)
    session.info.pop("audit_pending", None)
    session.info.pop("audit_created", None)


def watch() -> None:
    """Install the audit rule on every database session (once, however many apps are made)."""
    if event.contains(Session, "before_flush", _log_flush):
        return
    event.listen(Session, "before_flush", _log_flush)
    event.listen(Session, "after_flush_postexec", _fill_in_ids)
    for name in ("after_commit", "after_rollback"):
        event.listen(Session, name, _forget)
