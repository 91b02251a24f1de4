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

- domains: a value is possible iff some solution has it. The junction tree of
  the same form without the linear constraints (the *relaxation*, small: it
  has no totals) rules out in one pass what the other rules alone forbid.
  Solutions already found (witnesses, kept across picks) mark values at no
  cost; each solve then
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
# Witnesses whose one-feature neighbours are tried before asking the solver.
FLIP_FROM = 3
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

    def __init__(self, problem: CompiledProblem, counter: Callable[[dict], int] | None = None,
                 relaxation=None):
        """`relaxation`: a junction tree over `problem` (which lacks the linear constraints), or None."""
        self.problem = problem
        self.counter = counter
        self.relaxation = relaxation
        self.sizes = [variable.size for variable in problem.variables]
        # the variables Catalog reads domains from; the others (comparisons, totals) need no proof
        self.read_vars = sorted({*problem.feature_var.values(), *problem.option_var.values(),
                                 *problem.count_var.values()})
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
        self._flips = _Flips(problem)
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

    def satisfiable(self, evidence: dict[int, object]) -> bool:
        """True when some valid configuration meets the evidence (as `JunctionTree.satisfiable`): a known
        solution, or one solver call."""
        if self.relaxation is not None and not self.relaxation.satisfiable(evidence):
            return False
        with self._lock:
            if len(self._witnesses_of(evidence)):
                return True
            model = self.model.clone()
            return self._solve(model, self._assumptions(evidence, model))[1] is not None

    def domains_leaving_out(
        self, evidence: dict[int, object], leave_out: list[int]
    ) -> tuple[bool, list[np.ndarray], dict[int, np.ndarray]]:
        """As `JunctionTree.domains_leaving_out`: domains (of the feature, option and count variables), and each
        left-out variable's domain without its pin."""
        nothing = [np.zeros(size, dtype=bool) for size in self.sizes]
        relaxed, relaxed_without = None, {}
        if self.relaxation is not None:
            consistent, relaxed, relaxed_without = self.relaxation.domains_leaving_out(evidence, leave_out)
            if not consistent:
                return False, nothing, {}
        with self._lock:
            possible = self._possible(evidence, self.read_vars, relaxed)
            if possible is None:
                return False, nothing, {}
            return True, possible, self._without(evidence, leave_out, relaxed_without)

    def _without(self, evidence: dict[int, object], leave_out: list[int], relaxed: dict[int, np.ndarray]):
        """Each left-out variable's domain with every other pin kept, for all of them at once.

        One model asks "for some left-out variable v, a solution with every pin
        but v's and a value of v not yet found": a switch c_v per variable, at
        most one on, lifts v's pin. A solution marks a new value; "infeasible"
        proves every remaining value of every left-out variable impossible in
        one call (one call per variable before).
        """
        without = {var: np.zeros(self.sizes[var], dtype=bool) for var in leave_out}
        rests = {var: {other: value for other, value in evidence.items() if other != var} for var in leave_out}
        for var in leave_out:
            without[var][self._witnesses_of(rests[var])[:, var]] = True
        near = self._witnesses_of(evidence)[:FLIP_FROM]
        for var in leave_out:
            for value in np.flatnonzero(~without[var] & relaxed.get(var, True)).tolist():
                if any(self._flips.valid(row, var, value) is not None for row in near):
                    without[var][value] = True
        model = self.model.clone()
        rules = self._assumptions({}, model)
        while True:
            open_values = {
                var: [value for value in range(self.sizes[var])
                      if not without[var][value] and (var not in relaxed or relaxed[var][value])]
                for var in leave_out
            }
            open_values = {var: values for var, values in open_values.items() if values}
            if not open_values:
                return without
            pinned = {var: value for var, value in evidence.items() if var not in open_values}
            hard = rules + self._assumptions(pinned, model)[len(rules):]
            gate = model.new_bool_var("")
            switches = []
            for var, values in open_values.items():
                switch = model.new_bool_var("")
                switches.append(switch)
                pin = self._assumptions({var: evidence[var]} if var in evidence else {}, model)[len(rules):]
                for lit in pin:
                    model.add_bool_or([lit, switch]).only_enforce_if(gate)
                model.add_bool_or([self._lit(model, self.value_lits[var][v]) for v in values]).only_enforce_if(
                    [gate, switch])
            model.add(sum(switches) == 1).only_enforce_if(gate)
            _, values = self._solve(model, [*hard, gate])
            if values is None:
                return without
            for var in leave_out:
                if _matches(values, rests[var], self.sizes):
                    without[var][values[var]] = True

    def _possible(self, evidence: dict[int, object], variables, relaxed=None) -> list[np.ndarray] | None:
        """Which values of `variables` some solution with the evidence has; None when there is none.

        `relaxed` (indexable by variable): values outside it are known impossible.
        """
        possible = [np.zeros(size, dtype=bool) for size in self.sizes]
        self._mark(possible, self._witnesses_of(evidence))
        wanted = [(var, value) for var in variables for value in range(self.sizes[var])
                  if relaxed is None or relaxed[var][value]]
        model = self.model.clone()
        base = self._assumptions(evidence, model)
        near = list(self._witnesses_of(evidence)[:FLIP_FROM])
        while True:
            for row in near:  # neighbours of solutions found: no solver call
                for var, value in wanted:
                    if not possible[var][value] and var not in evidence:
                        flipped = self._flips.valid(row, var, value)
                        if flipped is not None:
                            self._mark(possible, flipped[None, :])
            open_values = [(var, value) for var, value in wanted if not possible[var][value]]
            if not open_values:
                return possible
            values = self._cover(model, base, open_values)
            near = [] if values is None else [values]
            if values is None:  # every solution has some value of each variable: none at all, or none left
                return possible if any(possible[var].any() for var in variables) else None
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
        if self.counter is None:  # a space built for yes/no questions only (engine/check.py)
            raise RuntimeError("this CP-SAT space was built without a counter: ask the catalog's count()")
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

    def satisfiable_with(self, evidence: dict[int, object], rules: list[int]) -> bool:
        """Whether some assignment meets the evidence with only these rules (positions) switched on."""
        with self._lock:
            model = self.model.clone()
            lits = [self._lit(model, self.rule_lits[rule]) for rule in rules if rule in self.rule_lits]
            lits += self._assumptions(evidence, model)[len(self.rule_lits):]
            model.add_assumptions(lits)
            status = _solver().solve(model)  # not `_solve`: with rules off, no solution is a witness
            self.solves += 1
            return status in (_cp().OPTIMAL, _cp().FEASIBLE)

    def stats(self) -> dict[str, int]:
        return {"variables": len(self.sizes), "linear": len(self.problem.linear), "witnesses": len(self._witnesses)}


