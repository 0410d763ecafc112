"""Every figure of the leaders' dashboard, computed from plain facts. Pure: no Flask, no database.

``kerne.insight.facts`` reads the facts in a fixed number of queries, limited to what the
person may see, with every stored time already turned into the municipality's date;
``compute`` turns them into the figures for a period and a unit, and the lists behind the
figures filter the same facts with the same predicates (``case_filter``, ``task_filter``,
``ambassador_filter``), so a figure and its list always agree.

Two kinds of figure: what stands *now* (active processes, overdue follow-ups, everything
under "Kræver handling", the core tasks defined by the end of the period) and what happened
*in the period* – the processes under way in it (requested before it ended, not completed
or cancelled before it began), and the months, requests and completions that fall in it.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from statistics import median

from kerne.processes.lifecycle import ROAD, STATES, ProcessFacts, TaskFacts, state

DECIDED = ("develop", "keep", "phase_out")
COMMITMENT_STATES = ("met", "planned", "open")
# Under way: a pair is confirmed and the last follow-up is not done.
ACTIVE = ROAD[1:-1]
# The states a process can stand still in; in follow-up it waits for dates of its own (overdue is its own figure).
STALLABLE = ACTIVE[:-1]
# A follow-up is due when its date is within this many days; overdue when it has passed.
DUE_WITHIN_DAYS = 14
PERIODS = ("12m", "year", "range")
MAX_MONTHS = 36  # the months chart of a long range shows its last three years
CONVERSATION_STATES = ("proposed", "agreed", "held")
# Participants per visit, grouped for the chart: (label, lowest, highest).
PARTICIPATION_BUCKETS = (("0", 0, 0), ("1-5", 1, 5), ("6-10", 6, 10), ("11-20", 11, 20), ("21-40", 21, 40),
                         ("41+", 41, 10**9))
LOAD_BUCKETS = ("0", "1", "2", "3", "4+")


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole percent, rounded as people round: half up (3 of 24 is 13 %, 5 of 8 is 63 %)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Period:
    kind: str  # one of PERIODS
    start: date
    end: date

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    @property
    def months(self) -> list[str]:
        """The months from the start's to the end's, oldest first, as YYYY-MM (the last MAX_MONTHS)."""
        found, year, month = [], self.end.year, self.end.month
        while (year, month) >= (self.start.year, self.start.month) and len(found) < MAX_MONTHS:
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return found[::-1]


def period_of(kind: str, today: date, start: date | None = None, end: date | None = None) -> Period:
    """This year, the last 12 months (this month and the eleven before it), or a range."""
    if kind == "year":
        return Period(kind, date(today.year, 1, 1), today)
    if kind == "range" and start is not None and end is not None:
        return Period(kind, min(start, end), max(start, end))
    month = today.year * 12 + today.month - 1 - 11
    return Period("12m", date(month // 12, month % 12 + 1, 1), today)


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
    last_mark_on: date | None = None  # the day the last follow-up was first marked
    cancelled_on: date | None = None
    # The day the data shows the present state was entered, e.g. for "visit1" the day visit 1 opened.
    entered_on: date | None = None
    undated: int = 0  # visits not begun whose day is not agreed yet
    # The state, when the reader already derived it from these facts with lifecycle.state (once, not twice).
    derived: str | None = field(default=None, compare=False, repr=False)

    @cached_property
    def state(self) -> str:
        return self.derived or state(self.facts)

    @property
    def completed_on(self) -> date | None:
        return self.last_mark_on if self.state == "completed" else None

    @property
    def ended_on(self) -> date | None:
        """When it was completed or cancelled (a request withdrawn keeps no date: its request's)."""
        if self.state == "cancelled":
            return self.cancelled_on or self.requested_on
        return self.completed_on

    def in_period(self, period: Period) -> bool:
        """Under way in the period: requested before it ended, not completed or cancelled before it began."""
        ended = self.ended_on
        return self.requested_on <= period.end and (ended is None or ended >= period.start)

    def since(self) -> date | None:
        """Since when it has stood in its state: the day it entered it, and for a process waiting for a
        visit, not before that visit's day."""
        entered = self.entered_on
        awaited = {"pair_confirmed": 1, "core_task_defined": 2}.get(self.state)
        visit = self.facts.visit(awaited) if awaited else None
        if visit is not None and visit.scheduled_on is not None:
            return max(entered or visit.scheduled_on, visit.scheduled_on)
        return entered

    def stalled(self, today: date, days: int) -> bool:
        since = self.since()
        return self.state in STALLABLE and since is not None and (today - since).days > days

    def defines_core_task(self, by: date | None = None) -> bool:
        """Whether it gives its workplace a defined core task (by the day ``by``): a locked, non-empty wording of a
        process not cancelled. The one rule the figure, the tree, the list of workplaces and the processes use."""
        return (self.facts.core_task_locked and self.state != "cancelled"
                and (by is None or self.core_task_locked_on is None or self.core_task_locked_on <= by))


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
class ConversationFacts:
    """A talk across units proposed from the library: between two workplaces, proposed on a day."""

    id: int
    from_unit: int
    to_unit: int
    status: str  # one of CONVERSATION_STATES
    proposed_on: date


@dataclass(frozen=True)
class Commitments:
    own: str
    other: str

    @property
    def complete(self) -> bool:
        return self.own != "open" and self.other != "open"


def commitments(workplace_id: int, processes) -> Commitments:
    """An ambassador's two commitments – a process at their own workplace and one at another –
    each met (both visits held), planned, or open, wherever the processes are. Cancelled ones do not count."""
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

    def below(self, unit_id: int) -> "Organisation":
        """The unit and everything under it, as an organisation of its own."""
        return Organisation([u for u in self.units.values() if unit_id in self.lineage(u.id)])

    @property
    def workplaces(self) -> list[Unit]:
        return [u for u, _depth in self.walk() if u.kind == "workplace"]


def counted(ambassador: AmbassadorFacts, organisation: Organisation) -> tuple[int, int]:
    """(processes, held) of an ambassador that are not cancelled and lie within ``organisation``: what a
    leader is shown is within their scope, though the commitments count the processes wherever they are."""
    mine = [held for workplace, held, cancelled in ambassador.processes
            if not cancelled and workplace in organisation.units]
    return len(mine), sum(mine)


def load_of(ambassador: AmbassadorFacts, organisation: Organisation) -> str:
    """How many processes (not cancelled, within ``organisation``) an ambassador facilitates, as a LOAD_BUCKET."""
    return LOAD_BUCKETS[min(counted(ambassador, organisation)[0], len(LOAD_BUCKETS) - 1)]


def missing(ambassador: AmbassadorFacts) -> bool:
    """An active ambassador who has not got both their processes (own workplace and another) yet."""
    return ambassador.active and not commitments(ambassador.workplace_id, ambassador.processes).complete


# ---- the lists behind the figures ---------------------------------------------------

def case_filter(case: Case, organisation: Organisation, *, state: str | None = None, unit: int | None = None,
                requested: str | None = None, completed: str | None = None, ambassador: int | None = None,
                visit: int | None = None, participants: str | None = None, core_task: bool | None = None,
                held: int | None = None, period: Period | None = None, active: bool = False,
                stalled: tuple[date, int] | None = None, undated: bool = False,
                cancelled: bool | None = None) -> bool:
    """Whether a case belongs to the list a figure links to. ``stalled`` is (today, days)."""
    if state and case.state != state:
        return False
    if cancelled is not None and (case.state == "cancelled") != cancelled:
        return False
    if unit and unit not in organisation.lineage(case.workplace_id):
        return False
    if period is not None and not case.in_period(period):
        return False
    if active and case.state not in ACTIVE:
        return False
    if stalled and not case.stalled(*stalled):
        return False
    if undated and not (case.undated and case.state in ACTIVE):
        return False
    if requested and month_of(case.requested_on) != requested:
        return False
    if completed and (case.completed_on is None or month_of(case.completed_on) != completed):
        return False
    if ambassador and ambassador not in case.facilitator_ids:
        return False
    if core_task is not None and case.defines_core_task(period.end if period else None) != core_task:
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
                decision: str | None = None, unit: int | None = None, follow_up: str | None = None,
                period: Period | None = None) -> bool:
    if case.state == "cancelled":
        return False
    if decision and task.decision != decision:
        return False
    if unit and unit not in organisation.lineage(case.workplace_id):
        return False
    if period is not None and not case.in_period(period):
        return False
    return not (follow_up and follow_up_of(task, case, today) != follow_up)


