"""A visit's life: opened by its facilitators, stepped through, closed."""
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from kerne.models import CoreTaskDraft, PlaybookStep, Process, Visit, utcnow
from kerne.processes.playbook.versions import newest_id, steps_query
from kerne.web.extensions import db
from kerne.workshop.live import bump

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(select(Visit.id).where(Visit.join_code == code)) is None:
            return code


def find_by_code(code: str) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.join_code == code))


def code_works(visit, hours: int, now: datetime) -> bool:
    """A join code lets new phones in while its visit is open, for ``hours`` after it was issued.

    ``visit`` is a Visit or its board card (both have status and join_code_issued_at).
    """
    issued = visit.join_code_issued_at
    return visit.status == "open" and issued is not None and now < issued + timedelta(hours=hours)


def renew_join_code(visit: Visit) -> bool:
    """Give an open visit a new join code, for the phones that have not joined yet; joined phones stay in."""
    if visit.status != "open":
        return False
    visit.join_code = new_join_code()
    visit.join_code_issued_at = utcnow()
    bump(visit)
    return True


def steps_of(visit: Visit) -> list[PlaybookStep]:
    return list(db.session.scalars(steps_query(visit.number, visit.playbook_id)))


def current_step(visit: Visit, steps: list[PlaybookStep]) -> PlaybookStep | None:
    if not steps:
        return None
    return steps[min(max(visit.step_position, 1), len(steps)) - 1]


def open_visit(visit: Visit) -> bool:
    """Start the live workshop: a join code appears and phones can join."""
    if visit.status != "planned":
        return False
    visit.status = "open"
    visit.playbook_id = visit.playbook_id or newest_id()  # it keeps this version whatever is edited later
    visit.join_code = new_join_code()
    visit.opened_at = visit.step_started_at = visit.join_code_issued_at = utcnow()
    visit.step_position = 1
    if visit.draft is None:
        db.session.add(CoreTaskDraft(visit=visit))
    bump(visit)
    return True


def go_to_step(visit: Visit, position: int) -> bool:
    """Show step ``position`` on every screen; naming the target makes a double click harmless."""
    if position == visit.step_position:
        return False
    visit.step_position = position
    visit.step_started_at = utcnow()
    bump(visit)
    return True


def close_visit(visit: Visit) -> bool:
    """End the workshop: results stay with the process and the code stops working."""
    if visit.status != "open":
        return False
    visit.status = "closed"
    visit.closed_at = utcnow()
    bump(visit)
    return True


def core_task_unsettled(number: int, draft) -> bool:
    """Visit 1 exists to agree on the core task: closing it without a locked wording needs a second thought.

    ``draft`` is the visit's CoreTaskDraft or its board card (both have core_task and locked_at).
    """
    if number != 1:
        return False
    return draft is None or not draft.core_task.strip() or draft.locked_at is None


def next_visit(process_id: int, number: int) -> Visit | None:
    """The process's visit after ``number``, which a closed console offers to open."""
    query = select(Visit).where(Visit.process_id == process_id, Visit.number == number + 1)
    return db.session.scalar(query)


def set_dots_per_participant(visit: Visit, dots: int) -> bool:
    if visit.dots_per_participant == dots:
        return False
    visit.dots_per_participant = dots
    bump(visit)
    return True


def set_locked(visit: Visit, locked: bool) -> bool:
    """Lock (or unlock) the agreed core-task wording."""
    draft = visit.draft
    if draft is None or (draft.locked_at is not None) == locked:
        return False
    draft.locked_at = utcnow() if locked else None
    bump(visit)
    return True


def core_task_of(process: Process) -> CoreTaskDraft | None:
    """The process's core-task wording: the locked one if any, else the latest written."""
    drafts = [v.draft for v in process.visits if v.draft is not None and v.draft.core_task]
    locked = [d for d in drafts if d.locked_at is not None]
    return (locked or drafts or [None])[-1]
