"""The optimum, computed by an established solver: OR-Tools CP-SAT (chosen over
HiGHS by measurement, see docs/matching.md).

The objective's levels are strictly ordered, so the model is solved in three
stages, each keeping what the stage before reached and starting from its
solution: (1) staffed requests, then completed commitments; (2) distance, then
different professions; (3) load, then fewer repeated pairings. Within a stage
the two levels are combined with a weight that keeps the order strict. Between
stages, local moves (rules.farther) take the plan further apart, which on large
problems gets there sooner than the solver's own search.

Large problems are first cut down to the candidates worth considering
(candidate pruning); bounds computed on the whole problem, among them a
max-flow relaxation, then say whether the plan is proven optimal and, if not,
how far from the bound it may be.
"""
import heapq
import time
from collections import defaultdict

import numpy as np
from ortools.graph.python import max_flow

from kerne.matching.instance import Candidate, Instance
from kerne.matching.milp import Expr, Milp, add, scale
from kerne.matching.model import LEVELS, Plan, Problem
from kerne.matching.rules import Assignments, evaluate, explain, farther, greedy, load_penalty, seed

# Up to this many (request, ambassador) candidates the whole problem is solved.
EXACT_LIMIT = 5_000
# Otherwise each request keeps its best few, each from another department, and
# each ambassador this many requests per process they can still take.
PER_REQUEST = 6
PER_AMBASSADOR = 2


def prune(instance: Instance, seed: Assignments) -> np.ndarray:
    """The candidates worth considering, seen from both sides, as a request × ambassador mask.

    Kept: the pairs of ``seed`` (a plan on the whole problem, so the smaller
    model always holds a plan at least that good); for each request the best of
    departments by the objective's order, one each, ties broken by a fixed
    shuffle so that lists differ between requests; for each ambassador the requests where
    they are worth most, a few per process they can still take; every locked
    candidate and everyone who could meet a commitment at their own workplace.
    """
    free = instance.free
    requests, ambassadors = free.shape
    shuffle = (np.arange(requests, dtype=np.int64)[:, None] * 2654435761
               + np.arange(ambassadors, dtype=np.int64)[None, :] * 40503) % 4096
    key = np.where(free, instance.preference.astype(np.int64) * 4096 + shuffle, -1)
    keep = free & instance.own & instance.serves
    for r, pair in seed.items():
        keep[r, list(pair)] = True
    for r, a in instance.locks:
        keep[r, a] = True
    _, department = np.unique(instance.department, return_inverse=True)
    for r in range(requests):
        columns = np.flatnonzero(free[r])
        order = columns[np.lexsort((-key[r, columns], department[columns]))]
        first_of_department = order[np.r_[True, department[order[1:]] != department[order[:-1]]]]
        best = first_of_department[np.argsort(-key[r, first_of_department], kind="stable")[:PER_REQUEST]]
        keep[r, best] = True
    for a in range(ambassadors):
        rows = np.flatnonzero(free[:, a])
        wanted = PER_AMBASSADOR * max(1, instance.spare[a])
        keep[rows[np.argsort(-key[rows, a], kind="stable")[:wanted]], a] = True
    return keep


def staffing_bound(instance: Instance) -> int:
    """How many requests any plan could staff, from a max-flow relaxation that keeps
    capacity and one-per-department but relaxes shared days and whole pairs."""
    rows, columns = np.nonzero(instance.free)
    if not len(rows):
        return 0
    requests, ambassadors = instance.free.shape
    _, department = np.unique(instance.department, return_inverse=True)
    groups, group = np.unique(rows * (department.max() + 1) + department[columns], return_inverse=True)
    # nodes: 0 source, 1 sink, then requests, request-department groups, ambassadors
    request_node = 2 + np.arange(requests)
    group_node = 2 + requests + np.arange(len(groups))
    ambassador_node = 2 + requests + len(groups) + np.arange(ambassadors)
    group_request = groups // (department.max() + 1)
    tails = np.concatenate([np.zeros(requests, int), request_node[group_request], group_node[group],
                            ambassador_node])
    heads = np.concatenate([request_node, group_node, ambassador_node[columns], np.ones(ambassadors, int)])
    capacities = np.concatenate([np.full(requests, 2), np.ones(len(groups), int), np.ones(len(rows), int),
                                 np.array(instance.spare)]).astype(np.int32)
    return _max_flow(tails, heads, capacities) // 2


