"""A small sparse integer model, solved by OR-Tools CP-SAT.

Columns are ints; a linear expression is a dict {column: coefficient}. The
model is built once; each stage of a lexicographic solve sets a new objective,
adds a row holding what the stage before reached, and starts from (hints) the
previous solution. CP-SAT's integer arithmetic keeps the weighted objectives
exact, which a floating-point MILP solver's tolerances would not.

Repeatable: with one worker and a fixed seed CP-SAT searches the same way every
time, so a stage that finishes (proves its optimum) within its time gives the
same solution again. A stage stopped by the clock, or searched by several
workers (whose timing decides which of equally good solutions comes first),
may not; the solver says which happened. CP-SAT's deterministic time limit
was tried instead of the clock and measured 5 to 15 times slower than its
nominal seconds on these models, so it cannot keep a time limit.
"""
import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

Expr = dict[int, int]
UNBOUNDED = None
SEED = 1


@dataclass
class Result:
    optimal: bool
    values: list[int] | None
    objective: int | None
    bound: int | None = None  # no solution of the model does better than this


def add(*expressions: Expr) -> Expr:
    total: Expr = {}
    for expression in expressions:
        for column, coefficient in expression.items():
            total[column] = total.get(column, 0) + coefficient
    return total


def scale(expression: Expr, factor: int) -> Expr:
    return {column: coefficient * factor for column, coefficient in expression.items()}


class Milp:
    def __init__(self):
        self.model = cp_model.CpModel()
        self.columns: list[cp_model.IntVar] = []

    def var(self, lower: int = 0, upper: int = 1) -> int:
        self.columns.append(self.model.new_int_var(lower, upper, ""))
        return len(self.columns) - 1

    def _sum(self, expression: Expr):
        return cp_model.LinearExpr.weighted_sum([self.columns[c] for c in expression], list(expression.values()))

    def row(self, expression: Expr, lower: int | None = UNBOUNDED, upper: int | None = UNBOUNDED) -> None:
        total = self._sum(expression)
        if lower is not None and lower == upper:
            self.model.add(total == lower)
            return
        if lower is not None:
            self.model.add(total >= lower)
        if upper is not None:
            self.model.add(total <= upper)

    def solve(self, objective: Expr, maximize: bool, seconds: float, start: list[int] | None = None,
              workers: int = 1) -> Result:
        """Optimise ``objective`` for at most ``seconds``: proven optimal or the best found, with
        the solver's bound."""
        (self.model.maximize if maximize else self.model.minimize)(self._sum(objective))
        self.model.clear_hints()
        if start is not None:
            for column, value in zip(self.columns, start):
                self.model.add_hint(column, int(value))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        solver.parameters.random_seed = SEED
        solver.parameters.num_workers = workers
        if workers == 1:  # alone, CP-SAT needs its LP relaxation at full strength (measured)
            solver.parameters.linearization_level = 2
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Result(False, None, None)
        values = [solver.value(column) for column in self.columns]
        bound = solver.best_objective_bound
        bound = math.floor(bound + 1e-6) if maximize else math.ceil(bound - 1e-6)
        return Result(status == cp_model.OPTIMAL, values, round(solver.objective_value), bound)
