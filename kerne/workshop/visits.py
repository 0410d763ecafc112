"""A visit's life: opened by its facilitators, stepped through, closed."""
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from kerne.models import CoreTaskDraft, PlaybookStep, Process, Visit, WorkTask, utcnow
from kerne.processes import lifecycle
from kerne.processes.playbook.versions import newest_id, steps_query
from kerne.processes.state import facts_of
from kerne.web.extensions import db
from kerne.workshop import room
from kerne.workshop.live import bump
from kerne.workshop.room import Timer
from kerne.workshop.tasks import tasks_of

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
    visit.opened_at = visit.join_code_issued_at = utcnow()
    visit.step_position = 1
    _new_step(visit)
    visit.code_shown = True  # the room starts on the join screen
    if visit.draft is None:
        db.session.add(CoreTaskDraft(visit=visit))
    bump(visit)
    return True


def _new_step(visit: Visit) -> None:
    """A step starts with its timer paused at the playbook's minutes, its results hidden, the join code in its
    corner and, on the decide and actions steps, the first task that needs the room in focus."""
    visit.timer_seconds, visit.timer_used, visit.timer_running_since = None, 0, None
    visit.results_shown = visit.code_shown = False
    visit.focus_task_id = _first_in_focus(visit)


def _first_in_focus(visit: Visit) -> int | None:
    """Chosen once, as the step begins: deciding the task in focus must not move the room on to the next."""
    step = current_step(visit, steps_of(visit))
    if step is None or step.activity not in room.FOCUS_ACTIVITIES:
        return None
    task = room.in_focus(room.focusable(tasks_of(visit), step.activity), None, step.activity)
    return task.id if task else None


def go_to_step(visit: Visit, position: int) -> bool:
    """Show step ``position`` on every screen; naming the target makes a double click harmless."""
    if position == visit.step_position:
        return False
    visit.step_position = position
    _new_step(visit)
    bump(visit)
    return True


def _set_timer(visit: Visit, timer: Timer) -> bool:
    if (timer.allotted, timer.used, timer.running_since) == (visit.timer_seconds, visit.timer_used,
                                                             visit.timer_running_since):
        return False
    visit.timer_seconds, visit.timer_used, visit.timer_running_since = timer.allotted, timer.used, timer.running_since
    bump(visit)
    return True


def run_timer(visit: Visit, minutes: int, running: bool, now: datetime) -> bool:
    """Start or pause the step's timer (``minutes``: the step's length in the playbook)."""
    timer = Timer.of(visit, minutes)
    return _set_timer(visit, timer.started(now) if running else timer.paused(now))


def lengthen_timer(visit: Visit, minutes: int, seconds: int) -> bool:
    """Allot the step ``seconds`` in all; the console's "+5 min" names the total, so a resend adds nothing."""
    return _set_timer(visit, Timer.of(visit, minutes).lengthened_to(seconds))


def set_focus(visit: Visit, task: WorkTask) -> bool:
    """Put ``task`` in front of the room; its votes stay hidden until the facilitators reveal them."""
    if visit.focus_task_id == task.id:
        return False
    visit.focus_task_id = task.id
    visit.results_shown = False
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


def why_not_open(visit: Visit) -> str | None:
    """Why ``visit`` cannot be opened now (a code kerne.web.vocabulary.REFUSALS says in Danish), or None."""
    return lifecycle.refusal(f"open_visit{visit.number}", facts_of(visit.process))


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