def _max_flow(tails, heads, capacities) -> int:
    """The maximum flow from node 0 to node 1 (OR-Tools)."""
    if not len(tails):
        return 0
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
                                np.asarray(capacities, dtype=np.int64))
    flow.solve(0, 1)
    return flow.optimal_flow()


def commitments_bound(instance: Instance) -> int:
    """How many ambassadors any plan could bring to both commitments met or planned.

    Own-workplace commitments are the scarce ones: a request takes at most one
    member from its own workplace (one per department), so those still open are
    bounded by a maximum matching of ambassadors to requests at their workplace.
    """
    free, own = instance.free, instance.own
    other_possible = (free & ~own).any(axis=0)
    done_both = needs_other = 0
    candidates = []
    for n, a in enumerate(instance.ambassadors):
        if a.own_done:
            done_both += a.other_done
            needs_other += (not a.other_done) and bool(other_possible[n])
        elif a.other_done or (other_possible[n] and instance.spare[n] >= 2):  # both open: two processes
            candidates.append(n)
    rows, columns = np.nonzero(free[:, candidates] & own[:, candidates])
    requests = len(instance.requests)
    # nodes: 0 source, 1 sink, ambassadors, then requests
    tails = np.concatenate([np.zeros(len(candidates), int), 2 + columns, 2 + len(candidates) + np.arange(requests)])
    heads = np.concatenate([2 + np.arange(len(candidates)), 2 + len(candidates) + rows, np.ones(requests, int)])
    capacities = np.ones(len(tails), int)
    matched = _max_flow(tails, heads, capacities)
    return done_both + needs_other + matched


def bounds(instance: Instance, staffed: int, completed: int, plan: dict[str, int], staffed_proven: bool
           ) -> dict[str, int]:
    """Values no plan can beat on each level, computed on the whole problem (the
    better end for that level). Each holds for the lexicographic optimum, so the
    distance from a plan's value to it is never less than the plan's true gap.

    Staffing and commitments: max-flow relaxations (at most ``staffed`` requests,
    ``completed`` ambassadors). Distance: every staffed request given its own
    best pair, less what the own-workplace memberships the commitments force must
    cost (counted from the plan's commitments only once its staffing is proven,
    since only then does the optimum complete at least as many). Professions: the
    requests that could have two professions from two departments. Load: the
    even spread of the plan's staffed places (the optimum staffs at least as many)
    over the ambassadors free for a request with room left. Repeats: none.
    """
    free, own = instance.free, instance.own
    distance = np.where(free, instance.distance, -1)
    farthest = (-np.sort(-distance, axis=1))[:, :2].clip(min=0)
    _, area = np.unique(instance.area, return_inverse=True)
    _, department = np.unique(instance.department, return_inverse=True)
    _, profession = np.unique([a.profession for a in instance.ambassadors], return_inverse=True)
    scores, losses, mixed = [], [], 0
    for r in range(len(instance.requests)):
        columns = np.flatnonzero(free[r])
        if len(set(department[columns])) < 2:
            continue
        pair = 6 if len(set(area[columns])) > 1 else 4  # between areas, or departments of one area
        scores.append(int(farthest[r].sum()) + pair)
        mixed += len(set(profession[columns])) > 1  # two departments and two professions make a pair of both
        if (free[r] & own[r]).any():  # with a member from its own workplace (distance 0)
            losses.append(int(farthest[r, 1]))
    forced_own = max(0, plan["commitments"] - _completers_without_own(instance)) if staffed_proven else 0
    return {
        "staffed": staffed,
        "commitments": completed,
        "distance": sum(sorted(scores, reverse=True)[:staffed]) - sum(sorted(losses)[:forced_own]),
        "professions": min(staffed, mixed),
        "load": even_spread(instance, 2 * plan["staffed"]),
        "repeats": 0,
    }


