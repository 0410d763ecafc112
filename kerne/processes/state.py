"""Processes as the database holds them, read in a fixed number of queries whatever their number; their
facts (kerne.processes.lifecycle); who may do what with one, and its moves checked by the lifecycle.

``read`` is the one reader of processes: the process page, the front page, the dashboard, the lists and
the exports all take a process's facts from it, and its state from ``lifecycle.state``, so no two pages
can show one process in two states."""
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from kerne.models import CoreTaskDraft, Process, ProcessRequest, User, Visit, WorkTask
from kerne.processes import lifecycle
from kerne.processes.lifecycle import ProcessFacts, TaskFacts, VisitFacts
from kerne.web.extensions import db
from kerne.web.scope import sees_unit
from kerne.web.vocabulary import REFUSALS


@dataclass(slots=True)
class VisitRow:
    id: int
    number: int
    status: str
    day: date | None
    agreed: bool  # the pair and the workplace agreed its day and time (else it has the request's window)
    opened_at: datetime | None
    closed_at: datetime | None


@dataclass(slots=True)
class TaskRow:
    """A decided work task as the lists and exports show it."""

    id: int
    process_id: int
    facts: TaskFacts
    title: str = ""
    rationale: str = ""
    note: str = ""
    followed_up_at: datetime | None = None  # when it was first marked: a corrected note does not move it


@dataclass
class ProcessRow:
    """One process as plain data: its columns, request, visits, locked wording and decided tasks, and its facts."""

    id: int
    workplace_id: int
    created_at: datetime
    cancelled_at: datetime | None
    target_groups: str
    cancel_reason: str
    request: object | None = None  # the request's row (id, status, created_at, contact, target groups, reason)
    visits: list[VisitRow] = field(default_factory=list)
    drafts: list[tuple[str, bool]] = field(default_factory=list)  # (wording, locked) of its visits
    core_task: str = ""  # the locked wording
    locked_at: datetime | None = None
    tasks: list[TaskRow] = field(default_factory=list)

    @cached_property
    def facts(self) -> ProcessFacts:
        return lifecycle.facts_of(
            self.request.status if self.request is not None else None, self.cancelled_at is not None,
            [VisitFacts(v.number, v.status, v.day) for v in self.visits], self.drafts, [t.facts for t in self.tasks])


def rows(statement):
    """Run a select of plain columns as Core: thousands of rows without the ORM's per-row work."""
    return db.session.connection().execute(statement).all()


REQUEST_COLUMNS = (ProcessRequest.id, ProcessRequest.workplace_id, ProcessRequest.status, ProcessRequest.created_at,
                   ProcessRequest.process_id, ProcessRequest.contact_name, ProcessRequest.contact_email,
                   ProcessRequest.target_groups, ProcessRequest.cancel_reason)


def read(where, texts: bool = False) -> dict[int, ProcessRow]:
    """Every process ``where`` (a clause on Process) holds, by id, in five queries. ``texts`` adds the
    tasks' titles, reasons and notes, with the tasks in their order (the lists show them)."""
    db.session.flush()  # what this request changed counts
    found = {row[0]: ProcessRow(*row) for row in rows(
        select(Process.id, Process.workplace_id, Process.created_at, Process.cancelled_at, Process.target_groups,
               Process.cancel_reason).where(where).order_by(Process.id))}
    for row in rows(select(*REQUEST_COLUMNS).join(Process, Process.id == ProcessRequest.process_id).where(where)
                     .order_by(ProcessRequest.id)):
        found[row.process_id].request = row
    for visit_id, process_id, number, status, day, agreed, opened, closed in rows(
        select(Visit.id, Visit.process_id, Visit.number, Visit.status, Visit.scheduled_on, Visit.starts.is_not(None),
               Visit.opened_at, Visit.closed_at)
        .join(Process, Process.id == Visit.process_id).where(where).order_by(Visit.process_id, Visit.number)
    ):
        found[process_id].visits.append(VisitRow(visit_id, number, status, day, agreed, opened, closed))
    for process_id, text, locked_at in rows(
        select(Visit.process_id, CoreTaskDraft.core_task, CoreTaskDraft.locked_at)
        .join(Visit, Visit.id == CoreTaskDraft.visit_id).join(Process, Process.id == Visit.process_id)
        .where(where).order_by(Visit.number)
    ):
        process = found[process_id]
        process.drafts.append((text, locked_at is not None))
        if locked_at is not None and lifecycle.written(text):
            process.core_task, process.locked_at = text, locked_at
    columns = [WorkTask.id, Visit.process_id, WorkTask.decision, WorkTask.owner, WorkTask.deadline,
               WorkTask.follow_up_on, WorkTask.follow_up_mark, WorkTask.followed_up_at]
    if texts:
        columns += [WorkTask.title, WorkTask.rationale, WorkTask.follow_up_note]
    # Only decided tasks: the undecided ones change no state and no figure.
    for task_id, process_id, decision, owner, deadline, follow_up_on, mark, marked_at, *extra in rows(
        select(*columns).join(Visit, Visit.id == WorkTask.visit_id).join(Process, Process.id == Visit.process_id)
        .where(where, WorkTask.removed.is_(False), WorkTask.decision != "undecided")
        .order_by(*((Visit.process_id, Visit.number, WorkTask.position, WorkTask.id) if texts else ()))
    ):
        title, rationale, note = extra or ("", "", "")
        found[process_id].tasks.append(TaskRow(task_id, process_id, TaskFacts(decision, owner, deadline, follow_up_on,
                                                                                mark), title, rationale, note, marked_at))
    return found


def request_of(process: Process) -> ProcessRequest | None:
    return db.session.scalar(select(ProcessRequest).where(ProcessRequest.process_id == process.id))


def tasks_of(process: Process) -> list[WorkTask]:
    """The work tasks still on the lists of the process's visits, in order."""
    visit_ids = [v.id for v in process.visits]
    query = select(WorkTask).where(WorkTask.visit_id.in_(visit_ids), WorkTask.removed.is_(False))
    return list(db.session.scalars(query.order_by(WorkTask.visit_id, WorkTask.position, WorkTask.id)))


def task_facts(task: WorkTask) -> TaskFacts:
    return TaskFacts(task.decision, task.owner, task.deadline, task.follow_up_on, task.follow_up_mark)


def facts_of(process: Process) -> ProcessFacts:
    """The facts of one process, read as every other page reads them."""
    return read(Process.id == process.id)[process.id].facts


def states_of(where) -> dict[int, str]:
    """The state of every process ``where`` holds, by id."""
    return {process_id: lifecycle.state(row.facts) for process_id, row in read(where).items()}


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
