"""Work tasks: listed, ordered, voted on and decided during the second visit."""
from sqlalchemy import func, select

from kerne.models import TaskVote, Visit, WorkTask
from kerne.web.extensions import db
from kerne.workshop.editing import record
from kerne.workshop.fields import TASK_FIELDS
from kerne.workshop.live import Actor, bump


def tasks_of(visit: Visit, removed: bool = False) -> list[WorkTask]:
    """The visit's tasks in list order; ``removed`` for the ones taken off the list."""
    query = select(WorkTask).where(WorkTask.visit_id == visit.id, WorkTask.removed.is_(removed))
    return list(db.session.scalars(query.order_by(WorkTask.position, WorkTask.id)))



def add_task(visit: Visit, actor: Actor, title: str, edit_id: str) -> None:
    """Add a task at the end of the list. A resend of one already added is recognised before this, in the view."""
    last = db.session.scalar(select(func.max(WorkTask.position)).where(WorkTask.visit_id == visit.id))
    task = WorkTask(visit_id=visit.id, title=title, position=(last or 0) + 1)
    db.session.add(task)
    db.session.flush()
    record(visit, actor, TASK_FIELDS["title"], task, title, "create", edit_id)
    bump(visit)


def move_task(visit: Visit, task: WorkTask, position: int) -> bool:
    """Move ``task`` to ``position`` (1-based) in the list; False if it is there already.

    Taking a target position rather than "one up" makes a resent move harmless.
    """
    ordered = tasks_of(visit)
    position = max(1, min(position, len(ordered)))
    if ordered.index(task) + 1 == position:
        return False
    ordered.remove(task)
    ordered.insert(position - 1, task)
    for number, each in enumerate(ordered, start=1):
        each.position = number
    bump(visit)
    return True


def vote(visit: Visit, participant_id: int, task: WorkTask, choice: str) -> bool:
    existing = db.session.get(TaskVote, (task.id, participant_id))
    if existing is not None and existing.choice == choice:
        return False
    if existing is None:
        db.session.add(TaskVote(task_id=task.id, participant_id=participant_id, choice=choice))
    else:
        existing.choice = choice
    bump(visit)
    return True
