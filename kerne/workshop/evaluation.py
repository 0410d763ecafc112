"""The evaluation at the end of a visit: two questions each phone may answer once, anonymously.

An answer is stored without any link to its phone. Whether a phone has answered is
kept apart, as a receipt naming the participant and nothing else: that is all it
takes to keep one answer per phone, and the receipt cannot tell which answer was theirs.
A phone that answered is not asked again; a second answer is refused. What the pair and the
coordinator read of the answers is decided by kerne.processes.evaluation.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne.models import EvaluationAnswer, EvaluationReceipt, Process, Visit
from kerne.processes.evaluation import Answer, Summary, pooled, summarise
from kerne.web.extensions import db
from kerne.workshop.live import bump


class AlreadyAnswered(Exception):
    """This phone has answered the visit's evaluation already."""


def has_answered(participant_id: int) -> bool:
    return db.session.get(EvaluationReceipt, participant_id) is not None


def answer(visit: Visit, participant_id: int, usefulness: int | None, change: str) -> None:
    """Keep one phone's answer; ``visit`` is locked (kerne.workshop.live.lock_visit), so two sends of
    one phone cannot both pass the check."""
    if has_answered(participant_id):
        raise AlreadyAnswered
    db.session.add(EvaluationReceipt(participant_id=participant_id))
    db.session.add(EvaluationAnswer(visit_id=visit.id, usefulness=usefulness, change=change))
    bump(visit)


def answers_of(visit_ids) -> dict[int, list[Answer]]:
    """The answers given at each of the visits, by visit id."""
    found: dict[int, list[Answer]] = defaultdict(list)
    query = select(EvaluationAnswer.visit_id, EvaluationAnswer.usefulness, EvaluationAnswer.change).where(
        EvaluationAnswer.visit_id.in_(list(visit_ids)))
    for visit_id, usefulness, change in db.session.execute(query):
        found[visit_id].append(Answer(usefulness, change))
    return found


def summaries_of(visits: list[Visit]) -> list[tuple[Visit, Summary]]:
    """Each closed visit of ``visits`` with what may be shown of its answers."""
    closed = [v for v in visits if v.status == "closed"]
    answers = answers_of(v.id for v in closed)
    return [(v, summarise(answers[v.id])) for v in closed]


@dataclass(frozen=True)
class PairEvaluations:
    """A pair's closed visits with their answers as far as they may be shown, and the pair's as a whole."""

    names: tuple[str, ...]
    summary: Summary
    visits: tuple[tuple[Visit, Summary], ...]


def by_pair() -> list[PairEvaluations]:
    """Every pair that has closed a visit, by name; their visits newest first."""
    query = (select(Visit).join(Process).where(Visit.status == "closed")
             .options(selectinload(Visit.process).selectinload(Process.facilitators),
                      selectinload(Visit.process).selectinload(Process.workplace)))
    visits = list(db.session.scalars(query))
    answers = answers_of(v.id for v in visits)
    pairs: dict[tuple[int, ...], list[Visit]] = defaultdict(list)
    for visit in visits:
        pairs[tuple(sorted(a.id for a in visit.process.facilitators))].append(visit)
    found = []
    for held in pairs.values():
        held.sort(key=lambda v: (v.closed_at or datetime.min, v.id), reverse=True)
        found.append(PairEvaluations(
            names=tuple(a.name for a in held[0].process.facilitators),
            summary=pooled(answers[v.id] for v in held),
            visits=tuple((v, summarise(answers[v.id])) for v in held),
        ))
    return sorted(found, key=lambda pair: [name.casefold() for name in pair.names])
