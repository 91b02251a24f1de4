"""The same questions as a d-DNNF circuit, answered by SAT calls: the fallback when d4 cannot compile.

`BooleanSpace` asks its solution space three things: which literals some
model still allows (`possible`), how many models there are (`count`) and the
cheapest model (`cheapest`). When d4 exceeds its time or memory limit, this
class answers them on the CNF itself, exactly:
- possible: CaDiCaL under assumptions. Every model found proves every literal
  it sets, and models are kept and reused on later questions whose
  assumptions they satisfy (witness reuse); what unit propagation implies
  costs nothing; each literal still unproved costs one call, with the
  solver's phases steered toward the unproved ones so each model proves many.
  Only the literals the domains read (options, "nothing chosen") are probed.
- count: Ganak (PyPI `pyganak`), an exact model counter; slow on large
  models (automotive01: about 20 s of CPU), so `catalog check` says so.
- cheapest: exact weighted MaxSAT (RC2, python-sat): each variable's price
  difference between its two values is one soft clause.
"""

from __future__ import annotations

import threading

import numpy as np
from pysat.examples.rc2 import RC2
from pysat.formula import WCNF
from pysat.solvers import Solver

from .sat import SOLVER_NAME

WITNESSES_KEPT = 64


class SatOracle:
    """Domains, counts and cheapest models of a CNF by SAT, MaxSAT and model counting calls."""

    kind = "incremental SAT (CaDiCaL)"

    def __init__(self, clauses: list[list[int]], variables: int, interest: list[int]):
        self.clauses = clauses
        self.variables = variables
        self.interest = sorted(set(interest))  # the literals whose possibility is asked
        self.solver = Solver(name=SOLVER_NAME, bootstrap_with=clauses)
        self.lock = threading.Lock()
        self.witnesses: list[np.ndarray] = []  # models, as +1 / -1 per variable (index 0 unused)

    def possible(self, assumed: list[int]) -> tuple[bool, np.ndarray, np.ndarray]:
        """(consistent, can_true, can_false) for the literals of interest (others as far as models show)."""
        assumed = [int(lit) for lit in assumed]
        can_true = np.zeros(self.variables + 1, dtype=bool)
        can_false = np.zeros(self.variables + 1, dtype=bool)
        with self.lock:
            if not self.solver.solve(assumptions=assumed):
                return False, can_true, can_false
            self._prove(self._model(), can_true, can_false)
            for witness in self._agreeing(assumed):
                self._prove(witness, can_true, can_false)
            settled = self._implied(assumed) | set(assumed)
            for lit in self.interest:
                if _has(can_true, can_false, lit) or -lit in settled:
                    continue
                self._steer(can_true, can_false)
                if self.solver.solve(assumptions=assumed + [lit]):
                    self._prove(self._model(), can_true, can_false)
        return True, can_true, can_false

    def _model(self) -> np.ndarray:
        signs = np.zeros(self.variables + 1, dtype=np.int8)
        model = np.array(self.solver.get_model()[: self.variables], dtype=np.int64)
        signs[np.abs(model)] = np.sign(model)
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

    def _steer(self, can_true: np.ndarray, can_false: np.ndarray) -> None:
        """Prefer the unproved literals, so the next model proves as many as it can."""
        wanted = [lit for lit in self.interest if not _has(can_true, can_false, lit)]
        self.solver.set_phases(wanted)

    def count(self, assumed: list[int]) -> int:
        """The exact number of models under `assumed` (Ganak)."""
        import pyganak

        counter = pyganak.Counter()
        counter.new_vars(self.variables)
        counter.add_clauses(self.clauses + [[int(lit)] for lit in assumed])
        return counter.count()

    def cheapest(self, assumed: list[int], cost_true: np.ndarray, cost_false: np.ndarray) -> set[int] | None:
        """The true variables of a least-cost model under `assumed` (exact MaxSAT), or None."""
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


def _has(can_true: np.ndarray, can_false: np.ndarray, lit: int) -> bool:
    return bool(can_true[lit] if lit > 0 else can_false[-lit])
