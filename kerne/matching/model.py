"""What the matching engine takes and gives: plain, frozen data, no Flask, no database.

Ids are strings: the organisation's own keys from the CSV files, or database
ids as text. A request's visits are date windows; a single day is a window of
one day. An ambassador is free for a request when no day of any of its windows
is unavailable or already booked, and a confirmed request books every day of
its windows, so two requests an ambassador facilitates never share a day.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

LEVELS = ("staffed", "commitments", "distance", "professions", "load", "repeats")


@dataclass(frozen=True)
class Unit:
    """An area, department or workplace of the organisation tree."""

    id: str
    kind: str  # area, department or workplace
    parent: str | None = None


@dataclass(frozen=True)
class Ambassador:
    id: str
    workplace: str
    profession: str
    capacity: int = 3  # processes this season, including those already confirmed
    load: int = 0  # processes already confirmed this season
    unavailable: frozenset[date] = frozenset()
    booked: frozenset[date] = frozenset()
    own_done: bool = False  # facilitated (or is planned to) at their own workplace
    other_done: bool = False  # ... and at another workplace
    partners: frozenset[str] = frozenset()  # ambassadors they have been paired with

    @cached_property
    def busy(self) -> frozenset[date]:
        return self.unavailable | self.booked


@dataclass(frozen=True)
class Request:
    id: str
    workplace: str
    visits: tuple[tuple[date, date], ...]

    @cached_property
    def days(self) -> frozenset[date]:
        return frozenset(
            start + timedelta(days=n) for start, end in self.visits for n in range((end - start).days + 1)
        )


@dataclass(frozen=True)
class Problem:
    units: tuple[Unit, ...]
    ambassadors: tuple[Ambassador, ...]
    requests: tuple[Request, ...]
    locks: tuple[tuple[str, str], ...] = ()  # (request id, ambassador id) the coordinator fixed

    def fingerprint(self) -> str:
        """A digest of everything a plan is made from but the locks, in any order: a proposal
        whose problem no longer has this fingerprint was made from facts that have changed."""
        facts = (
            sorted((u.id, u.kind, u.parent or "") for u in self.units),
            sorted((a.id, a.workplace, a.profession, a.capacity, a.load, sorted(a.unavailable), sorted(a.booked),
                    a.own_done, a.other_done, sorted(a.partners)) for a in self.ambassadors),
            sorted((r.id, r.workplace, r.visits) for r in self.requests),
        )
        return hashlib.sha256(repr(facts).encode()).hexdigest()


@dataclass(frozen=True)
class PairReasons:
    """Why these two: the facts the explanation is written from."""

    commitments: tuple[tuple[str, str], ...]  # (ambassador id, "own" or "other") this process serves
    pair_relation: str  # how the two members' workplaces stand in the tree (Instance.relation)
    relations: tuple[str, str]  # how each member's workplace stands to the requesting one
    professions: tuple[str, str]
    repeated: bool  # the two have been paired before
    locked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    request: str
    ambassadors: tuple[str, str]
    reasons: PairReasons


@dataclass(frozen=True)
class Unstaffed:
    request: str
    reason: str  # nobody_free, one_free, one_department, taken
    free: int = 0  # ambassadors free on the dates


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Assignment, ...]
    unstaffed: tuple[Unstaffed, ...]
    objective: dict = field(default_factory=dict)  # level -> value
    bounds: dict = field(default_factory=dict)  # level -> no plan does better (the optimum's value, once proven)
    proven: dict = field(default_factory=dict)  # level -> proven optimal, as are all the levels above it
    gaps: dict = field(default_factory=dict)  # level -> how far short of its bound, relative to the bound
    optimal: bool = False  # proven on every level
    repeatable: bool = False  # the same problem and time limit give this plan again
    seconds: float = 0.0
    method: str = ""
