"""Per-level proof and gap, checked against an exact computation that shares nothing
with the engine: every feasible plan of a small seeded instance enumerated, its
levels counted from the definitions, the lexicographic best taken. A reported
bound must hold for that optimum, so a reported gap is never below the true gap,
and a level reported proven must have the optimum's value."""
from collections import Counter
from datetime import date
from itertools import combinations

import pytest

from kerne.matching import LEVELS, Ambassador, Problem, Request, Unit, solve
from kerne.matching import solver as solver_module
from kerne.matching.generate import random_problem

MINIMISED = {"load", "repeats"}


def up(units: dict, unit: str) -> list[str]:
    path = [unit]
    while units[path[-1]].parent:
        path.append(units[path[-1]].parent)
    return path


def edges(units: dict, a: str, b: str) -> int:
    """Edges between two units; areas are the roots, so two areas meet one edge above them each."""
    left, right = up(units, a), up(units, b)
    common = next((u for u in left if u in right), None)
    return len(left) + len(right) if common is None else left.index(common) + right.index(common)


def of_kind(units: dict, unit: str, kind: str) -> str:
    return next(u for u in up(units, unit) if units[u].kind == kind)


def days(request: Request) -> set:
    return {d for start, end in request.visits for d in range((end - start).days + 1) for d in [start.toordinal() + d]}


