"""The matching engine on seeded random instances shaped like a municipality
(kerne/matching/generate.py): solve time, and for each level of the objective its
value, its bound, and whether it is proven optimal or how far (at most) it is
from the optimum. The bounds hold for the lexicographic optimum, so the printed
gap is never below the true one (tests/test_matching_bounds.py checks that against
an exhaustive computation on seeded small instances).

Prints figures; asserts nothing.

    .venv/bin/python bench/matching.py [--seconds 10] [--seed 1] [--sizes 31x15,200x100,1000x1000,2000x2000]
                                       [--whole]   (no pruning: the exact model of the whole problem)
"""
import argparse
import time

from _harness import ROOT  # noqa: F401  (puts the project on the path)

from kerne.matching import LEVELS, solve, solver
from kerne.matching.generate import random_problem


def verdict(plan, level: str) -> str:
    if plan.proven[level]:
        return "proven"
    gap = plan.gaps[level]
    return f"≤{gap:.2%}" if gap else "at bound"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="time the solver may use per instance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", default="31x15,200x100,1000x1000,2000x2000")
    parser.add_argument("--whole", action="store_true", help="solve the whole problem, never pruned")
    args = parser.parse_args()
    if args.whole:
        solver.EXACT_LIMIT = float("inf")
    print(f"seed {args.seed}, solver time limit {args.seconds:g} s; each level: value/bound, then 'proven' "
          "(optimal, as are the levels above), 'at bound' (not proven: a level above is not) or the gap, "
          "at most this far from the optimum")
    print(f"{'ambassadors × requests':>24} {'seconds':>8} {'repeatable':>10}  "
          + " ".join(f"{level:>20}" for level in LEVELS) + "  method")
    for size in args.sizes.split(","):
        ambassadors, requests = map(int, size.split("x"))
        problem = random_problem(args.seed, ambassadors, requests)
        started = time.perf_counter()
        plan = solve(problem, seconds=args.seconds)
        took = time.perf_counter() - started
        levels = " ".join(f"{f'{plan.objective[level]}/{plan.bounds[level]} {verdict(plan, level)}':>20}"
                          for level in LEVELS)
        print(f"{ambassadors:>12} × {requests:<9} {took:8.2f} {plan.repeatable!s:>10}  {levels}  {plan.method}",
              flush=True)


if __name__ == "__main__":
    main()
