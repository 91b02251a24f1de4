"""The same questions as a d-DNNF circuit, answered by SAT calls: the fallback when d4 cannot compile.

`BooleanSpace` asks its solution space three things: which literals some
model still allows (`possible`), how many models there are (`count`) and the
cheapest model (`cheapest`). When d4 exceeds its time or memory limit, this
class answers them on the CNF itself, exactly:
- possible: MiniSat under assumptions. Every model found proves every literal
  it sets, and models are kept and reused on later questions whose
  assumptions they satisfy (witness reuse); what unit propagation implies
  costs nothing. The literals still unproved are then asked all at once, as
  one clause "one of these" switched on by a fresh activation literal
  (backbone chunking): a model proves at least one of them, usually many
  (the solver's phases are set to them), and "no model" proves every one of
  them impossible in a single call, where asking literal by literal took one
  call each.
  Only the literals the domains read (options, "nothing chosen") are probed.
- count: Ganak (PyPI `pyganak`), an exact model counter; slow on large
  models (automotive01: about 20 s of CPU), so `catalog check` says so.
- cheapest: exact weighted MaxSAT (RC2, python-sat): each variable's price
  difference between its two values is one soft clause.
"""

from __future__ import annotations

import threading

import numpy as np
from pysat.solvers import Solver

from .sat import SOLVER_NAME

WITNESSES_KEPT = 64
# Domains are probed with MiniSat 2.2, not CaDiCaL: it takes the phases it is
# given as strict decisions, so each model sets as many of the still-unproved
# literals as the clauses allow. On the Linux kernel model that is 5-40 calls
# a pick instead of 50-140 (`python -m bench.walks --model linux`).
PROBING_SOLVER = "m22"


class SatOracle:
    """Domains, counts and cheapest models of a CNF by SAT, MaxSAT and model counting calls."""

    kind = "incremental SAT (MiniSat)"

    def __init__(self, clauses: list[list[int]], variables: int, interest: list[int]):
        self.clauses = clauses
        self.variables = variables
        self.interest = np.array(sorted(set(interest)), dtype=np.int64)  # the literals whose possibility is asked
        self.solver = Solver(name=PROBING_SOLVER, bootstrap_with=clauses)
        self.lock = threading.Lock()
        self.witnesses: list[np.ndarray] = []  # models, as +1 / -1 per variable (index 0 unused)
        self._next_activation = variables + 1  # fresh variables past the CNF's, one per chunk clause

    def possible(self, assumed: list[int]) -> tuple[bool, np.ndarray, np.ndarray]:
        """(consistent, can_true, can_false) for the literals of interest (others as far as models show)."""
        assumed = [int(lit) for lit in assumed]
        can_true = np.zeros(self.variables + 1, dtype=bool)
        can_false = np.zeros(self.variables + 1, dtype=bool)
        with self.lock:
            if not self.solver.solve(assumptions=assumed):
                return False, can_true, can_false
            self._prove(self._model(self.solver.get_model()), can_true, can_false)
            for witness in self._agreeing(assumed):
                self._prove(witness, can_true, can_false)
            settled = np.array(sorted(self._implied(assumed) | set(assumed)), dtype=np.int64)
            settled_true, settled_false = _split(settled, self.variables)
            # a literal is done once a model sets it, or once unit propagation settles its variable the other way
            unproved = self._unproved(can_true | settled_false, can_false | settled_true)
            while len(unproved):
                model = self._model_with_one_of(assumed, unproved)
                if model is None:
                    break  # no model sets any of them: all impossible
                self._prove(self._model(model), can_true, can_false)
                unproved = self._unproved(can_true | settled_false, can_false | settled_true)
        return True, can_true, can_false

    def _unproved(self, done_true: np.ndarray, done_false: np.ndarray) -> np.ndarray:
        lits = self.interest
        done = np.where(lits > 0, done_true[np.abs(lits)], done_false[np.abs(lits)])
        return lits[~done]

    def _model_with_one_of(self, assumed: list[int], lits: np.ndarray) -> list[int] | None:
        """A model under `assumed` that sets one of `lits`, or None when there is none."""
        wanted = lits.tolist()
        activation = self._next_activation
        self._next_activation += 1
        self.solver.add_clause([-activation, *wanted])
        self.solver.set_phases(wanted)
        found = self.solver.solve(assumptions=[*assumed, activation])
        model = self.solver.get_model() if found else None
        self.solver.add_clause([-activation])  # retired: the clause never constrains a later call
        return model

    def _model(self, model: list[int]) -> np.ndarray:
        """A model as signs per CNF variable (activation variables dropped), kept as a witness."""
        signs = np.zeros(self.variables + 1, dtype=np.int8)
        values = np.array(model[: self.variables], dtype=np.int64)
        signs[np.abs(values)] = np.sign(values)
        self.witnesses.append(signs)
        del self.witnesses[:-WITNESSES_KEPT]
        return signs

    def _agreeing(self, assumed: list[int]) -> list[np.ndarray]:
        """Kept models that satisfy the assumptions: each still proves what it sets."""
        lits = np.array(assumed, dtype=np.int64)
        return [w for w in self.witnesses if not len(lits) or (w[np.abs(lits)] == np.sign(lits)).all()]

    @staticmethod
    def _prove(signs: np.ndarray, can_true: np.ndarray, can_false: np.ndarray) -> None:
        can_true |= signs > 0
        can_false |= signs < 0

    def _implied(self, assumed: list[int]) -> set[int]:
        """Literals unit propagation derives from the assumptions (their negations are impossible)."""
        _, implied = self.solver.propagate(assumptions=assumed)
        return set(implied or ())

    def count(self, assumed: list[int]) -> int:
        """The exact number of models under `assumed` (Ganak)."""
        import pyganak

        counter = pyganak.Counter()
        counter.new_vars(self.variables)
        counter.add_clauses(self.clauses + [[int(lit)] for lit in assumed])
        return counter.count()

    def cheapest(self, assumed: list[int], cost_true: np.ndarray, cost_false: np.ndarray) -> set[int] | None:
        """The true variables of a least-cost model under `assumed` (exact MaxSAT), or None."""
        # imported here: only the SAT fallback asks, and every process (CLI, web) would pay for it
        from pysat.examples.rc2 import RC2
        from pysat.formula import WCNF

        formula = WCNF()
        formula.extend(self.clauses)
        formula.extend([[int(lit)] for lit in assumed])
        for var in range(1, self.variables + 1):
            gap = int(cost_true[var]) - int(cost_false[var])
            if gap > 0:
                formula.append([-var], weight=gap)
            elif gap < 0:
                formula.append([var], weight=-gap)
        with RC2(formula, solver=SOLVER_NAME) as maxsat:
            model = maxsat.compute()
        if model is None:
            return None
        return {lit for lit in model if 0 < lit <= self.variables}


def _split(lits: np.ndarray, variables: int) -> tuple[np.ndarray, np.ndarray]:
    """Per variable: is it settled true, is it settled false (by these literals)?"""
    settled_true = np.zeros(variables + 1, dtype=bool)
    settled_false = np.zeros(variables + 1, dtype=bool)
    lits = lits[np.abs(lits) <= variables]
    settled_true[lits[lits > 0]] = True
    settled_false[-lits[lits < 0]] = True
    return settled_true, settled_false
