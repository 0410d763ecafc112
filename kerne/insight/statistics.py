"""Every figure of the leaders' dashboard, computed from plain facts. Pure: no Flask, no database.

``kerne.insight.facts`` reads the facts in a fixed number of queries, limited to what the
person may see; ``compute`` turns them into the figures, and the lists behind the figures
filter the same facts with the same predicates (``case_filter``, ``task_filter``,
``ambassador_filter``), so a figure and its list always agree.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from statistics import median

from kerne.processes.lifecycle import STATES, ProcessFacts, TaskFacts, state

DECIDED = ("develop", "keep", "phase_out")
COMMITMENT_STATES = ("met", "planned", "open")
# A follow-up is due when its date is within this many days; overdue when it has passed.
DUE_WITHIN_DAYS = 14
MONTHS_SHOWN = 12
# Participants per visit, grouped for the chart: (label, lowest, highest).
PARTICIPATION_BUCKETS = (("0", 0, 0), ("1-5", 1, 5), ("6-10", 6, 10), ("11-20", 11, 20), ("21-40", 21, 40),
                         ("41+", 41, 10**9))


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind: str  # area, department, workplace
    parent_id: int | None


@dataclass(frozen=True)
class Case:
    """One request and the process made from it (or a process made without a request)."""

    key: str  # "p<process id>" or "r<request id>" while there is no process
    workplace_id: int
    requested_on: date
    facts: ProcessFacts
    process_id: int | None = None
    facilitator_ids: tuple[int, ...] = ()
    participants: tuple[tuple[int, int], ...] = ()  # (visit number, participants) of the visits held
    core_task_locked_on: date | None = None
    last_mark_on: date | None = None

    @cached_property
    def state(self) -> str:
        return state(self.facts)

    @property
    def completed_on(self) -> date | None:
        return self.last_mark_on if self.state == "completed" else None


@dataclass(frozen=True)
class AmbassadorFacts:
    id: int
    name: str
    workplace_id: int
    active: bool
    capacity: int
    # Every process they facilitate, wherever it is: (workplace id, held: both visits closed, cancelled).
    processes: tuple[tuple[int, bool, bool], ...] = ()


@dataclass(frozen=True)
class Commitments:
    own: str
    other: str

    @property
    def complete(self) -> bool:
        return self.own != "open" and self.other != "open"


def commitments(workplace_id: int, processes) -> Commitments:
    """An ambassador's two commitments – a process at their own workplace and one at another –
    each met (both visits held), planned, or open. Cancelled processes do not count."""
    own = other = "open"
    for process_workplace, held, cancelled in processes:
        if cancelled:
            continue
        found = "met" if held else "planned"
        if process_workplace == workplace_id:
            own = min(own, found, key=COMMITMENT_STATES.index)
        else:
            other = min(other, found, key=COMMITMENT_STATES.index)
    return Commitments(own, other)


class Organisation:
    """The units someone sees, with the area and department above each."""

    def __init__(self, units: list[Unit]):
        self.units = {u.id: u for u in units}
        self._lineage: dict[int, frozenset[int]] = {}
        self.children: dict[int | None, list[Unit]] = {}
        for unit in sorted(units, key=lambda u: u.name.casefold()):
            parent = unit.parent_id if unit.parent_id in self.units else None
            self.children.setdefault(parent, []).append(unit)

    def above(self, unit_id: int, kind: str) -> int | None:
        unit = self.units.get(unit_id)
        while unit is not None and unit.kind != kind:
            unit = self.units.get(unit.parent_id)
        return unit.id if unit is not None else None

    def lineage(self, unit_id: int) -> frozenset[int]:
        """The unit and every unit above it (worked out once per unit)."""
        if unit_id not in self._lineage:
            found, unit = set(), self.units.get(unit_id)
            while unit is not None:
                found.add(unit.id)
                unit = self.units.get(unit.parent_id)
            self._lineage[unit_id] = frozenset(found)
        return self._lineage[unit_id]

    def walk(self, parent: int | None = None, depth: int = 0):
        """(unit, depth) from the top, each unit followed by those below it."""
        for unit in self.children.get(parent, []):
            yield unit, depth
            yield from self.walk(unit.id, depth + 1)

    @property
    def workplaces(self) -> list[Unit]:
        return [u for u, _depth in self.walk() if u.kind == "workplace"]


# ---- the lists behind the figures ---------------------------------------------------

def case_filter(case: Case, organisation: Organisation, *, state: str | None = None, unit: int | None = None,
                requested: str | None = None, completed: str | None = None, ambassador: int | None = None,
                visit: int | None = None, participants: str | None = None, core_task: bool | None = None,
                held: int | None = None) -> bool:
    """Whether a case belongs to the list a figure links to."""
    if state and case.state != state:
        return False
    if unit and unit not in organisation.lineage(case.workplace_id):
        return False
    if requested and case.requested_on.strftime("%Y-%m") != requested:
        return False
    if completed and (case.completed_on is None or case.completed_on.strftime("%Y-%m") != completed):
        return False
    if ambassador and ambassador not in case.facilitator_ids:
        return False
    if core_task is not None and (case.facts.core_task_locked and case.state != "cancelled") != core_task:
        return False
    if held and not any(number == held for number, _n in case.participants):
        return False
    if participants:
        bucket = next((b for b in PARTICIPATION_BUCKETS if b[0] == participants), None)
        if bucket is None or not any((visit is None or number == visit) and bucket[1] <= n <= bucket[2]
                                     for number, n in case.participants):
            return False
    return True


def follow_up_of(task: TaskFacts, case: Case, today: date) -> str | None:
    """Where a decided task's follow-up stands: done, overdue, due (soon), later; None before it applies."""
    if case.state in ("cancelled", "requested") or not case.facts.held(2) or not task.decided:
        return None
    if task.mark:
        return "done"
    if task.follow_up_on is None:
        return None
    days = (task.follow_up_on - today).days
    return "overdue" if days < 0 else "due" if days <= DUE_WITHIN_DAYS else "later"


