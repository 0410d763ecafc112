"""Playbook versions in the database. Every edit saves a new version; a visit runs with the
version it was opened with (``Visit.playbook_id``), a visit not opened yet with the newest."""
from dataclasses import asdict, fields

from sqlalchemy import func, select

from kerne.models import Playbook, PlaybookStep, User
from kerne.processes.playbook.rules import StepDraft
from kerne.records import audit
from kerne.web.extensions import db


def newest_id() -> int:
    return db.session.scalar(select(func.max(Playbook.id)))


def steps_query(visit_number, playbook_id, columns=(PlaybookStep,)):
    """The steps a visit runs through, in order: those of its own version, else (None) of the newest.
    The one place that decides which steps a visit has (the workshop and its board use it). The
    numbers may be values or bound parameters, so the board can build the statement once."""
    version = func.coalesce(playbook_id, select(func.max(Playbook.id)).scalar_subquery())
    return (select(*columns).where(PlaybookStep.playbook_id == version, PlaybookStep.visit_number == visit_number)
            .order_by(PlaybookStep.position))


def newest() -> tuple[int, list[PlaybookStep]]:
    version = newest_id()
    query = select(PlaybookStep).where(PlaybookStep.playbook_id == version)
    return version, list(db.session.scalars(query.order_by(PlaybookStep.visit_number, PlaybookStep.position)))


def as_drafts(steps: list[PlaybookStep]) -> tuple[StepDraft, ...]:
    return tuple(StepDraft(**{f.name: getattr(s, f.name) for f in fields(StepDraft)}) for s in steps)


def save(steps: tuple[StepDraft, ...], user: User, note: str) -> Playbook:
    """The next version, with these steps; logged in the audit log with what changed."""
    playbook = Playbook(created_by_id=user.id, note=note[:200])
    db.session.add(playbook)
    db.session.flush()
    for step in steps:
        db.session.add(PlaybookStep(playbook_id=playbook.id, **asdict(step)))
    audit.record("playbook.edit", playbook, note=note, steps=[f"{s.visit_number}.{s.position} {s.title}" for s in steps])
    return playbook
