"""The live contract: one version number per visit, bumped with every change.

A change takes the visit's row lock first (a no-op on SQLite, where the
request already holds the write lock), does its work, and bumps the version
in the same transaction. Pollers compare versions with one indexed read.
"""
import threading
import time
from contextlib import suppress
from dataclasses import dataclass

from flask import abort, current_app
from sqlalchemy import select, update

from kerne.models import PUBLIC_ID, Participant, User, Visit, utcnow
from kerne.web import sqlite
from kerne.web.extensions import db


@dataclass(frozen=True)
class Actor:
    """Who is acting on a visit: a participant's phone (known by the id in its
    signed cookie, no query needed) or a signed-in facilitator."""

    participant_id: int | None = None
    user: User | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.user is not None

    @property
    def author(self) -> dict:
        """The columns that name this actor as the author of a row."""
        return {"participant_id": self.participant_id, "user_id": self.user.id if self.user else None}

    def wrote(self, row) -> bool:
        """Whether ``row`` (anything with participant_id and user_id) is this actor's."""
        if self.participant_id is not None:
            return row.participant_id == self.participant_id
        return self.user is not None and row.user_id == self.user.id


def lock_visit(visit_id: int) -> Visit:
    """The visit, freshly read and locked for the rest of the transaction."""
    query = select(Visit).where(Visit.id == visit_id).with_for_update()
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one()


def bump(visit: Visit) -> None:
    """Mark the visit changed; every poller will fetch the new state."""
    visit.version += 1


def row_in(visit: Visit, model, row_id: int):
    """A row of ``model`` that belongs to ``visit``, or 404."""
    row = db.session.get(model, row_id)
    if row is None or row.visit_id != visit.id:
        abort(404)
    return row


def set_flag(visit: Visit, row, name: str, value: bool) -> bool:
    """Switch a flag of a row of the visit (an idea hidden, a task removed); False if it already was."""
    if getattr(row, name) == value:
        return False
    setattr(row, name, value)
    bump(visit)
    return True


class _PollConnection:
    """A thread's DBAPI connection for version reads, closed when the thread's storage goes."""

    def __init__(self, engine, connection):
        self.engine, self.connection = engine, connection

    def close(self) -> None:
        with suppress(Exception):  # it may be broken already; it is dropped either way
            self.connection.close()

    __del__ = close


_polling = threading.local()


def _poll_connection(engine):
    """This thread's connection for version reads, made on first use.

    It is taken out of the pool for good and put in autocommit, so between polls it
    holds no transaction, snapshot or lock: the next read sees the latest commit.
    """
    kept = getattr(_polling, "kept", None)
    if kept is None or kept.engine is not engine:
        _forget_poll_connection()
        pooled = engine.raw_connection()
        pooled.detach()
        connection = pooled.dbapi_connection
        connection.rollback()  # a pre-ping may have begun a transaction
        if engine.dialect.name != "sqlite":  # SQLite connections already run in autocommit (kerne.web.sqlite)
            connection.autocommit = True
        kept = _polling.kept = _PollConnection(engine, connection)
    return kept.connection


def _forget_poll_connection() -> None:
    kept = getattr(_polling, "kept", None)
    if kept is not None:
        kept.close()
        _polling.kept = None


def current_version(public_id: str) -> tuple[int, int] | None:
    """The visit's id and version: the one indexed read an unchanged poll costs.

    It runs on a connection each worker thread keeps for it: the ORM session and
    checking a connection out of the pool and back (with its ping and reset) cost
    several times the read itself. A connection that fails (a database restart) is
    replaced once.
    """
    if not PUBLIC_ID.fullmatch(public_id):
        return None
    engine = db.engine
    placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    for attempt in (1, 2):
        try:
            cursor = _poll_connection(engine).cursor()
            cursor.execute(f"SELECT id, version FROM visit WHERE public_id = {placeholder}", (public_id,))
            row = cursor.fetchone()
            cursor.close()
        except engine.dialect.loaded_dbapi.Error:
            _forget_poll_connection()
            if attempt == 2:
                raise
        else:
            return tuple(row) if row else None


NOTED_KEPT = 10_000


def seen(participant_id: int, every: float) -> None:
    """Note that a participant's phone is still here, waiting on one of its conflicts.

    Only a phone with an open conflict asks for this (``waiting`` in its poll), so the
    unchanged poll of everyone else stays one read; and a phone polling every half second
    writes at most once per ``every`` seconds per worker.
    """
    noted = current_app.extensions.setdefault("kerne.noted", {})  # participant id → time.monotonic()
    now = time.monotonic()
    if now - noted.get(participant_id, -every) < every:
        return
    if len(noted) >= NOTED_KEPT:
        noted.clear()
    noted[participant_id] = now
    sqlite.will_write()
    db.session.execute(update(Participant).where(Participant.id == participant_id).values(last_seen_at=utcnow()))
    db.session.commit()
    sqlite.done_writing()  # what the poll reads next needs no write lock
