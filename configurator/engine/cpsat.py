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
  has no totals) rules out in one pass what the other rules alone forbid
  (it is not built when a rule is a circuit; a pin's left-out values are
  never asked either way).
  Solutions already found (witnesses.py: kept across picks and customers),
  their one-feature neighbours and their greedy repairs (repair.py: the value
  put in, then the changes that bring the totals back within their bounds)
  mark values at no cost, and what the solver proved impossible under some
  pins before (witnesses.Proofs, with the pins its proof needed) rules values
  out wherever those pins hold. The rest, the domains
  and each pick's alternatives together, go to one model per round: "a
  solution with a value not yet marked, or with one pick lifted and a value
  of that feature not yet marked", maximising how many it marks within a
  small deterministic budget; every solution the solver meets on the way is
  kept, and "infeasible" proves every remaining value impossible at once;
- cheapest completion and repairs: one minimisation;
- minimal explanations: rule selectors and picks as assumptions, the
  solver's sufficient assumptions shrunk by deletion (set-minimal);
- counts: not from CP-SAT (it enumerates); the catalog asks `counter`, the
  exact running-total tree, built only when a count is asked for.

Every answer is proved by the solver (no time limit decides an answer), so
the backend is exact; it costs a few solver calls per pick.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from .compile import CompiledProblem, LinearAtom
from .repair import Repairs
from .sat import SatEncoding
from .witnesses import Neighbours, Proofs, Witnesses, agreeing, allowed_values

# A round's solve maximises how many unmarked values one solution covers, within this deterministic
# budget (about milliseconds, the same under any machine load); any solution it returns still marks at
# least one value, and only a proof of "no solution" rules values out.
COVER_BUDGET = 0.01
# Witnesses agreeing with a pick whose one-feature neighbours are tried before asking the solver.
NEIGHBOURS_OF = 8
# ... and of which two features changed together are tried (a batch of rows per target value).
PAIRED_FROM = 2
# Presolve and probing cost 80 ms a call on the city bike and gain nothing on models this small (6 ms).
FAST = {"num_workers": 1, "cp_model_presolve": False, "cp_model_probing_level": 0,
        "symmetry_level": 0, "linearization_level": 0}


def _cp():
    """OR-tools' CP-SAT module, imported on first use: with pandas and protobuf it takes about
    1.8 s, which every process (CLI, web, worker) would pay for the few catalogs that need it."""
    from ortools.sat.python import cp_model

    return cp_model


