"""Exact answers for catalogs with several numeric totals, from OR-tools CP-SAT.

Rules such as "instalments only from price() >= 600" next to "Saturday
delivery only up to price() <= 4000" and a weight limit do not fit the lifted
bounds of bounded.py (one direction only), and as running totals in the
junction tree the price in cents, the weight and the volume multiply (the
city bike with one such extra rule: 20M tuples, two minutes to prepare).

Here the catalog is compiled without any running total
(`compile_model(linear=True)`): each numeric comparison is a 0/1 variable,
and its definition is stated to CP-SAT as what it is, one exact linear
constraint over the chosen options, reified both ways. Everything else is the
SAT encoding's clauses (sat.py), with one selector literal per rule, so:

- domains: a value is possible iff some solution has it. Solutions already
  found (witnesses, kept across picks) mark values at no cost; each solve then
  asks for a solution with at least one value not yet marked, maximising how
  many it marks, and "infeasible" proves every remaining value impossible;
- cheapest completion and repairs: one minimisation;
- minimal explanations: rule selectors and picks as assumptions, the
  solver's sufficient assumptions shrunk by deletion (set-minimal);
- counts: not from CP-SAT (it enumerates); the catalog asks `counter`, the
  exact running-total tree, built only when a count is asked for.

Every answer is proved by the solver (no time limit decides an answer), so
the backend is exact; it costs a few solver calls per pick.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from .compile import CompiledProblem, LinearAtom
from .sat import SatEncoding

# Solutions kept as witnesses for later picks (each is one row of values).
WITNESSES = 512
# A solve that maximises how many unmarked values one solution covers may stop early
# with any solution: it still marks at least one value. Only proofs of "no solution" count.
COVER_SECONDS = 0.01
# Presolve and probing cost 80 ms a call on the city bike and gain nothing on models this small (6 ms).
FAST = {"num_workers": 1, "cp_model_presolve": False, "cp_model_probing_level": 0,
        "symmetry_level": 0, "linearization_level": 0}


def _cp():
    """OR-tools' CP-SAT module, imported on first use: with pandas and protobuf it takes about
    1.8 s, which every process (CLI, web, worker) would pay for the few catalogs that need it."""
    from ortools.sat.python import cp_model

    return cp_model


def _solver(seconds: float | None = None):
    solver = _cp().CpSolver()
    for name, value in FAST.items():
        setattr(solver.parameters, name, value)
    if seconds is not None:
        solver.parameters.max_time_in_seconds = seconds
    return solver


class CpSatSpace:
    """A catalog compiled with `linear=True`, answered by CP-SAT (same query methods as the junction tree)."""

    def __init__(self, problem: CompiledProblem, counter: Callable[[dict], int] | None = None):
        self.problem = problem
        self.counter = counter
        self.sizes = [variable.size for variable in problem.variables]
        encoding = SatEncoding(problem, solver=False)
        self.value_lits = encoding.value_lits  # var -> SAT literal per value (1-based, contiguous)
        self.rule_lits = dict(encoding.selector)  # rule position -> selector literal
        self.model = _cp().CpModel()
        self.bools = [self.model.new_bool_var(f"b{i}") for i in range(encoding.top)]
        for clause in encoding.clauses:
            self.model.add_bool_or([self._lit(self.model, lit) for lit in clause])
        for linear in problem.linear:
            self._define(linear)
        self._witnesses = np.zeros((0, len(self.sizes)), dtype=np.int32)
        self._lock = threading.Lock()
        self.solves = 0  # solver calls so far (for bench and tests)

    # ------------------------------------------------------------ the model
    def _lit(self, model, lit: int):
        var = model.get_bool_var_from_proto_index(abs(lit) - 1) if model is not self.model else self.bools[abs(lit) - 1]
        return var if lit > 0 else var.Not()

    def _define(self, linear: LinearAtom) -> None:
        """var = 1 exactly when the linear comparison holds: one constraint each way."""
        sum_expr = sum(
            weight * self._lit(self.model, lits[value])
            for var, weights in linear.terms
            for lits in [self.value_lits[var]]
            for value, weight in enumerate(weights)
            if weight
        )
        holds, fails = (self._lit(self.model, lit) for lit in reversed(self.value_lits[linear.var]))
        bound = sum(max(abs(w) for w in weights) for _, weights in linear.terms) + 1
        inside, outside = _domains(linear.op, linear.threshold, bound)
        for domain, enforced in ((inside, holds), (outside, fails)):
            if domain is None:  # never: the comparison's value is fixed
                self.model.add_bool_or([enforced.Not()])
            else:
                self.model.add_linear_expression_in_domain(sum_expr, domain).only_enforce_if(enforced)

    def _assumptions(self, evidence: dict[int, object], model) -> list:
        """Every rule on, and the evidence: a value, or a set of allowed values, per variable."""
        literals = [self._lit(model, lit) for lit in self.rule_lits.values()]
        for var, allowed in evidence.items():
            lits = self.value_lits[var]
            if isinstance(allowed, (int, np.integer)):
                literals.append(self._lit(model, lits[int(allowed)]))
            else:
                wanted = _allowed_values(allowed, len(lits))
                for value in range(len(lits)):
                    if value not in wanted:
                        literals.append(self._lit(model, -lits[value]))
        return literals

    def _solve(self, model, assumptions: list, seconds: float | None = None):
        """(status, values per variable or None)."""
        model.clear_assumptions()
        model.add_assumptions(assumptions)
        solver = _solver(seconds)
        status = solver.solve(model)
        self.solves += 1
        if status not in (_cp().OPTIMAL, _cp().FEASIBLE):
            return status, None
        solution = np.asarray(solver.response_proto.solution, dtype=np.int8)
        values = np.array([int(np.argmax(solution[lits[0] - 1:lits[-1]])) for lits in self.value_lits], np.int32)
        self._remember(values)
        return status, values

    def _remember(self, values: np.ndarray) -> None:
        self._witnesses = np.vstack([values[None, :], self._witnesses[: WITNESSES - 1]])

    # ------------------------------------------------------------ domains
    def domains(self, evidence: dict[int, object]) -> tuple[bool, list[np.ndarray]]:
        consistent, possible, _ = self.domains_leaving_out(evidence, [])
        return consistent, possible

    def domains_leaving_out(
        self, evidence: dict[int, object], leave_out: list[int]
    ) -> tuple[bool, list[np.ndarray], dict[int, np.ndarray]]:
        """As `JunctionTree.domains_leaving_out`: domains, and each left-out variable's domain without its pin."""
        with self._lock:
            possible = self._possible(evidence, list(range(len(self.sizes))))
            if possible is None:
                return False, [np.zeros(size, dtype=bool) for size in self.sizes], {}
            without = {}
            for var in leave_out:
                rest = {other: value for other, value in evidence.items() if other != var}
                without[var] = self._possible(rest, [var])[var]
            return True, possible, without

    def _possible(self, evidence: dict[int, object], variables) -> list[np.ndarray] | None:
        """Which values of `variables` some solution with the evidence has; None when there is none."""
        possible = [np.zeros(size, dtype=bool) for size in self.sizes]
        self._mark(possible, self._witnesses_of(evidence))
        wanted = [(var, value) for var in variables for value in range(self.sizes[var])]
        model = self.model.clone()
        base = self._assumptions(evidence, model)
        while True:
            open_values = [(var, value) for var, value in wanted if not possible[var][value]]
            if not open_values:
                return possible
            values = self._cover(model, base, open_values)
            if values is None:  # every solution has some value of each variable: none at all, or none left
                return possible if possible[variables[0]].any() else None
            self._mark(possible, values[None, :])

    def _cover(self, model, base: list, open_values: list[tuple[int, int]]):
        """A solution with at least one of `open_values` (as many as it finds quickly), or None if there is none."""
        gate = model.new_bool_var("")
        lits = [self._lit(model, self.value_lits[var][value]) for var, value in open_values]
        model.add_bool_or(lits).only_enforce_if(gate)
        model.maximize(sum(lits))
        status, values = self._solve(model, [*base, gate], COVER_SECONDS)
        if status == _cp().INFEASIBLE:
            return None
        if values is None:  # out of time before any solution: decide without the objective
            model.clear_objective()
            status, values = self._solve(model, [*base, gate])
        model.clear_objective()
        return values

    def _witnesses_of(self, evidence: dict[int, object]) -> np.ndarray:
        rows = self._witnesses
        for var, allowed in evidence.items():
            if not len(rows):
                break
            if isinstance(allowed, (int, np.integer)):
                rows = rows[rows[:, var] == int(allowed)]
            else:
                rows = rows[np.isin(rows[:, var], sorted(_allowed_values(allowed, self.sizes[var])))]
        return rows

    @staticmethod
    def _mark(possible: list[np.ndarray], rows: np.ndarray) -> None:
        for var, values in enumerate(possible):
            values[rows[:, var]] = True

    # ------------------------------------------------------------ counting
    def count(self, evidence: dict[int, object]) -> int:
        if self.counter is None:
            raise NotImplementedError("this catalog's counts come from its running-total tree")
        return self.counter(evidence)

    # ------------------------------------------------------------ cheapest
    def cheapest(self, evidence: dict[int, object], costs: dict[int, np.ndarray]) -> list[int] | None:
        """The values of a least-cost solution with the evidence, or None when there is none."""
        with self._lock:
            model = self.model.clone()
            model.minimize(sum(
                int(cost) * self._lit(model, self.value_lits[var][value])
                for var, per_value in costs.items()
                for value, cost in enumerate(per_value.tolist())
                if cost
            ))
            _, values = self._solve(model, self._assumptions(evidence, model))
            return None if values is None else values.tolist()

    # ------------------------------------------------------------ explanations
    def minimal_core(self, evidence: dict[int, object], soft: list[int]) -> list[int] | None:
        """A set-minimal subset of the SAT literals `soft` (picks, rule selectors) that with the
        evidence has no solution; None when all of them together have one."""
        with self._lock:
            model = self.model.clone()
            hard = self._assumptions(evidence, model)[len(self.rule_lits):]
            mapped = {lit: self._lit(model, lit) for lit in soft}
            core = self._core(model, hard, soft, mapped, soft)
            if core is None:
                return None
            position = 0
            while position < len(core):
                trial = core[:position] + core[position + 1:]
                smaller = self._core(model, hard, trial, mapped, soft)
                if smaller is None:
                    position += 1
                else:
                    core = smaller
            return core

    def _core(self, model, hard, trial, mapped, soft) -> list[int] | None:
        """None when hard + trial has a solution, else the part of `trial` the solver needed."""
        model.clear_assumptions()
        model.add_assumptions([*hard, *(mapped[lit] for lit in trial)])
        solver = _solver()
        status = solver.solve(model)
        self.solves += 1
        if status != _cp().INFEASIBLE:
            return None
        used = set(solver.sufficient_assumptions_for_infeasibility())
        index = {mapped[lit].index: lit for lit in trial}  # the solver numbers a negation -index-1
        needed = [index[proto] for proto in used if proto in index]
        return [lit for lit in trial if lit in set(needed)]

    def stats(self) -> dict[str, int]:
        return {"variables": len(self.sizes), "linear": len(self.problem.linear), "witnesses": len(self._witnesses)}


def _allowed_values(allowed: object, size: int) -> set[int]:
    array = np.asarray(allowed)
    if array.dtype == bool and array.shape == (size,):
        return {int(v) for v in np.flatnonzero(array)}
    return {int(v) for v in np.atleast_1d(array)}


def _domains(op: str, threshold: Fraction, bound: int):
    """(domain where `sum op threshold` holds, domain where it fails), for an integer sum in [-bound, bound]."""
    low, high = -bound, bound
    if op in ("==", "!="):
        if threshold.denominator != 1:
            equal = None
            other = _cp().Domain(low, high)
        else:
            value = int(threshold)
            equal = _cp().Domain(value, value)
            other = _cp().Domain.from_intervals([[low, value - 1], [value + 1, high]])
        return (equal, other) if op == "==" else (other, equal)
    if op in (">=", "<"):  # sum >= ceil(t)
        cut = math.ceil(threshold)
    else:  # "<=" / ">": sum <= floor(t), i.e. not sum >= floor(t) + 1
        cut = math.floor(threshold) + 1
    at_least = _cp().Domain(cut, max(cut, high))
    below = _cp().Domain(min(cut - 1, low), cut - 1)
    return (at_least, below) if op in (">=", ">") else (below, at_least)
