"""One process's facts, who may do what with it, and its moves checked by kerne.processes.lifecycle."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from kerne.models import Process, ProcessRequest, User, WorkTask
from kerne.processes import lifecycle
from kerne.processes.lifecycle import ProcessFacts, TaskFacts, VisitFacts
from kerne.web.extensions import db
from kerne.web.scope import sees_unit
from kerne.web.vocabulary import REFUSALS


def request_of(process: Process) -> ProcessRequest | None:
    return db.session.scalar(select(ProcessRequest).where(ProcessRequest.process_id == process.id))


def tasks_of(process: Process) -> list[WorkTask]:
    """The work tasks still on the lists of the process's visits, in order."""
    visit_ids = [v.id for v in process.visits]
    query = select(WorkTask).where(WorkTask.visit_id.in_(visit_ids), WorkTask.removed.is_(False))
    return list(db.session.scalars(query.order_by(WorkTask.visit_id, WorkTask.position, WorkTask.id)))


def task_facts(task: WorkTask) -> TaskFacts:
    return TaskFacts(task.decision, task.owner, task.deadline, task.follow_up_on, task.follow_up_mark)


def facts_of(process: Process, tasks: list[WorkTask] | None = None) -> ProcessFacts:
    request = request_of(process)
    drafts = [v.draft for v in process.visits if v.draft is not None and v.draft.core_task.strip()]
    return ProcessFacts(
        request_status=request.status if request is not None else None, has_process=True,
        cancelled=process.cancelled_at is not None,
        visits=tuple(VisitFacts(v.number, v.status, v.scheduled_on) for v in process.visits),
        core_task_written=bool(drafts), core_task_locked=any(d.locked_at is not None for d in drafts),
        tasks=tuple(task_facts(t) for t in (tasks if tasks is not None else tasks_of(process))),
    )


def may_see(user: User, process: Process) -> bool:
    """The coordinator, the pair, and leaders whose units hold the workplace."""
    return (user.has_role("coordinator") or process.is_facilitated_by(user)
            or (user.has_role("leader") and sees_unit(user, process.workplace_id)))


def may_cancel(user: User, process: Process) -> bool:
    return user.has_role("coordinator") or (user.has_role("leader") and sees_unit(user, process.workplace_id))


def may_lock(user: User, process: Process) -> bool:
    return user.has_role("coordinator") or process.is_facilitated_by(user)


def may_read_evaluations(user: User, process: Process) -> bool:
    """The pair reads what the rooms said of their visits, the coordinator every pair's; leaders and the
    workplace do not (kerne.processes.evaluation decides how much of it anyone sees)."""
    return user.has_role("coordinator") or process.is_facilitated_by(user)


def visible_process(process_id: int, check=may_see) -> Process:
    """The process, or 404 when it does not exist or is outside what ``current_user`` may see (so ids
    cannot be counted), and 403 when they see it but ``check`` does not let them do this."""
    process = db.session.get(Process, process_id)
    if process is None or not may_see(current_user, process):
        abort(404)
    if not check(current_user, process):
        abort(403)
    return process


def refuse_unless_allowed(move: str, facts: ProcessFacts, task: TaskFacts | None = None, reason: str = "") -> None:
    """Answer 409 with the Danish reason when the lifecycle refuses ``move``."""
    code = lifecycle.refusal(move, facts, task, reason)
    if code is not None:
        abort(409, str(REFUSALS[code]))