def _solver(budget: float | None = None):
    """A one-thread solver; `budget`: a deterministic time limit (load-independent), None for none."""
    solver = _cp().CpSolver()
    for name, value in FAST.items():
        setattr(solver.parameters, name, value)
    if budget is not None:
        solver.parameters.max_deterministic_time = budget
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
        # where each value's literal sits in a solution, to read values off it in one step
        self._lit_index = np.array([lit - 1 for lits in self.value_lits for lit in lits], dtype=np.int64)
        self._lit_var = np.array([var for var, lits in enumerate(self.value_lits) for _ in lits], dtype=np.int64)
        self._lit_value = np.array([value for lits in self.value_lits for value in range(len(lits))], dtype=np.int32)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)  # each variable's first value
        self.flat_var = np.repeat(np.arange(len(self.sizes)), self.sizes)
        self.flat_value = np.concatenate([np.arange(size) for size in self.sizes]) if self.sizes else self.flat_var
        self._witnesses = Witnesses(len(self.sizes))
        self.proofs = Proofs()
        self.neighbours = Neighbours(problem)
        self.repairs = Repairs(self.neighbours)
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
            literals += [self._lit(model, lit) for lit in self.pin_lits(var, allowed)]
        return literals

    def pin_lits(self, var: int, allowed: object) -> list[int]:
        """The SAT literals saying `var` meets its evidence: its value's, or "not" each value left out."""
        lits = self.value_lits[var]
        if isinstance(allowed, (int, np.integer)):
            return [lits[int(allowed)]]
        wanted = allowed_values(allowed, len(lits))
        return [-lits[value] for value in range(len(lits)) if value not in wanted]

    def _solve(self, model, assumptions: list, budget: float | None = None):
        """(status, values per variable of the solution returned, or None)."""
        status, values, _, _ = self._search(model, assumptions, budget)
        return status, values

    def _search(self, model, assumptions: list, budget: float | None = None):
        """(status, the solution returned or None, every solution met on the way as rows, and when
        infeasible the assumptions the solver needed for that, as proto literals).

        Each of them (an optimisation improves on several) is kept as a witness:
        each is a valid configuration.
        """
        model.clear_assumptions()
        model.add_assumptions(assumptions)
        solver = _solver(budget)
        harvest = _harvest_class()(self._values_of)
        status = solver.solve(model, harvest)
        self.solves += 1
        found = np.array(harvest.rows, dtype=np.int32).reshape(-1, len(self.sizes))
        values = None
        if status in (_cp().OPTIMAL, _cp().FEASIBLE):
            values = self._values_of(solver.response_proto.solution)
            found = np.vstack([found, values[None, :]])
        self._witnesses.add(found)
        core = list(solver.sufficient_assumptions_for_infeasibility()) if status == _cp().INFEASIBLE else []
        return status, values, found, core

    def _values_of(self, solution) -> np.ndarray:
        """The value of every variable in a CP-SAT solution (its literals are one-hot per variable)."""
        on = np.asarray(solution, dtype=np.int8)[self._lit_index] == 1
        values = np.zeros(len(self.sizes), dtype=np.int32)
        values[self._lit_var[on]] = self._lit_value[on]
        return values

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
            if len(self._witnesses.agreeing(evidence, self.sizes)):
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
            search = _DomainSearch(self, evidence, leave_out, relaxed, relaxed_without)
            search.rule_out(self.proofs)
            search.mark(self._witnesses.rows)
            search.try_neighbours()
            if not search.settle(lift_pins=False):  # the domains first: then only alternatives are left open
                return False, nothing, {}
            search.settle(lift_pins=True)
            return True, search.possible, search.without

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


