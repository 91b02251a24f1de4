"""The backend for boolean catalogs the junction tree refuses: d-DNNF answers, SAT explanations.

When d4 cannot compile the catalog within its limits, the same questions go
to `sat_oracle.SatOracle` instead (incremental SAT, MaxSAT, Ganak): exact
still, slower per pick.

`Catalog` uses it when a catalog's rules are all boolean (`cnf.is_boolean`) and
the junction tree cannot bound them (a rule too wide to enumerate, measured on
the catalog, or the tree's own refusal). The catalog becomes a CNF
(`cnf.py`), compiled once to a d-DNNF (`ddnnf.py`, d4 in a child process);
every question is then a pass over the circuit:
- domains: which option literals some model still makes true, and whether
  "nothing chosen" is still possible, under the picks and customer facts;
- counts: exact integers;
- cheapest completion and repairs: the least-cost model, with a penalty above
  any price for each pick given up, exactly as the junction tree does it;
- explanations: a minimal core of an incremental SAT solver over the same CNF,
  each rule's clauses guarded by a selector (`sat.shrink_core`).
"""

from __future__ import annotations

import threading

import numpy as np
from pysat.solvers import Solver

from .cnf import BooleanEncoding, _pushed
from .compile import _price_scale, _scaled
from .ddnnf import Circuit, CompilationFailed, compile_cnf
from .model import CatalogModel, Constraint
from .results import Choices
from .sat import SOLVER_NAME, shrink_core
from .sat_oracle import SatOracle

Pick = tuple[str, str]


