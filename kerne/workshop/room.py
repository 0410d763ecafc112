"""What the whole room shares besides its words. Pure: no Flask, no database.

The step timer the facilitators start, pause and lengthen; the task the room looks at on
the decide and actions steps; the room's majority on a task; and what is still open when
a visit is closed. Every control names the state it wants (running, paused, so many
seconds allotted), so a click sent twice ends where one click would.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Timer:
    """The time allotted to a step, the seconds used of it, and since when it runs (None: paused)."""

    allotted: int
    used: int = 0
    running_since: datetime | None = None

    @classmethod
    def of(cls, visit, minutes: int) -> "Timer":
        """The timer a visit (or its board card) holds; a step not given a length has its playbook minutes."""
        allotted = visit.timer_seconds if visit.timer_seconds is not None else minutes * 60
        return cls(allotted, visit.timer_used, visit.timer_running_since)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    @property
    def ends_at(self) -> datetime | None:
        """When a running timer reaches zero."""
        if self.running_since is None:
            return None
        return self.running_since + timedelta(seconds=self.allotted - self.used)

    def left(self, now: datetime) -> int:
        """Seconds left at ``now``; below zero when the step runs over time."""
        running = int((now - self.running_since).total_seconds()) if self.running_since else 0
        return self.allotted - self.used - running

    def started(self, now: datetime) -> "Timer":
        return self if self.running else replace(self, running_since=now)

    def paused(self, now: datetime) -> "Timer":
        if not self.running:
            return self
        return replace(self, used=self.allotted - self.left(now), running_since=None)

    def lengthened_to(self, allotted: int) -> "Timer":
        return replace(self, allotted=allotted)


def clock(seconds: int) -> str:
    """``m:ss`` of a number of seconds, over time or not (the sign is said in words)."""
    seconds = abs(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def decided(task) -> bool:
    return task.decision != "undecided"


def planned(task) -> bool:
    """A decided task whose action plan names an owner, a deadline and a follow-up date."""
    return bool(task.owner.strip()) and task.deadline is not None and task.follow_up_on is not None


# The steps that put one task at a time in front of the room.
FOCUS_ACTIVITIES = ("decide", "actions")


def focusable(tasks: Iterable, activity: str) -> tuple:
    """The tasks that may be put in front of the room: any on the decide step, the decided ones on the actions step."""
    return tuple(t for t in tasks if activity == "decide" or decided(t))


def in_focus(tasks: tuple, focus_id: int | None, activity: str):
    """The task the room looks at: the one the facilitators chose, else the first that still needs the room.

    ``tasks`` are the focusable tasks in list order. On the decide step the first undecided
    one comes by itself; on the actions step the first whose plan is not complete. None
    when there is no task to look at.
    """
    chosen = next((t for t in tasks if t.id == focus_id), None)
    if chosen is not None:
        return chosen
    waiting = (lambda t: not decided(t)) if activity == "decide" else (lambda t: not planned(t))
    return next((t for t in tasks if waiting(t)), tasks[0] if tasks else None)


def neighbours(tasks: tuple, task) -> tuple:
    """The tasks before and after ``task`` in ``tasks`` (None at either end)."""
    at = tasks.index(task)
    return (tasks[at - 1] if at > 0 else None), (tasks[at + 1] if at + 1 < len(tasks) else None)


def majority(counts: Mapping[str, int]):
    """The choice with the most votes, or None when nobody voted or the top is a tie."""
    ranked = sorted(((n, choice) for choice, n in counts.items() if n > 0), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


@dataclass(frozen=True)
class Unsettled:
    """Something a visit exists for that is not done yet: ``what`` (a code), and how many of it."""

    what: str
    count: int = 0


def unsettled(number: int, draft, tasks: Iterable) -> tuple[Unsettled, ...]:
    """What closing visit ``number`` would leave open, so the console can warn before it does.

    Visit 1 exists to agree on the core task (``core_task``: not written and locked); visit 2 to
    decide the work tasks (``no_tasks``, ``undecided``) and plan them (``plan_empty``: no decided
    task has an owner, deadline or follow-up date; ``unplanned``: decided tasks missing some of it).
    ``draft`` is the visit's draft or its board card, ``tasks`` its tasks still on the list.
    """
    if number == 1:
        if draft is None or not draft.core_task.strip() or draft.locked_at is None:
            return (Unsettled("core_task"),)
        return ()
    tasks = list(tasks)
    if not tasks:
        return (Unsettled("no_tasks"),)
    found = []
    undecided = [t for t in tasks if not decided(t)]
    if undecided:
        found.append(Unsettled("undecided", len(undecided)))
    chosen = [t for t in tasks if decided(t)]
    if not any(t.owner.strip() or t.deadline or t.follow_up_on for t in chosen):
        found.append(Unsettled("plan_empty"))
    elif unplanned := [t for t in chosen if not planned(t)]:
        found.append(Unsettled("unplanned", len(unplanned)))
    return tuple(found)
