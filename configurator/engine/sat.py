"""Minimal explanations with an incremental SAT solver (python-sat, CaDiCaL).

The compiled problem is encoded once per catalog: one Boolean per value of
every variable, exactly one true per variable, and each factor as clauses
guarded by a *selector* literal of the catalog rule it comes from. Asking "is
this option possible with these picks and these rules?" is then a solver call
under assumptions, and the solver's unsatisfiable core, shrunk by deletion,
gives a minimal set of picks and rules that rule the option out.
"""

from __future__ import annotations

import threading

from pysat.card import CardEnc, EncType
from pysat.solvers import Solver

from .compile import CompiledProblem

SOLVER_NAME = "cadical195"


class SatEncoding:
    """The catalog as CNF with one selector per rule."""

    def __init__(self, problem: CompiledProblem, *, solver: bool = True):
        """`solver=False` only builds the clauses (`self.clauses`), for another solver to load (cpsat.py)."""
        self.problem = problem
        self.top = 0
        self.clauses: list[list[int]] = []
        self.value_lits = [self._declare(variable.size) for variable in problem.variables]
        for lits in self.value_lits:
            self._exactly_one(lits)
        self.selector: dict[int, int] = {}
        for factor in problem.factors:
            guard = self._selector(factor.constraint)
            self._encode_factor(factor, guard)
        if not solver:
            return
        self.solver = Solver(name=SOLVER_NAME, bootstrap_with=self.clauses)
        self.clauses = []  # the solver holds them now
        self.lock = threading.Lock()

    def _declare(self, count: int) -> list[int]:
        first = self.top + 1
        self.top += count
        return list(range(first, first + count))

    def _exactly_one(self, lits: list[int]) -> None:
        self.clauses.append(list(lits))
        if len(lits) <= 6:
            self.clauses.extend([-a, -b] for i, a in enumerate(lits) for b in lits[i + 1:])
            return
        encoded = CardEnc.atmost(lits=lits, bound=1, top_id=self.top, encoding=EncType.seqcounter)
        self.top = max(self.top, encoded.nv)
        self.clauses.extend(encoded.clauses)

    def _selector(self, constraint: int | None) -> list[int]:
        """The literals to add to a factor's clauses: [-s] for a rule, [] for structure."""
        if constraint is None:
            return []
        if constraint not in self.selector:
            self.selector[constraint] = self._declare(1)[0]
        return [-self.selector[constraint]]

    def _encode_factor(self, factor, guard: list[int]) -> None:
        scope, rows = factor.scope, factor.rows
        if len(scope) == 0:
            if len(rows) == 0:
                self.clauses.append(list(guard))
            return
        if len(scope) == 1:
            lits = self.value_lits[scope[0]]
            self.clauses.append(guard + [lits[v] for v in sorted(set(rows[:, 0].tolist()))])
            return
        if len(scope) == 2:
            self._encode_support(scope, rows, guard)
            return
        self._encode_rows(scope, rows, guard)

    def _encode_support(self, scope, rows, guard) -> None:
        """Binary relation: each value of one side implies its supports on the other."""
        for side, other in ((0, 1), (1, 0)):
            supports: dict[int, set[int]] = {}
            for row in rows.tolist():
                supports.setdefault(row[side], set()).add(row[other])
            mine, theirs = self.value_lits[scope[side]], self.value_lits[scope[other]]
            for value, lit in enumerate(mine):
                allowed = supports.get(value, ())
                self.clauses.append(guard + [-lit] + [theirs[v] for v in sorted(allowed)])

    def _encode_rows(self, scope, rows, guard) -> None:
        """Wider relation: one auxiliary literal per allowed row, plus supports for propagation."""
        row_lits = self._declare(len(rows))
        self.clauses.append(guard + row_lits)
        by_value: list[dict[int, list[int]]] = [{} for _ in scope]
        for lit, row in zip(row_lits, rows.tolist()):
            for position, value in enumerate(row):
                self.clauses.append([-lit, self.value_lits[scope[position]][value]])
                by_value[position].setdefault(value, []).append(lit)
        for position, var in enumerate(scope):
            for value, lit in enumerate(self.value_lits[var]):
                self.clauses.append(guard + [-lit] + by_value[position].get(value, []))

    # ------------------------------------------------------------ questions
    def satisfiable(self, assumptions: list[int]) -> bool:
        """One solver call."""
        with self.lock:
            return bool(self.solver.solve(assumptions=assumptions))

    def minimal_core(self, hard: list[int], soft: list[int]) -> list[int] | None:
        """A set-minimal subset of `soft` that with `hard` is unsatisfiable, or None if all is satisfiable."""
        with self.lock:
            return shrink_core(self.solver, hard, soft)

    def all_rules(self) -> dict[int, int]:
        """Selector literal per rule position (rules that produced at least one factor)."""
        return dict(self.selector)


def shrink_core(solver: Solver, hard: list[int], soft: list[int]) -> list[int] | None:
    """A set-minimal subset of `soft` that with `hard` is unsatisfiable, or None if all is satisfiable.

    Core-guided deletion: start from the solver's core, then try dropping each
    member; a drop that stays unsatisfiable shrinks the set to the new core.
    """
    if solver.solve(assumptions=hard + soft):
        return None
    soft_set = set(soft)
    first = set(solver.get_core() or soft)  # once: asked inside the filter, it cost a call per literal
    core = [lit for lit in soft if lit in first]
    position = 0
    while position < len(core):
        trial = core[:position] + core[position + 1:]
        if solver.solve(assumptions=hard + trial):
            position += 1
            continue
        kept = set(solver.get_core() or trial) & soft_set
        core = [lit for lit in trial if lit in kept]
    return core