def even_spread(instance: Instance, places: int) -> int:
    """The least load penalty any plan with ``places`` places filled can have: each
    place goes to whoever, among those free for some request with room left, has
    the fewest processes so far (the penalty's next step is the load before it)."""
    loads = [a.load for a in instance.ambassadors]
    available = instance.free.any(axis=0)
    heap = [(loads[n], n) for n in range(len(loads)) if available[n] and instance.spare[n] > 0]
    heapq.heapify(heap)
    room = list(instance.spare)
    for _ in range(places):
        if not heap:
            break
        load, n = heapq.heappop(heap)
        loads[n], room[n] = load + 1, room[n] - 1
        if room[n] > 0:
            heapq.heappush(heap, (load + 1, n))
    return sum(load_penalty(load, a.capacity) for load, a in zip(loads, instance.ambassadors))


def _completers_without_own(instance: Instance) -> int:
    """Ambassadors who can complete without a process at their own workplace."""
    other_possible = (instance.free & ~instance.own).any(axis=0)
    return sum(1 for n, a in enumerate(instance.ambassadors)
               if a.own_done and (a.other_done or other_possible[n]))


class Model:
    """The MILP over a given set of candidates. Each level of the objective is a
    linear expression plus a constant."""

    def __init__(self, instance: Instance, candidates: list[list[Candidate]]):
        self.instance = instance
        m = self.milp = Milp()
        self.x: dict[tuple[int, int], int] = {}
        self.s: list[int] = []
        # helper columns, so that a starting plan can be completed: h = max(0, sum - offset)
        self.excesses: list[tuple[int, list[int], float]] = []
        self.completions: list[tuple[int, list[list[int]]]] = []  # done = 1 when every list has a 1
        staffed, distance, same_profession, repeats = {}, {}, {}, {}
        own_options, other_options = defaultdict(dict), defaultdict(dict)
        by_ambassador = defaultdict(list)
        for r, row in enumerate(candidates):
            s = m.var()
            self.s.append(s)
            staffed[s] = 1
            xs = {c.ambassador: m.var() for c in row}
            self.x.update({(r, a): v for a, v in xs.items()})
            m.row(add({v: 1 for v in xs.values()}, {s: -2}), 0, 0)
            groups = defaultdict(dict)
            for c in row:
                v = xs[c.ambassador]
                groups[("department", instance.department[c.ambassador])][v] = 1
                groups[("area", instance.area[c.ambassador])][v] = 1
                groups[("profession", instance.ambassadors[c.ambassador].profession)][v] = 1
                by_ambassador[c.ambassador].append((r, v))
                distance[v] = c.distance
                (own_options if c.own else other_options)[c.ambassador][v] = 1
            same_area = m.var()
            distance[s] = 6  # the pair: 6 edges apart between areas, 4 within one
            distance[same_area] = -2
            for (kind, _), members in groups.items():
                if kind == "department" and len(members) > 1:  # one alone is held by sum == 2s
                    m.row(add(members, {s: -1}), upper=0)
                elif len(members) > 1 and kind == "area":
                    m.row(add(members, {same_area: -1}), upper=1)
                    self.excesses.append((same_area, list(members), 1))
                elif len(members) > 1:
                    same = m.var()
                    m.row(add(members, {same: -1}), upper=1)
                    self.excesses.append((same, list(members), 1))
                    same_profession[same] = -1
            for c in row:
                partners = instance.ambassadors[c.ambassador].partners
                for other in row:
                    if other.ambassador > c.ambassador and instance.ambassadors[other.ambassador].id in partners:
                        repeat = m.var()
                        m.row({xs[c.ambassador]: 1, xs[other.ambassador]: 1, repeat: -1}, upper=1)
                        self.excesses.append((repeat, [xs[c.ambassador], xs[other.ambassador]], 1))
                        repeats[repeat] = 1
        for r, a in instance.locks:
            if (r, a) in self.x:
                m.row({self.x[(r, a)]: 1}, 1, 1)
        complete, load = {}, {}
        for a, uses in by_ambassador.items():
            ambassador = instance.ambassadors[a]
            m.row({v: 1 for _, v in uses}, upper=instance.spare[a])
            self._no_shared_days(uses)
            for k in range(1, ambassador.capacity):
                if ambassador.load + len(uses) > k:  # the excess over k processes, when there can be one
                    excess = m.var(0, ambassador.capacity)
                    m.row(add({v: 1 for _, v in uses}, {excess: -1}), upper=k - ambassador.load)
                    self.excesses.append((excess, [v for _, v in uses], k - ambassador.load))
                    load[excess] = 1
            can_own = ambassador.own_done or own_options[a]
            can_other = ambassador.other_done or other_options[a]
            if can_own and can_other and not (ambassador.own_done and ambassador.other_done):
                done = m.var()
                complete[done] = 1
                needed = []
                for done_already, options in ((ambassador.own_done, own_options[a]), (ambassador.other_done, other_options[a])):
                    if not done_already:
                        m.row(add({done: 1}, scale(options, -1)), upper=0)
                        needed.append(list(options))
                self.completions.append((done, needed))
        fixed_load = sum(load_penalty(a.load, a.capacity) for n, a in enumerate(instance.ambassadors)
                         if n not in by_ambassador)
        self.levels: dict[str, tuple[Expr, int]] = {
            "staffed": (staffed, 0),
            "commitments": (complete, sum(1 for a in instance.ambassadors if a.own_done and a.other_done)),
            "distance": (distance, 0),
            "professions": (add(staffed, same_profession), 0),
            "load": (load, fixed_load),
            "repeats": (repeats, 0),
        }
        self.ranges = {"commitments": len(instance.ambassadors), "professions": len(candidates),
                       "repeats": len(repeats)}

    def _no_shared_days(self, uses: list) -> None:
        """Nobody on two requests that share a day: one row per busy day, dominated ones left out."""
        by_day = defaultdict(dict)
        for r, v in uses:
            for day in sorted(self.instance.requests[r].days):  # a set's order changes between processes
                by_day[day][r] = v
        cliques = {frozenset(members): members for members in by_day.values() if len(members) > 1}
        for requests, members in cliques.items():
            if not any(requests < other for other in cliques):
                self.milp.row({v: 1 for v in members.values()}, upper=1)

    def assignments(self, values: list[int]) -> Assignments:
        chosen = defaultdict(list)
        for (r, a), v in self.x.items():
            if values[v]:
                chosen[r].append(a)
        return {r: tuple(sorted(pair, key=lambda a: self.instance.ambassadors[a].id)) for r, pair in chosen.items()}

    def start(self, assignments: Assignments) -> list[int] | None:
        """A full starting point from a plan: the helper columns follow from the choices."""
        if not all((r, a) in self.x for r, pair in assignments.items() for a in pair):
            return None
        values = [0] * len(self.milp.columns)
        for (r, a), v in self.x.items():
            values[v] = int(a in assignments.get(r, ()))
        for r, s in enumerate(self.s):
            values[s] = int(r in assignments)
        for helper, members, offset in self.excesses:  # one helper may hold several rows (a pair's areas)
            values[helper] = max(values[helper], sum(values[v] for v in members) - offset)
        for done, needed in self.completions:
            values[done] = int(all(any(values[v] for v in options) for options in needed))
        return values