def lexicographic_optimum(problem: Problem) -> dict[str, int]:
    """Enumerate every plan that keeps the hard rules; the best by the levels in order."""
    units = {u.id: u for u in problem.units}
    people, wanted = problem.ambassadors, problem.requests
    busy = [{d.toordinal() for d in p.unavailable | p.booked} for p in people]
    needs = [days(r) for r in wanted]
    department = [of_kind(units, p.workplace, "department") for p in people]
    best = None

    def value(plan: list) -> tuple:
        taken = Counter(n for pair in plan if pair for n in pair)
        complete = 0
        for n, p in enumerate(people):
            places = [wanted[r].workplace for r, pair in enumerate(plan) if pair and n in pair]
            own = p.own_done or p.workplace in places
            other = p.other_done or any(w != p.workplace for w in places)
            complete += own and other
        distance = professions = repeats = 0
        for r, pair in enumerate(plan):
            if pair:
                a, b = pair
                distance += (edges(units, wanted[r].workplace, people[a].workplace)
                             + edges(units, wanted[r].workplace, people[b].workplace)
                             + edges(units, people[a].workplace, people[b].workplace))
                professions += people[a].profession != people[b].profession
                repeats += people[b].id in people[a].partners
        total = [p.load + taken[n] for n, p in enumerate(people)]
        load = sum(t * (t - 1) // 2 for t in total)
        return (sum(1 for pair in plan if pair), complete, distance, professions, -load, -repeats)

    def walk(r: int, plan: list, used: list[set]) -> None:
        nonlocal best
        if r == len(wanted):
            found = value(plan)
            best = found if best is None or found > best else best
            return
        walk(r + 1, plan + [None], used)
        free = [n for n, p in enumerate(people)
                if not needs[r] & busy[n] and len(used[n]) < p.capacity - p.load
                and not any(needs[r] & needs[q] for q in used[n])]
        for a, b in combinations(free, 2):
            if department[a] != department[b]:
                walk(r + 1, plan + [(a, b)], [u | {r} if n in (a, b) else u for n, u in enumerate(used)])

    walk(0, [], [set() for _ in people])
    return dict(zip(LEVELS, (abs(v) for v in best)))


def shortfall(level: str, value: int, target: int) -> int:
    return max(0, value - target) if level in MINIMISED else max(0, target - value)


def instance(seed: int) -> Problem:
    return random_problem(seed, 8, 4, season_days=30)  # a short season: requests share days


# The optimum of each seeded instance, from lexicographic_optimum (checked below, so a change
# to the generator or to the rules shows here first). Seed 7 staffs two of four requests, 14 three;
# 32 cannot avoid a repeated pair; in 1 and 29 someone must take a second process.
OPTIMA = {
    1: {"staffed": 4, "commitments": 5, "distance": 48, "professions": 4, "load": 8, "repeats": 0},
    6: {"staffed": 4, "commitments": 1, "distance": 60, "professions": 4, "load": 3, "repeats": 0},
    7: {"staffed": 2, "commitments": 3, "distance": 24, "professions": 2, "load": 2, "repeats": 0},
    8: {"staffed": 4, "commitments": 5, "distance": 52, "professions": 4, "load": 4, "repeats": 0},
    11: {"staffed": 4, "commitments": 4, "distance": 34, "professions": 4, "load": 5, "repeats": 0},
    14: {"staffed": 3, "commitments": 2, "distance": 42, "professions": 3, "load": 0, "repeats": 0},
    21: {"staffed": 4, "commitments": 4, "distance": 48, "professions": 3, "load": 3, "repeats": 0},
    29: {"staffed": 4, "commitments": 2, "distance": 58, "professions": 4, "load": 9, "repeats": 0},
    32: {"staffed": 4, "commitments": 3, "distance": 60, "professions": 4, "load": 4, "repeats": 1},
    35: {"staffed": 4, "commitments": 4, "distance": 52, "professions": 3, "load": 5, "repeats": 0},
}


@pytest.mark.parametrize("seed", sorted(OPTIMA))
def test_the_exact_computation_gives_the_known_optimum(seed):
    assert lexicographic_optimum(instance(seed)) == OPTIMA[seed]


def check_against_the_optimum(plan, optimum: dict) -> None:
    for level in LEVELS:
        bound, value = plan.bounds[level], plan.objective[level]
        assert (bound >= optimum[level]) if level not in MINIMISED else (bound <= optimum[level]), level
        true_gap = shortfall(level, value, optimum[level]) / max(abs(optimum[level]), 1)
        assert plan.gaps[level] >= true_gap, level
        if plan.proven[level]:
            assert value == optimum[level], level
    assert plan.optimal == all(plan.proven.values())


@pytest.mark.parametrize("seed", sorted(OPTIMA))
def test_the_whole_model_proves_every_level_and_its_figures_are_the_optimum(seed):
    plan = solve(instance(seed), seconds=5)
    assert plan.method == "exact"
    check_against_the_optimum(plan, OPTIMA[seed])
    assert plan.optimal and plan.objective == OPTIMA[seed] and plan.bounds == OPTIMA[seed]
    assert set(plan.gaps.values()) == {0}


@pytest.mark.parametrize("seed", sorted(OPTIMA))
def test_on_a_pruned_model_the_bounds_still_hold_for_the_optimum(seed, monkeypatch):
    """Pruned, the solver proves nothing about the whole problem: the relaxations alone bound it."""
    monkeypatch.setattr(solver_module, "EXACT_LIMIT", 0)
    plan = solve(instance(seed), seconds=1)
    assert plan.method.startswith("pruned to")
    check_against_the_optimum(plan, OPTIMA[seed])


def test_load_is_bounded_by_the_even_spread_of_the_staffed_places():
    units = (Unit("A", "area"), Unit("D", "department", "A"), Unit("W", "workplace", "D"))
    people = (Ambassador("a", "W", "x", capacity=3), Ambassador("b", "W", "x", capacity=3),
              Ambassador("c", "W", "x", capacity=3, load=1), Ambassador("d", "W", "x", capacity=1, load=1))
    problem = Problem(units, people, (Request("R", "W", ((date(2027, 3, 1), date(2027, 3, 1)),)),))
    inst = solver_module.Instance(problem)
    # d is full; four places over a, b, c (loads 0, 0, 1) end at 1, 2, 2 or 2, 1, 2: penalties 0 + 1 + 1
    assert solver_module.even_spread(inst, 4) == 2
    assert solver_module.even_spread(inst, 0) == 0
    assert solver_module.even_spread(inst, 7) == 3 + 3 + 1  # a and b at 3, c at 2
    assert solver_module.even_spread(inst, 9) == 3 + 3 + 3  # more places than room: everyone full
