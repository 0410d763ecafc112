"""Each ambassador's two commitments: a process at their own workplace and one
at another workplace, each met (the process is done), planned, or open."""
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne.insight.statistics import Commitments, commitments
from kerne.models import Ambassador, Process
from kerne.web.clock import today
from kerne.web.extensions import db


def commitments_of(ambassador: Ambassador) -> Commitments:
    """The rule is kerne.insight.statistics.commitments; cancelled processes do not count."""
    return commitments(ambassador.workplace_id, [(p.workplace_id, p.status == "done", p.cancelled_at is not None)
                                                 for p in ambassador.processes])


def season_load(ambassador: Ambassador, year: int | None = None) -> int:
    """Processes this season (the calendar year): those not done, and those done this year."""
    year = year or today().year
    count = 0
    for process in ambassador.processes:
        first = min((v.scheduled_on for v in process.visits if v.scheduled_on), default=None)
        if process.cancelled_at is not None:
            continue
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
    return list(db.session.scalars(query.order_by(Ambassador.name, Ambassador.id)))


def totals(ambassadors: list[Ambassador]) -> dict[str, Counter]:
    """How many ambassadors have each commitment met, planned or open."""
    own, other = Counter(), Counter()
    for ambassador in ambassadors:
        state = commitments_of(ambassador)
        own[state.own] += 1
        other[state.other] += 1
    return {"own": own, "other": other}