def defined_workplaces(cases, period: Period | None = None) -> dict[int, Case]:
    """The workplaces with a defined core task by the end of ``period`` (by now without one), with the process."""
    return {case.workplace_id: case for case in cases if case.defines_core_task(period.end if period else None)}


def workplace_filter(workplace: Unit, organisation: Organisation, defined: dict[int, Case], *,
                     unit: int | None = None, core_task: bool | None = None) -> bool:
    """Whether a workplace belongs to the list a coverage figure links to; ``defined`` from defined_workplaces."""
    if unit and unit not in organisation.lineage(workplace.id):
        return False
    return core_task is None or (workplace.id in defined) == core_task


def talk_filter(talk: ConversationFacts, organisation: Organisation, *, period: Period | None = None,
                unit: int | None = None, status: str | None = None) -> bool:
    """Whether a talk across units belongs to the list its figure links to: proposed in the period, touching
    the unit (either end), standing where ``status`` says."""
    if period is not None and not period.holds(talk.proposed_on):
        return False
    if unit and not (unit in organisation.lineage(talk.from_unit) or unit in organisation.lineage(talk.to_unit)):
        return False
    return not (status and talk.status != status)


def ambassador_filter(ambassador: AmbassadorFacts, organisation: Organisation, *, own: str | None = None,
                      other: str | None = None, unit: int | None = None, load: str | None = None,
                      lacking: bool = False) -> bool:
    """With a ``unit``, ``organisation`` is what lies under it (``Organisation.below``): the load counts there."""
    state_now = commitments(ambassador.workplace_id, ambassador.processes)
    if own and state_now.own != own:
        return False
    if other and state_now.other != other:
        return False
    if lacking and not missing(ambassador):
        return False
    if unit and unit not in organisation.lineage(ambassador.workplace_id):
        return False
    return not (load and load_of(ambassador, organisation) != load)


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
class Attention:
    """What needs someone to act, now: each a count and the list behind it."""

    overdue: int  # follow-ups whose date has passed
    stalled: int  # processes standing still longer than the set time in one state
    undated: int  # processes with a visit not begun whose day is not agreed
    waiting: int  # requests waiting for a pair
    lacking: int  # active ambassadors without both their processes

    @property
    def total(self) -> int:
        return self.overdue + self.stalled + self.undated + self.waiting + self.lacking