class _Flips:
    """Neighbours of a solution with one one/optional feature changed, checked in Python (no solver call).

    The new value changes the sums of the linear comparisons it weighs in,
    so their 0/1 variables are recomputed; the neighbour is a solution when
    every factor touching a changed variable still allows its tuple. Multi-
    select options are not flipped (their running count would change too).
    """

    LARGEST = 200_000  # factors with more rows are not kept as sets: flips touching them are not tried

    def __init__(self, problem: CompiledProblem):
        self.problem = problem
        self.flippable = set(problem.feature_var.values())
        self.factors_of: dict[int, list[int]] = {}
        for index, factor in enumerate(problem.factors):
            for var in factor.scope:
                self.factors_of.setdefault(var, []).append(index)
        self.weighs_in: dict[int, list[tuple[LinearAtom, tuple[int, ...]]]] = {}
        for linear in problem.linear:
            for var, weights in linear.terms:
                self.weighs_in.setdefault(var, []).append((linear, weights))
        self._rows: dict[int, set | None] = {}

    def _allowed(self, index: int) -> set | None:
        if index not in self._rows:
            rows = self.problem.factors[index].rows
            self._rows[index] = set(map(tuple, rows.tolist())) if len(rows) <= self.LARGEST else None
        return self._rows[index]

    def valid(self, values: np.ndarray, var: int, value: int) -> np.ndarray | None:
        """`values` with `var` set to `value`, when that is a solution too; else None."""
        if var not in self.flippable:
            return None
        new = values.copy()
        new[var] = value
        changed = [var]
        for linear, weights in self.weighs_in.get(var, ()):
            total = sum(w[int(values[v])] for v, w in linear.terms) - weights[int(values[var])] + weights[value]
            holds = int(_holds(total, linear.op, linear.threshold))
            if holds != new[linear.var]:
                new[linear.var] = holds
                changed.append(linear.var)
        checked: set[int] = set()
        for changed_var in changed:
            for index in self.factors_of.get(changed_var, ()):
                if index in checked:
                    continue
                checked.add(index)
                allowed = self._allowed(index)
                scope = self.problem.factors[index].scope
                if allowed is None or tuple(int(new[v]) for v in scope) not in allowed:
                    return None
        return new


def _holds(total: int, op: str, threshold: Fraction) -> bool:
    return {"<": total < threshold, "<=": total <= threshold, "==": total == threshold,
            "!=": total != threshold, ">=": total >= threshold, ">": total > threshold}[op]


def _matches(values: np.ndarray, evidence: dict[int, object], sizes: list[int]) -> bool:
    """True when the solution `values` agrees with the evidence."""
    for var, allowed in evidence.items():
        if isinstance(allowed, (int, np.integer)):
            if values[var] != int(allowed):
                return False
        elif int(values[var]) not in _allowed_values(allowed, sizes[var]):
            return False
    return True


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