def task_filter(task: TaskFacts, case: Case, organisation: Organisation, today: date, *,
                decision: str | None = None, unit: int | None = None, follow_up: str | None = None) -> bool:
    if case.state == "cancelled":
        return False
    if decision and task.decision != decision:
        return False
    if unit and unit not in organisation.lineage(case.workplace_id):
        return False
    return not (follow_up and follow_up_of(task, case, today) != follow_up)


LOAD_BUCKETS = ("0", "1", "2", "3", "4+")


def load_of(ambassador: AmbassadorFacts) -> str:
    """How many processes (not cancelled) an ambassador facilitates, as a bucket of LOAD_BUCKETS."""
    n = sum(1 for _workplace, _held, cancelled in ambassador.processes if not cancelled)
    return LOAD_BUCKETS[min(n, len(LOAD_BUCKETS) - 1)]


def ambassador_filter(ambassador: AmbassadorFacts, organisation: Organisation, *, own: str | None = None,
                      other: str | None = None, unit: int | None = None, load: str | None = None) -> bool:
    state_now = commitments(ambassador.workplace_id, ambassador.processes)
    if own and state_now.own != own:
        return False
    if other and state_now.other != other:
        return False
    if load and load_of(ambassador) != load:
        return False
    return not (unit and unit not in organisation.lineage(ambassador.workplace_id))


# ---- the figures ---------------------------------------------------------------------

@dataclass
class UnitRow:
    unit: Unit
    depth: int
    states: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.states.values())


@dataclass
class Coverage:
    unit: Unit
    depth: int
    workplaces: int = 0
    defined: int = 0


@dataclass
class Participation:
    visit: int
    held: int
    participants: int
    average: float
    median: float
    most: int
    buckets: dict[str, int]


@dataclass
class Dashboard:
    today: date
    cases: int
    by_state: dict[str, int]
    by_unit: list[UnitRow]
    months: list[tuple[str, int, int]]  # (YYYY-MM, requested, completed)
    workplaces: int
    workplaces_defined: int
    coverage: list[Coverage]
    defined_workplaces: set[int]
    decisions: dict[str, int]
    decisions_by_department: list[tuple[Unit, dict[str, int]]]
    follow_ups: dict[str, int]  # due, overdue, done, later
    own: dict[str, int]
    other: dict[str, int]
    load: list[tuple[AmbassadorFacts, Commitments, int, int]]  # (ambassador, commitments, processes, held)
    load_buckets: dict[str, int]  # how many ambassadors facilitate 0, 1, 2, 3, 4+ processes
    participation: list[Participation]

    @property
    def share_defined(self) -> float:
        return self.workplaces_defined / self.workplaces if self.workplaces else 0.0


