"""Matching ambassadors in pairs to process requests. Pure: no Flask, no database.

    plan = solve(Problem(units, ambassadors, requests, locks), seconds=10)
"""
from kerne.matching.instance import Instance, Tree
from kerne.matching.model import LEVELS, Ambassador, Assignment, PairReasons, Plan, Problem, Request, Unit, Unstaffed
from kerne.matching.rules import evaluate, explain, greedy, rules_broken_by, swap_options, violations


def solve(problem: Problem, *args, **kwargs) -> Plan:
    """The solver (``kerne.matching.solver.solve``), imported when a plan is asked for: OR-Tools
    and what it brings cost every server process seconds at start, and most never plan."""
    from kerne.matching.solver import solve as solve_now

    return solve_now(problem, *args, **kwargs)


__all__ = [
    "LEVELS", "Ambassador", "Assignment", "Instance", "PairReasons", "Plan", "Problem", "Request", "Tree", "Unit",
    "Unstaffed", "evaluate", "explain", "greedy", "rules_broken_by", "solve", "swap_options", "violations",
]
