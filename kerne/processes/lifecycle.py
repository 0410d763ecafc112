"""A process's lifecycle, derived from what happened. Pure: no Flask, no database.

requested → pair confirmed → visit 1 → core task defined → visit 2 → tasks decided
→ follow-up → completed, or cancelled with a reason. Only cancelling is stored as a
state; every other state is read off the data (the visits, the locked wording, the
decisions, the follow-up marks), so the state can never contradict them.

The moves people make are checked here too: ``refusal`` answers None when a move is
allowed, else a code that ``kerne.web.vocabulary.REFUSALS`` says in Danish.
"""
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

STATES = ("requested", "pair_confirmed", "visit1", "core_task_defined", "visit2", "tasks_decided", "follow_up",
          "completed", "cancelled")
# The states a process passes through when nothing goes wrong, in order.
ROAD = STATES[:-1]
MARKS = ("done", "changed", "dropped")
MOVES = ("confirm_pair", "cancel_request", "open_visit1", "open_visit2", "schedule_visit1", "schedule_visit2",
         "lock_core_task", "unlock_core_task", "word_core_task", "plan_task", "mark_task", "plan_meeting", "cancel")


@dataclass(frozen=True)
class VisitFacts:
    number: int
    status: str  # planned, open, closed
    scheduled_on: date | None = None


@dataclass(frozen=True)
class TaskFacts:
    decision: str = "undecided"
    owner: str = ""
    deadline: date | None = None
    follow_up_on: date | None = None
    mark: str | None = None

    @property
    def decided(self) -> bool:
        return self.decision != "undecided"

    @property
    def planned(self) -> bool:
        """Every decided task has an owner, a deadline and a follow-up date."""
        return bool(self.owner.strip()) and self.deadline is not None and self.follow_up_on is not None


@dataclass(frozen=True)
class ProcessFacts:
    """What happened to one request and its process, as plain data."""

    request_status: str | None = "open"  # open, planned, cancelled; None for a process made without a request
    has_process: bool = False
    cancelled: bool = False
    visits: tuple[VisitFacts, ...] = ()
    core_task_written: bool = False
    core_task_locked: bool = False
    tasks: tuple[TaskFacts, ...] = ()  # the decided work tasks still on the list (the others change no state)

    def visit(self, number: int) -> VisitFacts | None:
        for visit in self.visits:
            if visit.number == number:
                return visit
        return None

    def begun(self, number: int) -> bool:
        visit = self.visit(number)
        return visit is not None and visit.status != "planned"

    def held(self, number: int) -> bool:
        visit = self.visit(number)
        return visit is not None and visit.status == "closed"

    @cached_property
    def decided(self) -> tuple[TaskFacts, ...]:
        return tuple([t for t in self.tasks if t.decision != "undecided"])

    @property
    def running(self) -> bool:
        return any(v.status == "open" for v in self.visits)


def written(core_task: str | None) -> bool:
    """A core-task wording counts once it holds more than white space."""
    return bool((core_task or "").strip())


def facts_of(request_status: str | None, cancelled: bool, visits, drafts, tasks) -> ProcessFacts:
    """A process's facts from what the database holds: ``drafts`` are (wording, locked) of its visits,
    ``tasks`` its work tasks still on the list. Every reader of processes builds its facts here, so no
    page can derive another state than the next."""
    drafts = [locked for text, locked in drafts if written(text)]
    return ProcessFacts(request_status, True, cancelled, tuple(visits), bool(drafts), any(drafts),
                        tuple([t for t in tasks if t.decision != "undecided"]))


def state(facts: ProcessFacts) -> str:
    """The state the data shows: the one function every page, list and export reads a state from."""
    if facts.cancelled or facts.request_status == "cancelled":
        return "cancelled"
    if not facts.has_process:
        return "requested"
    if not facts.begun(1):
        return "pair_confirmed"
    if not facts.core_task_locked:
        return "visit1"
    if not facts.begun(2):
        return "core_task_defined"
    decided = facts.decided
    if not facts.held(2) or not decided:
        return "visit2"
    if not all(t.planned for t in decided):
        return "tasks_decided"
    if not all(t.mark for t in decided):
        return "follow_up"
    return "completed"


def reached(facts: ProcessFacts) -> str:
    """The furthest state on the road: for a cancelled process, where it was when cancelled."""
    return state(replace(facts, cancelled=False, request_status="planned" if facts.has_process else "open"))


def timeline(facts: ProcessFacts) -> list[tuple[str, str]]:
    """Each state of the road with ``done``, ``current`` or ``ahead``; cancelled stops the road."""
    now = state(facts)
    last = reached(facts)
    steps = []
    for each in ROAD:
        if ROAD.index(each) < ROAD.index(last) or (each == last and last == "completed"):
            steps.append((each, "done"))
        elif each == last and now != "cancelled":
            steps.append((each, "current"))
        else:
            steps.append((each, "ahead"))
    if now == "cancelled":
        steps.append(("cancelled", "current"))
    return steps


def refusal(move: str, facts: ProcessFacts, task: TaskFacts | None = None, reason: str = "") -> str | None:
    """None when ``move`` is allowed now, else the code of why not."""
    now = state(facts)
    if move == "confirm_pair":
        return None if now == "requested" else ("cancelled" if now == "cancelled" else "already_planned")
    if move == "cancel_request":
        if now == "cancelled":
            return "already_cancelled"
        if now != "requested":
            return "already_planned"
        return None if reason.strip() else "reason_missing"
    if now == "cancelled":
        return "already_cancelled" if move == "cancel" else "cancelled"
    if not facts.has_process:
        return "not_planned"
    if move == "cancel":
        if now == "completed":
            return "completed"
        if facts.running:
            return "visit_open"
        return None if reason.strip() else "reason_missing"
    if move in ("open_visit1", "open_visit2"):
        number = int(move[-1])
        visit = facts.visit(number)
        if visit is None or visit.status != "planned":
            return "visit_not_planned"
        if number == 2 and not facts.core_task_locked:
            return "core_task_not_locked"
        return None
    if move in ("schedule_visit1", "schedule_visit2"):  # agree (or move) the day and time of a visit not begun
        visit = facts.visit(int(move[-1]))
        return "visit_not_planned" if visit is None or visit.status != "planned" else None
    if move == "lock_core_task":
        if facts.core_task_locked:
            return "core_task_locked"
        if not facts.begun(1):
            return "visit1_not_begun"
        return None if facts.core_task_written else "core_task_empty"
    if move == "word_core_task":  # the pair finishes the wording after visit 1, when the room did not
        if facts.core_task_locked:
            return "core_task_locked"
        return None if facts.held(1) else "visit1_not_held"
    if move == "unlock_core_task":
        if not facts.core_task_locked:
            return "core_task_not_locked"
        return "visit2_begun" if facts.begun(2) else None
    if move in ("plan_task", "mark_task", "plan_meeting"):
        if not facts.held(2):
            return "visit2_not_held"
        if move == "plan_meeting":
            return "completed" if now == "completed" else None
        if move == "plan_task":
            return "task_marked" if task is not None and task.mark else None
        if task is None or not task.decided:
            return "task_undecided"
        return None if task.planned else "task_unplanned"
    raise ValueError(move)


def allowed(facts: ProcessFacts, task: TaskFacts | None = None, reason: str = "") -> set[str]:
    """Every move that is allowed now (for a given task and reason)."""
    return {move for move in MOVES if refusal(move, facts, task, reason) is None}