class _DomainSearch:
    """One question's domains and each left-out pin's alternatives, settled as cheaply as the catalog allows.

    Known solutions and their neighbours mark values first (witnesses.py);
    `settle` then asks the solver in rounds, each about every value still
    open. A row agreeing with every pin marks the domains and every
    alternative; a row that differs from the pins in one left-out variable
    marks only that variable's alternatives.
    """

    def __init__(self, space: CpSatSpace, evidence: dict[int, object], leave_out: list[int],
                 relaxed, relaxed_without: dict[int, np.ndarray]):
        self.space = space
        self.evidence = evidence
        self.columns = list(evidence)
        self.pins = np.array([int(evidence[var]) if isinstance(evidence[var], (int, np.integer)) else -1
                              for var in self.columns], dtype=np.int32)
        # every variable's values side by side (space.offsets), so marking a batch of rows is one step
        self.flat_possible = np.zeros(space.offsets[-1], dtype=bool)
        self.flat_wanted = np.zeros(space.offsets[-1], dtype=bool)
        for var in space.read_vars:  # only values the relaxation (every rule but the sums) allows can be possible
            self.flat_wanted[space.offsets[var]:space.offsets[var + 1]] = True if relaxed is None else relaxed[var]
        for var, allowed in evidence.items():
            # nor a value the variable's own pin leaves out: without a relaxation (a catalog with circuits)
            # each pick's older values took a solver round, always infeasible, to be ruled out
            span = slice(space.offsets[var], space.offsets[var + 1])
            self.flat_wanted[span] &= np.isin(np.arange(space.sizes[var]),
                                              sorted(allowed_values(allowed, space.sizes[var])))
        self.possible = np.split(self.flat_possible, space.offsets[1:-1])  # views, one per variable
        # each left-out variable's alternatives, side by side in the same flat layout (zero elsewhere)
        self.leave = np.array(leave_out, dtype=np.int64)
        self.leave_column = np.array([self.columns.index(var) if var in evidence else -1 for var in leave_out],
                                     dtype=np.int64)
        self.flat_without = np.zeros(space.offsets[-1], dtype=bool)
        self.flat_wanted_without = np.zeros(space.offsets[-1], dtype=bool)
        for var in leave_out:
            span = slice(space.offsets[var], space.offsets[var + 1])
            self.flat_wanted_without[span] = relaxed_without.get(var, True)
        self.without = {var: self.flat_without[space.offsets[var]:space.offsets[var + 1]] for var in leave_out}
        self.consistent = False
        self._copy = None

    def _mismatch(self, rows: np.ndarray) -> np.ndarray:
        """Per row and pinned variable (in `columns` order), whether the row breaks that pin."""
        if not self.columns:
            return np.zeros((len(rows), 0), dtype=bool)
        mismatch = rows[:, self.columns] != self.pins
        for column in np.flatnonzero(self.pins < 0):  # a set of allowed values, not one value
            var = self.columns[column]
            mismatch[:, column] = ~agreeing(rows, {var: self.evidence[var]}, self.space.sizes)
        return mismatch

    def mark(self, rows: np.ndarray) -> np.ndarray:
        """Mark what these solutions prove possible; returns which rows marked something new (the first row,
        in order, to mark each value, so a batch of look-alike rows keeps one witness per value)."""
        fresh = np.zeros(len(rows), dtype=bool)
        if not len(rows):
            return fresh
        mismatch = self._mismatch(rows)
        wrong = mismatch.sum(axis=1)
        agree = wrong == 0
        if agree.any():
            self.consistent = True
            flat = rows[agree] + self.space.offsets[:-1]
            owner = np.repeat(np.flatnonzero(agree), flat.shape[1])
            fresh[_first_to_mark(owner, flat.ravel(), ~self.flat_wanted | self.flat_possible)] = True
            self.flat_possible[flat.ravel()] = True
        if len(self.leave):
            # per row and left-out variable: the row has every pin but perhaps that variable's
            lifted = np.repeat(agree[:, None], len(self.leave), axis=1)
            pinned = self.leave_column >= 0
            lifted[:, pinned] |= (wrong == 1)[:, None] & mismatch[:, self.leave_column[pinned]]
            flat = (rows[:, self.leave] + self.space.offsets[self.leave])[lifted]
            fresh[_first_to_mark(np.nonzero(lifted)[0], flat, self.flat_without)] = True
            self.flat_without[flat] = True
        return fresh

    def open_values(self) -> list[tuple[int, int]]:
        flat = np.flatnonzero(self.flat_wanted & ~self.flat_possible)
        return list(zip(self.space.flat_var[flat].tolist(), self.space.flat_value[flat].tolist()))

    def open_alternatives(self) -> dict[int, list[int]]:
        flat = np.flatnonzero(self.flat_wanted_without & ~self.flat_without)
        found: dict[int, list[int]] = {}
        for var, value in zip(self.space.flat_var[flat].tolist(), self.space.flat_value[flat].tolist()):
            found.setdefault(var, []).append(value)
        return found

    def try_neighbours(self) -> None:
        """Mark the open values that one feature changed in a known solution gives.

        Two kinds of change: a solution with the pins gets an open value of a
        free feature or of a left-out pin; and a solution that breaks one pin
        (u) gets u's pin back, which serves when it also breaks a second pin
        v with an open alternative of v. The second kind is what the previous
        pick's solutions look like from this pick: without the new pin, and
        with the older pins' alternatives. The rows that marked something new
        are kept as witnesses for the next pick.
        """
        space = self.space
        rows = space._witnesses.rows
        mismatch = self._mismatch(rows)
        wrong = mismatch.sum(axis=1)
        found = []
        base = rows[wrong == 0][:NEIGHBOURS_OF]
        if len(base):
            changes: dict[int, set[int]] = {}
            for var, value in self.open_values():
                if var not in self.evidence:
                    changes.setdefault(var, set()).add(value)
            for var, values in self.open_alternatives().items():
                changes.setdefault(var, set()).update(values)
            found += [(base, var, sorted(values)) for var, values in changes.items()]
        for column, var in enumerate(self.columns):
            pin = self.evidence[var]
            if not isinstance(pin, (int, np.integer)):
                continue
            near = rows[(wrong >= 1) & (wrong <= 2) & mismatch[:, column]][:4 * NEIGHBOURS_OF]
            found.append((near, var, [int(pin)]))
        more = space.neighbours.changed_many(found)  # one check for every change: numpy per call, not per row
        space._witnesses.add(more[self.mark(more)])
        targets = [(var, value) for var, value in self.open_values() if var not in self.evidence]
        targets += [(var, value) for var, values in self.open_alternatives().items() for value in values]
        if len(base) and targets:
            free = [var for var in space.neighbours.flippable if var not in self.evidence]
            more = space.neighbours.paired(base[:PAIRED_FROM], targets, free)
            space._witnesses.add(more[self.mark(more)])
            self.repair_from(base[:PAIRED_FROM])

    def neighbours_of(self, base: np.ndarray) -> None:
        """Mark what one free feature changed to an open value in these solutions with the pins gives."""
        changes: dict[int, list[int]] = {}
        for var, value in self.open_values():
            if var not in self.evidence:
                changes.setdefault(var, []).append(value)
        for var, values in self.open_alternatives().items():
            changes.setdefault(var, []).extend(values)
        if changes and len(base):
            more = self.space.neighbours.changed_many([(base, var, values) for var, values in changes.items()])
            self.space._witnesses.add(more[self.mark(more)])

    def repair_from(self, base: np.ndarray) -> None:
        """Mark what repairs (repair.py) of these solutions with the pins give of the open values."""
        targets = [(var, value) for var, value in self.open_values() if var not in self.evidence]
        targets += [(var, value) for var, values in self.open_alternatives().items() for value in values]
        if targets and len(base):
            free = sorted(var for var in self.space.neighbours.flippable if var not in self.evidence)
            more = self.space.repairs.repaired(base, targets, free)
            self.space._witnesses.add(more[self.mark(more)])

    def settle(self, lift_pins: bool) -> bool:
        """Solver rounds until every open value is marked or proved impossible; whether the pins have a solution.

        Each round asks for a solution with the pins and an open value, or
        (`lift_pins`) with one left-out pin lifted (switch s_v) and an open
        alternative of v, preferring the first kind and as many open values
        as it finds within the budget. "Infeasible" settles every open value.
        """
        space = self.space
        while True:
            open_values = self.open_values()
            lifted = self.open_alternatives() if lift_pins else {}
            if not open_values and not lifted:
                return self.consistent
            model, rules = self._model()
            pins = space._assumptions({var: a for var, a in self.evidence.items() if var not in lifted}, model)
            gate = model.new_bool_var("")
            wanted = [space._lit(model, space.value_lits[var][value]) for var, value in open_values]
            switches = [self._lift(model, gate, var, values, len(rules)) for var, values in lifted.items()]
            model.add_bool_or(wanted + switches).only_enforce_if(gate)
            if len(switches) > 1:
                model.add_at_most_one(switches)
            if wanted:  # many values per solution, within the budget; else any solution settles one
                model.maximize(sum(wanted) - (len(wanted) + 1) * sum(switches))
            status, _, found, core = space._search(model, [*pins, gate], COVER_BUDGET if wanted else None)
            model.clear_objective()
            if status == _cp().UNKNOWN:  # the budget ran out before any solution: decide without the objective
                status, _, found, core = space._search(model, [*pins, gate])
            if status == _cp().INFEASIBLE:  # every open value is impossible
                self._keep_proof(core, gate, open_values, lifted)
                self.flat_wanted[:] = self.flat_possible
                for var in lifted:  # only the alternatives this round asked about: not the domain rounds'
                    span = slice(space.offsets[var], space.offsets[var + 1])
                    self.flat_wanted_without[span] = self.flat_without[span]
                return self.consistent
            self.mark(found)
            # a new solution is often in another corner of the totals: its neighbours and repairs settle
            # values there that the older solutions' could not reach, each one a solver round fewer
            newest = found[~self._mismatch(found).any(axis=1)][-1:]
            self.neighbours_of(newest)
            self.repair_from(newest)

    def rule_out(self, proofs: Proofs) -> None:
        """Take out of the open values what earlier solver proofs (kept in `proofs`) rule out here."""
        space = self.space
        pins = {var: frozenset(space.pin_lits(var, allowed)) for var, allowed in self.evidence.items()}
        given = frozenset().union(*pins.values())
        for needs, flat in proofs.applying(given):
            self.flat_wanted[flat] = False
            for var in self.without:  # an alternative of v is asked without v's pin
                if not needs & pins.get(var, frozenset()):
                    self.flat_wanted_without[flat[space.flat_var[flat] == var]] = False

    def _keep_proof(self, core: list[int], gate, open_values: list[tuple[int, int]],
                    lifted: dict[int, list[int]]) -> None:
        """Keep what an infeasible round proved, for later questions: with the pins the solver needed (its
        core, and the lifted pins, which are clauses rather than assumptions), none of the open values."""
        space = self.space
        if gate.index not in core:  # the pins alone clash: this question has no solution, nothing to keep
            return
        given = {proto + 1 if proto >= 0 else proto for proto in core if proto != gate.index}
        needs = frozenset(given - set(space.rule_lits.values()))
        lifted_pins = {var: frozenset(space.pin_lits(var, self.evidence[var])) for var in lifted if var in self.evidence}
        every_lifted = frozenset().union(*lifted_pins.values())
        if open_values:
            space.proofs.add(needs | every_lifted, [space.offsets[var] + value for var, value in open_values])
        for var, values in lifted.items():
            others = every_lifted - lifted_pins.get(var, frozenset())
            space.proofs.add(needs | others, [space.offsets[var] + value for value in values])

    def _model(self):
        """(this question's copy of the model, the rule literals in it): copied once, and only when the
        solver is needed (a copy costs about a millisecond); each round's constraints are switched off
        in later rounds by their own gate literal."""
        if self._copy is None:
            model = self.space.model.clone()
            self._copy = model, self.space._assumptions({}, model)
        return self._copy

    def _lift(self, model, gate, var: int, values: list[int], rules: int):
        """A switch that lifts `var`'s pin and then asks for one of `values`."""
        space = self.space
        switch = model.new_bool_var("")
        pin = {var: self.evidence[var]} if var in self.evidence else {}
        for lit in space._assumptions(pin, model)[rules:]:
            model.add_bool_or([lit, switch]).only_enforce_if(gate)
        model.add_bool_or([space._lit(model, space.value_lits[var][value]) for value in values]).only_enforce_if(
            [gate, switch])
        return switch


def _first_to_mark(owner: np.ndarray, flat: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The rows (`owner` of each flat value index in `flat`) that are the first to mark a value not `known`."""
    new = ~known[flat]
    _, first = np.unique(flat[new], return_index=True)
    return owner[new][first]


@functools.cache
def _harvest_class():
    """A solution callback that keeps the values of every solution the solver meets (built on first use)."""

    class Harvest(_cp().CpSolverSolutionCallback):
        def __init__(self, read):
            super().__init__()
            self.read, self.rows = read, []

        def on_solution_callback(self) -> None:
            self.rows.append(self.read(self.Response().solution))

    return Harvest


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