@dataclass
class Dashboard:
    today: date
    period: Period
    cases: int  # under way in the period
    active: int
    by_state: dict[str, int]
    by_unit: list[UnitRow]
    months: list[tuple[str, int, int]]  # (YYYY-MM, requested, completed)
    workplaces: int
    workplaces_defined: int
    coverage: list[Coverage]
    defined_workplaces: set[int]
    decisions: dict[str, int]
    decisions_by_department: list[tuple[Unit, dict[str, int]]]
    follow_ups: dict[str, int]  # overdue, due, later, done
    attention: Attention
    own: dict[str, int]
    other: dict[str, int]
    load: list[tuple[AmbassadorFacts, Commitments, int, int]]  # (ambassador, commitments, processes, held)
    load_buckets: dict[str, int]  # how many ambassadors facilitate 0, 1, 2, 3, 4+ processes
    participation: list[Participation]
    conversations: dict[str, int]  # proposed in the period, by where they stand now

    @property
    def share_defined(self) -> int:
        """Workplaces with a defined core task, in whole percent."""
        return percent(self.workplaces_defined, self.workplaces)


def compute(units: list[Unit], cases: list[Case], ambassadors: list[AmbassadorFacts], today: date,
            period: Period | None = None, unit: int | None = None, conversations: list[ConversationFacts] = (),
            stalled_days: int = 60) -> Dashboard:
    """Every figure, from the units, cases, ambassadors and conversations someone may see, for ``period``
    (the last 12 months by default) and the ``unit`` chosen (with everything under it)."""
    period = period or period_of("12m", today)
    organisation = Organisation(units)
    if unit in organisation.units:
        organisation = organisation.below(unit)
        cases = [c for c in cases if c.workplace_id in organisation.units]
        ambassadors = [a for a in ambassadors if a.workplace_id in organisation.units]
        conversations = [c for c in conversations
                         if c.from_unit in organisation.units or c.to_unit in organisation.units]
    under_way = [case for case in cases if case.in_period(period)]
    by_state = Counter(case.state for case in under_way)

    rows = {u.id: UnitRow(u, depth) for u, depth in organisation.walk() if u.kind in ("area", "department")}
    for case in under_way:
        for unit_id in organisation.lineage(case.workplace_id):
            if unit_id in rows:
                rows[unit_id].states[case.state] += 1

    requested = Counter(month_of(c.requested_on) for c in cases)
    completed = Counter(month_of(c.completed_on) for c in cases if c.completed_on)
    months = [(m, requested[m], completed[m]) for m in period.months]

    defined = defined_workplaces(cases, period)
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
        if case.in_period(period):
            department = organisation.above(case.workplace_id, "department")
            counts = decisions if department is None else by_department.setdefault(department, Counter())
            for task in case.facts.decided:
                counts[task.decision] += 1
        if case.state != "requested" and case.facts.held(2):  # follow_up_of, once per case
            for task in case.facts.decided:
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
        load.append((ambassador, state_now, *counted(ambassador, organisation)))

    participation = []
    for number in (1, 2):
        counts = [n for case in under_way for visit, n in case.participants if visit == number]
        participation.append(Participation(
            visit=number, held=len(counts), participants=sum(counts),
            average=sum(counts) / len(counts) if counts else 0.0,
            median=float(median(counts)) if counts else 0.0, most=max(counts, default=0),
            buckets={label: sum(1 for n in counts if low <= n <= high) for label, low, high in PARTICIPATION_BUCKETS},
        ))

    # Each a count of what its link lists, by the list's own predicate: processes, not visits, wait for a day.
    attention = Attention(
        overdue=follow_ups["overdue"],
        stalled=sum(case_filter(case, organisation, stalled=(today, stalled_days)) for case in cases),
        undated=sum(case_filter(case, organisation, undated=True) for case in cases),
        waiting=sum(case_filter(case, organisation, state="requested") for case in cases),
        lacking=sum(1 for a in ambassadors if missing(a)),
    )
    talks = Counter(c.status for c in conversations if talk_filter(c, organisation, period=period))
    return Dashboard(
        today=today,
        period=period,
        cases=len(under_way),
        active=sum(by_state[s] for s in ACTIVE),
        by_state={s: by_state[s] for s in STATES},
        by_unit=list(rows.values()),
        months=months,
        workplaces=len(workplaces),
        workplaces_defined=sum(1 for w in workplaces if w.id in defined),
        coverage=list(coverage.values()),
        defined_workplaces=set(defined),
        decisions={d: decisions[d] for d in DECIDED},
        decisions_by_department=[(organisation.units[d], {k: c[k] for k in DECIDED})
                                 for d, c in sorted(by_department.items(),
                                                    key=lambda item: organisation.units[item[0]].name.casefold())],
        follow_ups={k: follow_ups[k] for k in ("overdue", "due", "later", "done")},
        attention=attention,
        own={s: own[s] for s in COMMITMENT_STATES},
        other={s: other[s] for s in COMMITMENT_STATES},
        load=load,
        load_buckets={b: sum(1 for a in ambassadors if load_of(a, organisation) == b) for b in LOAD_BUCKETS},
        participation=participation,
        conversations={s: talks[s] for s in CONVERSATION_STATES},
    )
