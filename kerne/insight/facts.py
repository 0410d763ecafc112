"""The facts behind the dashboard, its lists and the exports, read in a fixed number of
queries (never one per row) and limited to what the person may see (kerne.web.scope)."""
import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, or_, select

from kerne.insight.statistics import AmbassadorFacts, Case, Organisation, Unit
from kerne.models import (
    Ambassador,
    CoreTaskDraft,
    OrgUnit,
    Participant,
    Process,
    ProcessFacilitator,
    ProcessRequest,
    User,
    Visit,
    WorkTask,
)
from kerne.processes.lifecycle import ProcessFacts, TaskFacts, VisitFacts
from kerne.web.extensions import db
from kerne.web.scope import unit_filter, visible_unit_ids


@dataclass(frozen=True)
class TaskRow:
    """A work task as the lists and exports show it."""

    id: int
    process_id: int
    facts: TaskFacts
    title: str = ""
    rationale: str = ""
    note: str = ""
    followed_up_at: datetime | None = None


@dataclass
class World:
    """Everything one person may see, as plain data."""

    today: date
    units: list[Unit]
    organisation: Organisation
    cases: list[Case]
    ambassadors: list[AmbassadorFacts]
    tasks: list[TaskRow]
    names: dict[int, str]  # ambassador id → name, for every facilitator of a visible process
    visit_days: dict[int, dict[int, date | None]]  # process id → visit number → day
    # case key → the request's contact, target groups and why it was cancelled (see Case.key)
    requests: dict[str, dict] = field(default_factory=dict)
    core_tasks: dict[int, str] = field(default_factory=dict)  # process id → the locked wording, with texts

    def case_of(self, process_id: int) -> Case | None:
        return self._by_process().get(process_id)

    def _by_process(self) -> dict[int, Case]:
        if not hasattr(self, "_cases_by_process"):
            self._cases_by_process = {c.process_id: c for c in self.cases if c.process_id is not None}
        return self._cases_by_process

    def unit_name(self, unit_id: int | None) -> str:
        unit = self.organisation.units.get(unit_id)
        return unit.name if unit else ""


def _rows(statement):
    """Run a select of plain columns as Core: thousands of rows without the ORM's per-row work."""
    return db.session.connection().execute(statement).all()


def own_processes(user: User):
    """The ids of the processes ``user`` facilitates, as a subquery."""
    return (select(ProcessFacilitator.process_id).join(Ambassador, Ambassador.id == ProcessFacilitator.ambassador_id)
            .where(Ambassador.user_id == user.id))


