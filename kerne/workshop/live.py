"""The live contract: one version number per visit, bumped with every change.

A change takes the visit's row lock first (a no-op on SQLite, where the
request already holds the write lock), does its work, and bumps the version
in the same transaction. Pollers compare versions with one indexed read.
"""
from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from ..extensions import db
from ..models import Participant, User, Visit


@dataclass(frozen=True)
class Actor:
    """Who is acting on a visit: a participant's phone or a facilitator."""

    participant: Participant | None = None
    user: User | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.user is not None

    @property
    def author(self) -> dict:
        """The columns that name this actor as the author of a row."""
        return {
            "participant_id": self.participant.id if self.participant else None,
            "user_id": self.user.id if self.user else None,
        }

    def wrote(self, row) -> bool:
        """Whether ``row`` (anything with participant_id and user_id) is this actor's."""
        if self.participant is not None:
            return row.participant_id == self.participant.id
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


def current_version(public_id: str) -> int | None:
    """The visit's version: the one read an unchanged poll costs."""
    return db.session.scalar(select(Visit.version).where(Visit.public_id == public_id))