class BooleanSpace:
    """A boolean catalog's solution space as a d-DNNF, and its SAT twin for explanations."""

    def __init__(self, model: CatalogModel, *, compiled: bool = True, compiler=compile_cnf):
        """`compiled`: try d4 first (the default); False goes straight to the SAT fallback.

        `compiler` turns the DIMACS text into d4's NNF text (a compiled store
        passes one that reads a stored circuit first).
        """
        self.model = model
        self.encoding = BooleanEncoding.of(model)
        self.fallback_reason = "" if compiled else "asked for"
        self.circuit: Circuit | SatOracle
        if compiled:
            try:
                self.circuit = Circuit(compiler(self.encoding.dimacs()), self.encoding.variables)
            except CompilationFailed as error:
                self.fallback_reason = error.args[0]  # a said(...): the check writes it in the reader's language
        if self.fallback_reason:
            interest = list(self.encoding.option_lit.values()) + list(self.encoding.empty_lit.values())
            self.circuit = SatOracle(self.encoding.clauses, self.encoding.variables, interest)
        self._solver: Solver | None = None
        # the plain CNF, for complete configurations (built now: 0.1-0.5 s on automotive01)
        self._checker = Solver(name=SOLVER_NAME, bootstrap_with=self.encoding.clauses)
        self._selector: dict[int, int] = {}
        self._lock = threading.Lock()
        # per feature, (option id, literal) pairs and the "nothing chosen" literal, for reading domains fast
        self._options = {
            f.id: [(o.id, self.encoding.option_lit[(f.id, o.id)]) for o in f.options] for f in model.features
        }
        # options in catalog order (features in catalog order, their options in order)
        self._option_ids = {f.id: [o.id for o in f.options] for f in model.features}
        self._all_option_lits = np.array(
            [self.encoding.option_lit[(f.id, o.id)] for f in model.features for o in f.options], dtype=np.int64
        )
        self._optional_features = [f.id for f in model.features if f.min == 0]
        self._optional_empty_lits = np.array(
            [self.encoding.empty_lit[f] for f in self._optional_features], dtype=np.int64
        )
        scale = _price_scale(model)
        self.cost_true = np.zeros(self.encoding.variables + 1, dtype=np.int64)
        for feature in model.features:
            for option in feature.options:
                self.cost_true[self.encoding.option_lit[(feature.id, option.id)]] = _scaled(option.price, scale)

    def stats(self) -> dict:
        """Sizes for `catalog check` and benchmarks."""
        figures = {
            "backend": self.circuit.kind if self.fallback_reason else "d-DNNF (d4)",
            "cnf_variables": self.encoding.variables,
            "cnf_clauses": len(self.encoding.clauses),
        }
        if self.fallback_reason:
            figures["fallback_reason"] = self.fallback_reason
        else:
            figures["circuit_nodes"] = len(self.circuit.kind)
            figures["circuit_edges"] = sum(len(edges) for edges in self.circuit.edges)
        return figures

    def _assumptions(self, picks: list[Pick], customer: dict | None) -> list[int]:
        return self.encoding.customer_assumptions(customer) + [
            self.encoding.option_lit[pick] for pick in picks
        ]

    # ------------------------------------------------------------ domains
    def domains(self, picks: list[Pick], customer: dict | None, *, any_customer: bool = False):
        """(consistent, feature -> possible options, features that may stay empty).

        With `any_customer` the facts are left free (for `catalog check`).
        """
        assumed = [self.encoding.option_lit[pick] for pick in picks]
        if not any_customer:
            assumed += self.encoding.customer_assumptions(customer)
        answer = self.circuit.possible(assumed)
        consistent, can_true, can_false = answer
        if not consistent:
            return False, {}, []
        return True, self._read_domains(can_true), self._read_may_be_empty(can_true, can_false)

    def _read_domains(self, can_true: np.ndarray) -> dict[str, list[str]]:
        """Feature -> possible options, with one vectorised look-up for all options."""
        possible = can_true[self._all_option_lits].tolist()
        domains: dict[str, list[str]] = {}
        start = 0
        for feature in self.model.features:
            ids = self._option_ids[feature.id]
            if len(ids) == 1:  # most features of a feature model: a yes/no option
                domains[feature.id] = [ids[0]] if possible[start] else []
            else:
                domains[feature.id] = [o for o, ok in zip(ids, possible[start:start + len(ids)]) if ok]
            start += len(ids)
        return domains

    def _read_may_be_empty(self, can_true: np.ndarray, can_false: np.ndarray) -> list[str]:
        lits = self._optional_empty_lits
        empty = np.where(lits > 0, can_true[np.abs(lits)], can_false[np.abs(lits)]).tolist()
        return [feature for feature, ok in zip(self._optional_features, empty) if ok]

    def alternatives(self, picks: list[Pick], customer: dict | None, feature_ids: list[str]) -> dict[str, list[str]]:
        """For each picked one/optional feature, its possible options with that feature's pick left out."""
        found = {}
        for feature_id in feature_ids:
            feature = self.model.feature(feature_id)
            if len(feature.options) == 1:  # its one option: picked, so possible
                found[feature_id] = [feature.options[0].id]
                continue
            others = [pick for pick in picks if pick[0] != feature_id]
            consistent, can_true, _ = self.circuit.possible(self._assumptions(others, customer))
            found[feature_id] = [option for option, lit in self._options[feature_id] if consistent and can_true[lit]]
        return found

    def is_configuration(self, picks: list[Pick], customer: dict | None) -> bool:
        """True when the picks, with nothing else chosen, are a complete valid configuration."""
        chosen = {self.encoding.option_lit[pick] for pick in picks}
        options = np.where(np.isin(self._all_option_lits, list(chosen)), 1, -1) * self._all_option_lits
        assumed = self.encoding.customer_assumptions(customer) + options.tolist()
        # Every other variable is defined by the options and facts, so unit propagation
        # alone settles them all and meets a conflict exactly when a rule is broken.
        with self._lock:
            holds, _ = self._checker.propagate(assumptions=assumed)
        return bool(holds)

    # ------------------------------------------------------------ counting and cost
    def count(self, customer: dict | None) -> int:
        """The exact number of complete valid configurations for this customer."""
        return self.circuit.count(self.encoding.customer_assumptions(customer))

    def cheapest(self, picks: list[Pick], customer: dict | None, keep: list[Pick] = ()) -> Choices | None:
        """The cheapest configuration with `picks`; each pick in `keep` given up costs more than any price."""
        cost_false = np.zeros_like(self.cost_true)
        if keep:
            penalty = int(self.cost_true.sum()) + 1
            for pick in keep:
                cost_false[self.encoding.option_lit[pick]] += penalty
        true_vars = self.circuit.cheapest(self._assumptions(picks, customer), self.cost_true, cost_false)
        if true_vars is None:
            return None
        chosen: Choices = {}
        for feature in self.model.features:
            options = tuple(
                o.id for o in feature.options if self.encoding.option_lit[(feature.id, o.id)] in true_vars
            )
            if options:
                chosen[feature.id] = options
        return chosen

    # ------------------------------------------------------------ explanations
    def _sat(self) -> Solver:
        """The CNF with one selector per rule, built on the first explanation."""
        if self._solver is None:
            self._selector, clauses = _guarded(self.encoding)
            self._solver = Solver(name=SOLVER_NAME, bootstrap_with=clauses)
        return self._solver

    def cases_never_arising(self, positions: list[int]) -> list[int]:
        """Of these `if`/`forbid` rules, those whose case no configuration reaches under the other rules.

        One SAT call per rule, on a copy of the CNF that also defines each case
        as a literal; the rule itself is switched off by its selector.
        """
        if not positions:
            return []
        probe = self.encoding.fork()
        cases = {}
        for position in positions:
            constraint = self.model.constraints[position]
            case = constraint.condition if constraint.kind == "if" else constraint.expr
            cases[position] = probe.literal(_pushed(case))
        selector, clauses = _guarded(probe)
        never = []
        every_rule = list(selector.values())
        with Solver(name=SOLVER_NAME, bootstrap_with=clauses) as solver:
            for position, lit in cases.items():
                own = selector.get(position)
                others = [s for s in every_rule if s != own]
                if not solver.solve(assumptions=others + [lit]):
                    never.append(position)
        return never

    def minimal_reason(
        self, picks: list[Pick], customer: dict | None, target: Pick | None, *, any_customer: bool = False
    ) -> tuple[list[Pick], list[Constraint]]:
        """A minimal set of picks and rules that rule out `target` (or, without one, clash)."""
        with self._lock:
            solver = self._sat()
            hard = [] if any_customer else self.encoding.customer_assumptions(customer)
            if target is not None:
                hard.append(self.encoding.option_lit[target])
            pick_of_lit: dict[int, Pick] = {}
            for pick in picks:
                pick_of_lit.setdefault(self.encoding.option_lit[pick], pick)
            rule_of_lit = {lit: rule for rule, lit in self._selector.items()}
            core = shrink_core(solver, hard, list(pick_of_lit) + list(rule_of_lit))
        if core is None:
            return [], []
        selections = [pick_of_lit[lit] for lit in core if lit in pick_of_lit]
        rules = sorted(rule_of_lit[lit] for lit in core if lit in rule_of_lit)
        return selections, [self.model.constraints[rule] for rule in rules]


def _guarded(encoding: BooleanEncoding) -> tuple[dict[int, int], list[list[int]]]:
    """(selector variable per rule, the clauses with each rule's clauses guarded by its selector)."""
    top = encoding.variables
    selector: dict[int, int] = {}
    clauses = []
    for clause, rule in zip(encoding.clauses, encoding.rule_of_clause):
        if rule is None:
            clauses.append(clause)
            continue
        if rule not in selector:
            top += 1
            selector[rule] = top
        clauses.append([-selector[rule], *clause])
    return selector, clauses