@contextmanager
def gc_paused():
    """Reading the facts builds tens of thousands of small objects, none of them in a reference
    cycle; the cyclic garbage collector would otherwise run over the whole heap again and again
    while they are made (it more than doubled the dashboard's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(user: User, today: date, texts: bool = False, own: bool = False, task_rows: bool = True) -> World:
    """The world as ``user`` may see it: the processes of their units (kerne.web.scope), and with ``own``
    also those they facilitate. ``texts`` adds titles, notes and core-task wordings for lists and exports;
    without ``task_rows`` (the dashboard) the tasks are only facts of their processes."""
    with gc_paused():
        return _load(user, today, texts, own, task_rows)


def _load(user: User, today: date, texts: bool, own: bool, task_rows: bool) -> World:
    visible = visible_unit_ids(user)
    in_scope = unit_filter(user, Process.workplace_id)
    extra_units: set[int] = set()
    if own and visible is not None:
        in_scope = or_(in_scope, Process.id.in_(own_processes(user)))
        mine = db.session.scalars(select(Process.workplace_id).where(Process.id.in_(own_processes(user)))).all()
        extra_units = set(mine)
    all_units = _rows(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.parent_id))
    if extra_units:  # the workplaces of one's own processes, with the department and area above them
        parents = {row[0]: row[3] for row in all_units}
        for unit_id in list(extra_units):
            while parents.get(unit_id) is not None:
                unit_id = parents[unit_id]
                extra_units.add(unit_id)
    units = [Unit(*row) for row in all_units if visible is None or row[0] in visible or row[0] in extra_units]

    visits = defaultdict(list)
    visit_days = defaultdict(dict)
    participants = defaultdict(list)
    people = dict(_rows(select(Participant.visit_id, func.count()).group_by(Participant.visit_id)))
    for visit_id, process_id, number, status, day in _rows(
        select(Visit.id, Visit.process_id, Visit.number, Visit.status, Visit.scheduled_on)
        .join(Process, Process.id == Visit.process_id).where(in_scope).order_by(Visit.process_id, Visit.number)
    ):
        visits[process_id].append(VisitFacts(number, status, day))
        visit_days[process_id][number] = day
        if status == "closed":
            participants[process_id].append((number, people.get(visit_id, 0)))

    written, locked_on = set(), {}
    core_tasks = {}
    draft_columns = [Visit.process_id, func.length(func.trim(CoreTaskDraft.core_task)) > 0, CoreTaskDraft.locked_at]
    if texts:
        draft_columns.append(CoreTaskDraft.core_task)
    for process_id, has_text, locked_at, *text in _rows(
        select(*draft_columns).join(Visit, Visit.id == CoreTaskDraft.visit_id)
        .join(Process, Process.id == Visit.process_id).where(in_scope).order_by(Visit.number)
    ):
        if has_text:
            written.add(process_id)
            if locked_at is not None:
                locked_on[process_id] = locked_at.date()
                if text:
                    core_tasks[process_id] = text[0]

    # Only decided tasks: the undecided ones change no state and no figure.
    task_columns = [WorkTask.id, Visit.process_id, WorkTask.decision, WorkTask.owner, WorkTask.deadline,
                    WorkTask.follow_up_on, WorkTask.follow_up_mark, WorkTask.followed_up_at]
    if texts:
        task_columns += [WorkTask.title, WorkTask.rationale, WorkTask.follow_up_note]
    tasks, by_process = [], defaultdict(list)
    for task_id, process_id, decision, owner, deadline, follow_up_on, mark, marked_at, *extra in _rows(
        select(*task_columns).join(Visit, Visit.id == WorkTask.visit_id).join(Process, Process.id == Visit.process_id)
        .where(in_scope, WorkTask.removed.is_(False), WorkTask.decision != "undecided")
        .order_by(*((Visit.process_id, Visit.number, WorkTask.position, WorkTask.id) if task_rows else ()))
    ):
        facts = TaskFacts(decision, owner, deadline, follow_up_on, mark)
        by_process[process_id].append((facts, marked_at))
        if task_rows:
            title, rationale, note = extra or ("", "", "")
            tasks.append(TaskRow(task_id, process_id, facts, title, rationale, note, marked_at))

    facilitators, names = defaultdict(list), {}
    for process_id, ambassador_id, name in () if not task_rows else _rows(
        select(ProcessFacilitator.process_id, Ambassador.id, Ambassador.name)
        .join(Ambassador, Ambassador.id == ProcessFacilitator.ambassador_id)
        .join(Process, Process.id == ProcessFacilitator.process_id).where(in_scope).order_by(Ambassador.name)
    ):
        facilitators[process_id].append(ambassador_id)
        names[ambassador_id] = name

    request_columns = [ProcessRequest.id, ProcessRequest.workplace_id, ProcessRequest.status,
                       ProcessRequest.created_at, ProcessRequest.process_id, ProcessRequest.contact_name,
                       ProcessRequest.contact_email, ProcessRequest.target_groups, ProcessRequest.cancel_reason]
    request_of, waiting, requests = {}, [], {}
    request_scope = unit_filter(user, ProcessRequest.workplace_id)
    if own and visible is not None:
        request_scope = or_(request_scope, ProcessRequest.process_id.in_(own_processes(user)))
    for row in _rows(select(*request_columns[:5 if not texts else None]).where(request_scope)
                     .order_by(ProcessRequest.id)):
        process_id = row[4]
        if process_id is not None:
            request_of[process_id] = row
        else:
            waiting.append(row)
        if texts:
            requests[f"p{process_id}" if process_id else f"r{row.id}"] = {
                "contact_name": row.contact_name, "contact_email": row.contact_email,
                "target_groups": row.target_groups, "cancel_reason": row.cancel_reason, "request_id": row.id}

    cases = []
    for process_id, workplace_id, created_at, cancelled_at, target_groups, cancel_reason in _rows(
        select(Process.id, Process.workplace_id, Process.created_at, Process.cancelled_at, Process.target_groups,
               Process.cancel_reason).where(in_scope).order_by(Process.id)
    ):
        request = request_of.get(process_id)
        own_tasks = by_process.get(process_id, ())
        facts = ProcessFacts(request.status if request is not None else None, True, cancelled_at is not None,
                             tuple(visits[process_id]), process_id in written, process_id in locked_on,
                             tuple([t for t, _at in own_tasks]))
        marks = [at for t, at in own_tasks if t.mark and at is not None]
        cases.append(Case(
            f"p{process_id}", workplace_id, (request.created_at if request is not None else created_at).date(),
            facts, process_id, tuple(facilitators[process_id]), tuple(participants[process_id]),
            locked_on.get(process_id), max(marks).date() if marks else None,
        ))
        if texts:
            entry = requests.setdefault(f"p{process_id}", {"contact_name": "", "contact_email": "", "request_id": None})
            entry.update(target_groups=target_groups, cancel_reason=cancel_reason)
    for row in waiting:
        facts = ProcessFacts(request_status=row.status, has_process=False)
        cases.append(Case(key=f"r{row.id}", workplace_id=row.workplace_id, requested_on=row.created_at.date(),
                          facts=facts))

    ambassadors = _ambassadors(user)
    return World(today=today, units=units, organisation=Organisation(units), cases=cases, ambassadors=ambassadors,
                 tasks=tasks, names=names, visit_days=dict(visit_days), requests=requests, core_tasks=core_tasks)


def _ambassadors(user: User) -> list[AmbassadorFacts]:
    """The ambassadors of the units ``user`` sees, each with every process they facilitate, wherever it is."""
    in_scope = unit_filter(user, Ambassador.workplace_id)
    not_closed = (select(Visit.process_id, func.sum(case((Visit.status != "closed", 1), else_=0)).label("n"))
                  .group_by(Visit.process_id).subquery())
    processes = defaultdict(list)
    for ambassador_id, workplace_id, open_visits, cancelled in _rows(
        select(ProcessFacilitator.ambassador_id, Process.workplace_id, not_closed.c.n, Process.cancelled_at.is_not(None))
        .join(Process, Process.id == ProcessFacilitator.process_id)
        .join(not_closed, not_closed.c.process_id == Process.id)
        .join(Ambassador, Ambassador.id == ProcessFacilitator.ambassador_id).where(in_scope)
        .order_by(ProcessFacilitator.process_id)
    ):
        processes[ambassador_id].append((workplace_id, open_visits == 0, bool(cancelled)))
    return [
        AmbassadorFacts(id, name, workplace_id, active, capacity, tuple(processes[id]))
        for id, name, workplace_id, active, capacity in _rows(
            select(Ambassador.id, Ambassador.name, Ambassador.workplace_id, Ambassador.active, Ambassador.capacity)
            .where(in_scope).order_by(Ambassador.name))
    ]