def months_back(today: date, count: int = MONTHS_SHOWN) -> list[str]:
    """The ``count`` months up to and including today's, oldest first, as YYYY-MM."""
    year, month = today.year, today.month
    found = []
    for _n in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def compute(units: list[Unit], cases: list[Case], ambassadors: list[AmbassadorFacts], today: date) -> Dashboard:
    """Every figure, from the units, cases and ambassadors someone may see."""
    organisation = Organisation(units)
    by_state = Counter(case.state for case in cases)

    rows = {u.id: UnitRow(u, depth) for u, depth in organisation.walk() if u.kind in ("area", "department")}
    for case in cases:
        for unit_id in organisation.lineage(case.workplace_id):
            if unit_id in rows:
                rows[unit_id].states[case.state] += 1

    shown = months_back(today)
    requested = Counter(f"{c.requested_on.year:04d}-{c.requested_on.month:02d}" for c in cases)
    completed = Counter(f"{c.completed_on.year:04d}-{c.completed_on.month:02d}" for c in cases if c.completed_on)
    months = [(m, requested[m], completed[m]) for m in shown]

    defined = {case.workplace_id for case in cases if case.facts.core_task_locked and case.state != "cancelled"}
    coverage = {u.id: Coverage(u, depth) for u, depth in organisation.walk() if u.kind != "workplace"}
    workplaces = organisation.workplaces
    for workplace in workplaces:
        for unit_id in organisation.lineage(workplace.id):
            if unit_id in coverage:
                coverage[unit_id].workplaces += 1
                coverage[unit_id].defined += workplace.id in defined

    decisions: Counter = Counter()
    by_department: dict[int, Counter] = {}
    follow_ups: Counter = Counter()
    soon = today.toordinal() + DUE_WITHIN_DAYS
    for case in cases:
        if case.state == "cancelled" or not case.facts.decided:
            continue
        department = organisation.above(case.workplace_id, "department")
        counts = decisions if department is None else by_department.setdefault(department, Counter())
        followed = case.state != "requested" and case.facts.held(2)  # follow_up_of, once per case
        for task in case.facts.decided:
            counts[task.decision] += 1
            if followed:
                if task.mark:
                    follow_ups["done"] += 1
                elif task.follow_up_on is not None:
                    day = task.follow_up_on.toordinal()
                    follow_ups["overdue" if day < today.toordinal() else "due" if day <= soon else "later"] += 1
    for counts in by_department.values():
        decisions.update(counts)

    own, other, load = Counter(), Counter(), []
    for ambassador in sorted(ambassadors, key=lambda a: a.name.casefold()):
        state_now = commitments(ambassador.workplace_id, ambassador.processes)
        own[state_now.own] += 1
        other[state_now.other] += 1
        live = [p for p in ambassador.processes if not p[2]]
        load.append((ambassador, state_now, len(live), sum(1 for p in live if p[1])))

    participation = []
    for number in (1, 2):
        counts = [n for case in cases for visit, n in case.participants if visit == number]
        participation.append(Participation(
            visit=number, held=len(counts), participants=sum(counts),
            average=sum(counts) / len(counts) if counts else 0.0,
            median=float(median(counts)) if counts else 0.0, most=max(counts, default=0),
            buckets={label: sum(1 for n in counts if low <= n <= high) for label, low, high in PARTICIPATION_BUCKETS},
        ))

    return Dashboard(
        today=today,
        cases=len(cases),
        by_state={s: by_state[s] for s in STATES},
        by_unit=list(rows.values()),
        months=months,
        workplaces=len(workplaces),
        workplaces_defined=sum(1 for w in workplaces if w.id in defined),
        coverage=list(coverage.values()),
        defined_workplaces=defined,
        decisions={d: decisions[d] for d in DECIDED},
        decisions_by_department=[(organisation.units[d], {k: c[k] for k in DECIDED})
                                 for d, c in sorted(by_department.items(),
                                                    key=lambda item: organisation.units[item[0]].name.casefold())],
        follow_ups={k: follow_ups[k] for k in ("overdue", "due", "later", "done")},
        own={s: own[s] for s in COMMITMENT_STATES},
        other={s: other[s] for s in COMMITMENT_STATES},
        load=load,
        load_buckets={b: sum(1 for a in ambassadors if load_of(a) == b) for b in LOAD_BUCKETS},
        participation=participation,
    )
