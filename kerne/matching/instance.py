"""A problem prepared for solving: the tree's distances, who is free for what,
and how much every (request, ambassador) candidate is worth.

Request × ambassador facts are numpy matrices, so a thousand by a thousand is
prepared in a fraction of a second; only the candidates a model keeps become
objects. Pure: no Flask, no database.
"""
from functools import cached_property
from typing import NamedTuple

import numpy as np

from kerne.matching.model import Ambassador, Problem, Request, Unit


class Tree:
    """The organisation tree: areas › departments › workplaces."""

    def __init__(self, units: tuple[Unit, ...]):
        self.units = {u.id: u for u in units}

    def path(self, unit_id: str) -> list[str]:
        """The unit and its ancestors, nearest first."""
        path, seen = [], set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            path.append(unit_id)
            unit = self.units.get(unit_id)
            unit_id = unit.parent if unit else None
        return path

    def distance(self, a: str, b: str) -> int:
        """Edges between two units in the tree."""
        up_a = self.path(a)
        up_b = {unit: depth for depth, unit in enumerate(self.path(b))}
        for depth, unit in enumerate(up_a):
            if unit in up_b:
                return depth + up_b[unit]
        return len(up_a) + len(up_b)  # different trees: as far as they can be

    def ancestor(self, unit_id: str, kind: str) -> str:
        """The unit's department or area; a unit without one stands for itself."""
        for unit in self.path(unit_id):
            if self.units.get(unit) and self.units[unit].kind == kind:
                return unit
        return unit_id


class Candidate(NamedTuple):
    request: int  # index into Instance.requests
    ambassador: int  # index into Instance.ambassadors
    distance: int  # from the requesting workplace
    own: bool  # at the ambassador's own workplace


class Instance:
    def __init__(self, problem: Problem):
        self.problem = problem
        self.tree = Tree(problem.units)
        self.ambassadors: tuple[Ambassador, ...] = problem.ambassadors
        self.requests: tuple[Request, ...] = problem.requests
        self.a_index = {a.id: n for n, a in enumerate(self.ambassadors)}
        self.r_index = {r.id: n for n, r in enumerate(self.requests)}
        self.department = [self.tree.ancestor(a.workplace, "department") for a in self.ambassadors]
        self.area = [self.tree.ancestor(a.workplace, "area") for a in self.ambassadors]
        self.spare = [max(0, a.capacity - a.load) for a in self.ambassadors]
        self.locks = [(self.r_index[r], self.a_index[a]) for r, a in problem.locks
                      if r in self.r_index and a in self.a_index]

    # ---- request × ambassador matrices ----------------------------------------

    @cached_property
    def free(self) -> np.ndarray:
        """True where the ambassador is free on all the request's days and can take one more."""
        days = sorted({d for r in self.requests for d in r.days})
        column = {d: n for n, d in enumerate(days)}
        wanted = np.zeros((len(self.requests), len(days)), dtype=np.float32)
        for r, request in enumerate(self.requests):
            wanted[r, [column[d] for d in request.days]] = 1
        busy = np.zeros((len(self.ambassadors), len(days)), dtype=np.float32)
        for a, ambassador in enumerate(self.ambassadors):
            hit = [column[d] for d in ambassador.busy if d in column]
            busy[a, hit] = 1
        free = (wanted @ busy.T) == 0
        free &= np.array(self.spare, dtype=np.int32)[None, :] > 0
        for r, a in self.locks:
            free[r, a] = True
        return free

    @cached_property
    def _workplaces(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each request's and each ambassador's workplace as an index, and the distances between them."""
        names = sorted({a.workplace for a in self.ambassadors} | {r.workplace for r in self.requests})
        index = {w: n for n, w in enumerate(names)}
        between = np.array([[self.tree.distance(a, b) for b in names] for a in names], dtype=np.int16)
        between = between.reshape(len(names), len(names))
        return (np.array([index[r.workplace] for r in self.requests], dtype=np.int32),
                np.array([index[a.workplace] for a in self.ambassadors], dtype=np.int32), between)

    @cached_property
    def distance(self) -> np.ndarray:
        """Edges from each request's workplace to each ambassador's."""
        of_request, of_ambassador, between = self._workplaces
        return between[np.ix_(of_request, of_ambassador)]

    @cached_property
    def own(self) -> np.ndarray:
        """True where the request is at the ambassador's own workplace."""
        of_request, of_ambassador, _ = self._workplaces
        return of_request[:, None] == of_ambassador[None, :]

    @cached_property
    def serves(self) -> np.ndarray:
        """True where the process would serve one of the ambassador's open commitments."""
        own_open = ~np.array([a.own_done for a in self.ambassadors], dtype=bool)
        other_open = ~np.array([a.other_done for a in self.ambassadors], dtype=bool)
        return (self.own & own_open[None, :]) | (~self.own & other_open[None, :])

    @cached_property
    def preference(self) -> np.ndarray:
        """How much a candidate is worth for its request, by the objective's order (higher first):
        a commitment served, then distance, then room left in the ambassador's season."""
        room = np.array([s - a.load for s, a in zip(self.spare, self.ambassadors)], dtype=np.int32)
        return self.serves.astype(np.int32) * 1000 + self.distance.astype(np.int32) * 10 + np.clip(room + 4, 0, 9)

    # ---- candidates as objects, for the model and the explanations --------------

    def candidates_of(self, mask: np.ndarray) -> list[list[Candidate]]:
        rows = []
        for r in range(len(self.requests)):
            ambassadors = np.flatnonzero(mask[r])
            rows.append([Candidate(r, int(a), int(self.distance[r, a]), bool(self.own[r, a])) for a in ambassadors])
        return rows

    @cached_property
    def candidates(self) -> list[list[Candidate]]:
        return self.candidates_of(self.free)

    def relation(self, a: str, b: str) -> str:
        """How two workplaces stand in the tree: the same ``workplace``, the same ``department``,
        departments of the same ``area``, or ``apart`` (different areas)."""
        if a == b:
            return "workplace"
        for kind in ("department", "area"):
            if self.tree.ancestor(a, kind) == self.tree.ancestor(b, kind):
                return kind
        return "apart"

    def pair_distance(self, a: int, b: int) -> int:
        return self.tree.distance(self.ambassadors[a].workplace, self.ambassadors[b].workplace)

    def serves_commitment(self, candidate: Candidate) -> str | None:
        """Which still-open commitment of the ambassador this process would serve."""
        ambassador = self.ambassadors[candidate.ambassador]
        if candidate.own and not ambassador.own_done:
            return "own"
        if not candidate.own and not ambassador.other_done:
            return "other"
        return None
