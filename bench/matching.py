"""The matching engine on seeded random instances shaped like a municipality
(kerne/matching/generate.py): solve time, whether optimality was proven, and
the gap to the bound on the first level of the objective that misses it.

Prints figures; asserts nothing.

    .venv/bin/python bench/matching.py [--seconds 10] [--seed 1] [--sizes 31x15,200x100,1000x1000,2000x2000]
"""
import argparse
import time

from _harness import ROOT  # noqa: F401  (puts the project on the path)

from kerne.matching import solve
from kerne.matching.generate import random_problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="time the solver may use per instance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", default="31x15,200x100,1000x1000,2000x2000")
    args = parser.parse_args()
    print(f"seed {args.seed}, solver time limit {args.seconds:g} s; levels shown as value/bound")
    print(f"{'ambassadors × requests':>24} {'seconds':>8} {'optimal':>8} {'gap':>8}  {'staffed':>11} "
          f"{'commitments':>12} {'distance':>13}  method")
    for size in args.sizes.split(","):
        ambassadors, requests = map(int, size.split("x"))
        problem = random_problem(args.seed, ambassadors, requests)
        started = time.perf_counter()
        plan = solve(problem, seconds=args.seconds)
        took = time.perf_counter() - started
        o, b = plan.objective, plan.bounds
        print(f"{ambassadors:>12} × {requests:<9} {took:8.2f} {str(plan.optimal):>8} {plan.gap:8.2%}  "
              f"{o['staffed']:>5}/{b['staffed']:<5} {o['commitments']:>5}/{b['commitments']:<6} "
              f"{o['distance']:>6}/{b['distance']:<6}  {plan.method}", flush=True)


if __name__ == "__main__":
    main()
