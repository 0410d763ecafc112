"""Property test: on random small instances every plan obeys every hard rule
and staffs at least as many requests as the simple greedy baseline."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerne.matching import Ambassador, Instance, Problem, Request, Unit, greedy, solve, violations

DAYS = [date(2027, 3, 1) + timedelta(days=n) for n in range(10)]
PROFESSIONS = ["Lærer", "Pædagog", "Sygeplejerske"]


@st.composite
def problems(draw):
    areas = [Unit(f"A{n}", "area") for n in range(draw(st.integers(1, 3)))]
    departments = [Unit(f"D{n}", "department", draw(st.sampled_from(areas)).id) for n in range(draw(st.integers(2, 4)))]
    workplaces = [Unit(f"W{n}", "workplace", draw(st.sampled_from(departments)).id) for n in range(draw(st.integers(2, 6)))]
    workplace_ids = [w.id for w in workplaces]
    ambassadors = []
    for n in range(draw(st.integers(0, 10))):
        capacity = draw(st.integers(1, 3))
        ambassadors.append(Ambassador(
            id=f"P{n}",
            workplace=draw(st.sampled_from(workplace_ids)),
            profession=draw(st.sampled_from(PROFESSIONS)),
            capacity=capacity,
            load=draw(st.integers(0, capacity - 1)),
            unavailable=frozenset(draw(st.lists(st.sampled_from(DAYS), max_size=4))),
            booked=frozenset(draw(st.lists(st.sampled_from(DAYS), max_size=2))),
            own_done=draw(st.booleans()),
            other_done=draw(st.booleans()),
            partners=frozenset(f"P{m}" for m in draw(st.lists(st.integers(0, 9), max_size=2))),
        ))
    requests = []
    for n in range(draw(st.integers(0, 6))):
        visits = []
        for _ in range(draw(st.integers(1, 2))):
            start = draw(st.integers(0, 8))
            visits.append((DAYS[start], DAYS[start + draw(st.integers(0, 1))]))
        requests.append(Request(f"R{n}", draw(st.sampled_from(workplace_ids)), tuple(visits)))
    problem = Problem(tuple(areas + departments + workplaces), tuple(ambassadors), tuple(requests))
    # Sometimes the coordinator has locked one ambassador that the baseline could place.
    baseline = greedy(Instance(problem))
    if baseline and draw(st.booleans()):
        r, (a, _b) = min(baseline.items())
        problem = Problem(problem.units, problem.ambassadors, problem.requests,
                          ((requests[r].id, ambassadors[a].id),))
    return problem


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_plan_obeys_the_hard_rules_and_staffs_at_least_the_greedy_baseline(problem):
    plan = solve(problem, seconds=2)
    instance = Instance(problem)
    chosen = {instance.r_index[a.request]: tuple(instance.a_index[x] for x in a.ambassadors) for a in plan.assignments}
    assert violations(instance, chosen) == []
    assert len(chosen) >= len(greedy(instance))
    assert {a.request for a in plan.assignments} | {u.request for u in plan.unstaffed} == {r.id for r in problem.requests}
    assert plan.objective["staffed"] <= plan.bounds["staffed"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_moving_members_further_apart_keeps_the_rules_and_everything_above_distance(problem):
    from kerne.matching.rules import evaluate, farther, seed

    instance = Instance(problem)
    start = seed(instance)
    moved = farther(instance, start, instance.free)
    assert violations(instance, start) == []
    assert violations(instance, moved) == []
    before, after = evaluate(instance, start), evaluate(instance, moved)
    assert after["staffed"] == before["staffed"]
    assert after["commitments"] >= before["commitments"]
    assert after["distance"] >= before["distance"]
