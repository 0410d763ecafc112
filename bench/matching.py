"""The matching engine on seeded random instances shaped like a municipality
(kerne/matching/generate.py): solve time, whether optimality was proven, and
the gap to the bound on the first level of the objective that misses it.

Prints figures; asserts nothing.

    .venv/bin/python bench/matching.py [--seconds 10] [--seed 1] [--sizes 31x15,200x100,1000x1000,2000x2000]
                                       [--whole]   (no pruning: the exact model of the whole problem)
"""
import argparse
import time

from _harness import ROOT  # noqa: F401  (puts the project on the path)

from kerne.matching import solve, solver
from kerne.matching.generate import random_problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="time the solver may use per instance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", default="31x15,200x100,1000x1000,2000x2000")
    parser.add_argument("--whole", action="store_true", help="solve the whole problem, never pruned")
    args = parser.parse_args()
    if args.whole:
        solver.EXACT_LIMIT = float("inf")
    print(f"seed {args.seed}, solver time limit {args.seconds:g} s; levels shown as value/bound")
    print(f"{'ambassadors × requests':>24} {'seconds':>8} {'optimal':>8} {'gap':>8}  {'staffed':>11} "
          f"{'commitments':>12} {'distance':>13} {'professions':>11}  method")
    for size in args.sizes.split(","):
        ambassadors, requests = map(int, size.split("x"))
        problem = random_problem(args.seed, ambassadors, requests)
        started = time.perf_counter()
        plan = solve(problem, seconds=args.seconds)
        took = time.perf_counter() - started
        o, b = plan.objective, plan.bounds
        print(f"{ambassadors:>12} × {requests:<9} {took:8.2f} {plan.optimal!s:>8} {plan.gap:8.2%}  "
              f"{o['staffed']:>5}/{b['staffed']:<5} {o['commitments']:>5}/{b['commitments']:<6} "
              f"{o['distance']:>6}/{b['distance']:<6} {o['professions']:>5}/{b['professions']:<5}  {plan.method}",
              flush=True)


if __name__ == "__main__":
    main()