STAGES = (("staffed", "commitments", True), ("distance", "professions", True), ("load", "repeats", False))
# How the time is shared between the stages (bench/matching.py): on 1 000 × 1 000 the first needs
# 2.3–3 s to meet and prove its bounds; distance gets most of its way from local moves; a stage
# that finishes early leaves its time to the next.
STAGE_SHARES = (0.45, 0.4, 0.15)
# Models up to this many candidates are searched by one worker, which repeats itself (milp.py) and
# proves 200 × 100 (pruned) in about 4 s; larger ones by several, which get further in the time.
ONE_WORKER_LIMIT = 5_000


def solve(problem: Problem, seconds: float = 10.0, progress=None) -> Plan:
    """The best plan the solver can prove (or find) within about ``seconds``.

    The whole problem's bounds on staffing and commitments enter the model as
    rows: they cut off no plan, and a first stage whose plan meets them is proven
    at once instead of searching for a proof until its time runs out. The same
    problem and time limit give the same plan when one worker proves every stage
    on its model in time (milp.py); ``Plan.repeatable`` says whether that happened.
    """
    started = time.perf_counter()
    instance = Instance(problem)
    size = int(instance.free.sum())
    exact = size <= EXACT_LIMIT
    starts = [greedy(instance), seed(instance)]
    best = max(starts, key=lambda plan: (len(plan), evaluate(instance, plan)["commitments"]))
    mask = instance.free if exact else prune(instance, best)
    candidates = instance.candidates_of(mask)
    method = "exact" if exact else f"pruned to {sum(len(row) for row in candidates)} of {size} candidates"
    if progress:
        progress(f"model: {method}")
    model = Model(instance, candidates)
    values = model.start(best)
    staffed, completed = staffing_bound(instance), commitments_bound(instance)
    for level, bound in (("staffed", staffed), ("commitments", completed)):
        expression, constant = model.levels[level]
        model.milp.row(expression, upper=bound - constant)
    workers = 1 if len(model.x) <= ONE_WORKER_LIMIT else 8
    repeatable = workers == 1
    solved: dict[str, int] = {}  # level -> bound from the solver, while it works on the whole problem
    whole = exact  # the model is the whole problem and every stage so far is proven
    for number, (first, second, maximize) in enumerate(STAGES, start=1):
        weight = model.ranges[second] + 1
        objective = add(scale(model.levels[first][0], weight), model.levels[second][0])
        left = 0.95 * seconds - (time.perf_counter() - started)  # the rest: explanations
        share = STAGE_SHARES[number - 1] / sum(STAGE_SHARES[number - 1:])
        result = model.milp.solve(objective, maximize, left * share, values, workers)
        repeatable = repeatable and result.optimal  # a search the clock stopped may stop elsewhere next time
        if result.values is not None:  # else the solver found nothing in time: go on from the plan we hold
            values = result.values
            best = model.assignments(values)
        if whole and result.bound is not None:
            solved.update(_split(result.bound, weight, first, second, model.levels, values))
        whole = whole and result.optimal
        if maximize:  # local moves further apart start the next stage from a better plan
            best = farther(instance, best, mask)
            values = model.start(best)
        reached = sum(coefficient * values[column] for column, coefficient in objective.items())
        model.milp.row(objective, lower=reached) if maximize else model.milp.row(objective, upper=reached)
        if progress:
            progress(f"stage {number} of {len(STAGES)}: {first}, {second}")
    plan = explain(instance, best, method=method)
    value = plan.objective
    limits = bounds(instance, staffed, completed, value, staffed_proven=solved.get("staffed") == value["staffed"]
                    or value["staffed"] == staffed)
    limits = {level: _tighter(level, limits[level], solved.get(level)) for level in LEVELS}
    proven, gaps, above = {}, {}, True
    for level in LEVELS:
        proven[level] = above = above and _shortfall(level, value[level], limits[level]) == 0
        gaps[level] = round(_shortfall(level, value[level], limits[level]) / max(abs(limits[level]), 1), 6)
    return Plan(
        assignments=plan.assignments, unstaffed=plan.unstaffed, objective=value, bounds=limits, proven=proven,
        gaps=gaps, optimal=all(proven.values()), repeatable=repeatable,
        seconds=round(time.perf_counter() - started, 3), method=method,
    )


MINIMISED = ("load", "repeats")


def _split(bound: int, weight: int, first: str, second: str, levels: dict, values: list[int]) -> dict[str, int]:
    """The levels' bounds from a stage's bound on ``weight × first + second`` (second in 0 … weight - 1):
    the first's, and the second's while the first is at its bound."""
    def level(name: str) -> int:
        expression, _constant = levels[name]
        return sum(coefficient * values[column] for column, coefficient in expression.items())

    split = {first: bound // weight + levels[first][1]}
    if level(first) == bound // weight:
        split[second] = bound - weight * (bound // weight) + levels[second][1]
    return split


def _tighter(level: str, bound: int, solved: int | None) -> int:
    if solved is None:
        return bound
    return max(bound, solved) if level in MINIMISED else min(bound, solved)


def _shortfall(level: str, value: int, bound: int) -> int:
    """How far the value falls short of the bound (0 at or beyond it)."""
    return max(0, value - bound) if level in MINIMISED else max(0, bound - value)
