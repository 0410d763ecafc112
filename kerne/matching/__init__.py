"""Matching ambassadors in pairs to process requests. Pure: no Flask, no database.

    plan = solve(Problem(units, ambassadors, requests, locks), seconds=10)
"""
from .instance import Instance, Tree
from .model import LEVELS, Ambassador, Assignment, PairReasons, Plan, Problem, Request, Unit, Unstaffed
from .rules import evaluate, explain, greedy, rules_broken_by, swap_options, violations
from .solver import solve

__all__ = [
    "LEVELS", "Ambassador", "Assignment", "Instance", "PairReasons", "Plan", "Problem", "Request", "Tree", "Unit",
    "Unstaffed", "evaluate", "explain", "greedy", "rules_broken_by", "solve", "swap_options", "violations",
]
