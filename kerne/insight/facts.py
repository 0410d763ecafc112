"""The facts behind the dashboard, its lists and the exports, read in a fixed number of queries
(never one per row) and limited to what the person may see (kerne.web.scope). Processes come from
kerne.processes.state.read, the reader every page shares; stored times become the municipality's
dates here (kerne.web.clock), before anything is counted by day or month."""
import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, or_, select

from kerne.insight.statistics import AmbassadorFacts, Case, ConversationFacts, Organisation, Unit
from kerne.models import (
    Ambassador,
    Conversation,
    OrgUnit,
    Participant,
    Process,
    ProcessFacilitator,
    ProcessRequest,
    User,
    Visit,
)
from kerne.processes import lifecycle, state
from kerne.processes.lifecycle import ProcessFacts
from kerne.processes.state import REQUEST_COLUMNS, TaskRow
from kerne.web.clock import local_dates
from kerne.web.extensions import db
from kerne.web.scope import unit_filter, visible_unit_ids


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
    conversations: list[ConversationFacts] = field(default_factory=list)

    def case_of(self, process_id: int) -> Case | None:
        return self._by_process().get(process_id)

    def _by_process(self) -> dict[int, Case]:
        if not hasattr(self, "_cases_by_process"):
            self._cases_by_process = {c.process_id: c for c in self.cases if c.process_id is not None}
        return self._cases_by_process

    def unit_name(self, unit_id: int | None) -> str:
        unit = self.organisation.units.get(unit_id)
        return unit.name if unit else ""


_rows = state.rows


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


def _entered(process: state.ProcessRow, now: str) -> datetime | None:
    """When the data shows the process entered the state it is in (kerne.insight.statistics.Case.since)."""
    if now == "pair_confirmed":
        return process.created_at
    if now == "core_task_defined":
        return process.locked_at
    number = {"visit1": 1, "visit2": 2, "tasks_decided": 2}.get(now)
    visit = next((v for v in process.visits if v.number == number), None) if number else None
    if visit is None:
        return None
    return visit.closed_at if now == "tasks_decided" else visit.opened_at


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

    processes = state.read(in_scope, texts=texts)
    people = dict(_rows(select(Participant.visit_id, func.count()).group_by(Participant.visit_id)))

    facilitators, names = defaultdict(list), {}
    for process_id, ambassador_id, name in () if not task_rows else _rows(
        select(ProcessFacilitator.process_id, Ambassador.id, Ambassador.name)
        .join(Ambassador, Ambassador.id == ProcessFacilitator.ambassador_id)
        .join(Process, Process.id == ProcessFacilitator.process_id).where(in_scope).order_by(Ambassador.name)
    ):
        facilitators[process_id].append(ambassador_id)
        names[ambassador_id] = name

    request_scope = unit_filter(user, ProcessRequest.workplace_id)
    columns = REQUEST_COLUMNS if texts else REQUEST_COLUMNS[:5]
    waiting = _rows(select(*columns).where(request_scope, ProcessRequest.process_id.is_(None))
                    .order_by(ProcessRequest.id))

    local = local_dates()
    cases, tasks, visit_days, requests, core_tasks = [], [], {}, {}, {}
    for process in processes.values():
        request = process.request
        marks = [t.followed_up_at for t in process.tasks if t.facts.mark and t.followed_up_at is not None]
        now = lifecycle.state(process.facts)
        cases.append(Case(
            f"p{process.id}", process.workplace_id, local(request.created_at if request else process.created_at),
            process.facts, process.id, tuple(facilitators[process.id]),
            tuple([(v.number, people.get(v.id, 0)) for v in process.visits if v.status == "closed"]),
            local(process.locked_at), local(max(marks)) if marks else None, local(process.cancelled_at),
            local(_entered(process, now)), sum(1 for v in process.visits if v.status == "planned" and not v.agreed),
            now,
        ))
        visit_days[process.id] = {v.number: v.day for v in process.visits}
        if task_rows:
            tasks.extend(process.tasks)
        if texts:
            core_tasks[process.id] = process.core_task
            requests[f"p{process.id}"] = {
                "contact_name": request.contact_name if request else "",
                "contact_email": request.contact_email if request else "",
                "request_id": request.id if request else None,
                "target_groups": process.target_groups, "cancel_reason": process.cancel_reason}
    for row in waiting:
        facts = ProcessFacts(request_status=row.status, has_process=False)
        cases.append(Case(key=f"r{row.id}", workplace_id=row.workplace_id, requested_on=local(row.created_at),
                          facts=facts))
        if texts:
            requests[f"r{row.id}"] = {"contact_name": row.contact_name, "contact_email": row.contact_email,
                                      "target_groups": row.target_groups, "cancel_reason": row.cancel_reason,
                                      "request_id": row.id}

    return World(today=today, units=units, organisation=Organisation(units), cases=cases,
                 ambassadors=_ambassadors(user), tasks=tasks, names=names, visit_days=visit_days, requests=requests,
                 core_tasks=core_tasks, conversations=_conversations(user))


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


def _conversations(user: User) -> list[ConversationFacts]:
    """The talks across units that touch a unit ``user`` sees."""
    touching = or_(unit_filter(user, Conversation.from_unit_id), unit_filter(user, Conversation.to_unit_id))
    local = local_dates()
    return [ConversationFacts(id, from_unit, to_unit, status, local(proposed_at))
            for id, from_unit, to_unit, status, proposed_at in _rows(
                select(Conversation.id, Conversation.from_unit_id, Conversation.to_unit_id, Conversation.status,
                       Conversation.proposed_at).where(touching).order_by(Conversation.id))]
