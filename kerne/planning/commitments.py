"""Each ambassador's two commitments: a process at their own workplace and one
at another workplace, each met (the process is done), planned, or open."""
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Ambassador, Process

STATES = ("met", "planned", "open")


@dataclass(frozen=True)
class Commitments:
    own: str
    other: str

    @property
    def complete(self) -> bool:
        return self.own != "open" and self.other != "open"


def commitments_of(ambassador: Ambassador) -> Commitments:
    own = other = "open"
    for process in ambassador.processes:
        state = "met" if process.status == "done" else "planned"
        if process.workplace_id == ambassador.workplace_id:
            own = _better(own, state)
        else:
            other = _better(other, state)
    return Commitments(own, other)


def _better(current: str, new: str) -> str:
    return min(current, new, key=STATES.index)


def season_load(ambassador: Ambassador, year: int | None = None) -> int:
    """Processes this season (the calendar year): those not done, and those done this year."""
    year = year or date.today().year
    count = 0
    for process in ambassador.processes:
        first = min((v.scheduled_on for v in process.visits if v.scheduled_on), default=None)
        if process.status != "done" or (first is not None and first.year >= year):
            count += 1
    return count


def all_ambassadors() -> list[Ambassador]:
    query = select(Ambassador).options(
        selectinload(Ambassador.processes).selectinload(Process.visits),
        selectinload(Ambassador.processes).selectinload(Process.facilitators),
        selectinload(Ambassador.unavailable),
        selectinload(Ambassador.workplace),
    )
    return list(db.session.scalars(query.order_by(Ambassador.name)))


def totals(ambassadors: list[Ambassador]) -> dict[str, Counter]:
    """How many ambassadors have each commitment met, planned or open."""
    own, other = Counter(), Counter()
    for ambassador in ambassadors:
        state = commitments_of(ambassador)
        own[state.own] += 1
        other[state.other] += 1
    return {"own": own, "other": other}
