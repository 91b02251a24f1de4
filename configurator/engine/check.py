"""`configurator catalog check`: everything that can be wrong with a loaded catalog.

Dead options and unfillable features are judged for *any* customer (the
customer facts are left free), so an option offered only to business accounts
is not dead. The count is for a customer with no facts, as a guest sees it.
"""

from __future__ import annotations

import time

from .bounded import BoundedSpace
from .compile import CompileError, atoms, with_case_indicators
from .cpsat import CpSatSpace
from .graph import independent_parts
from .model import Compare, Constraint, NumTerm
from .problems import said
from .results import CheckReport
from .sat import SatEncoding
from .translations import missing_translations


def check_catalog(catalog) -> CheckReport:
    """Check a loaded catalog; see the module docstring for what is reported."""
    model = catalog.model
    path = model.path or model.id
    report = CheckReport(path=path, catalog=model.id, usable=True)
    report.missing_translations = missing_translations(model)
    started = time.perf_counter()
    try:
        space = catalog.boolean
        tree = catalog.tree if space is None else space
    except CompileError as error:
        report.usable = False
        report.problems.append(said("%(path)s: %(problem)s", path=path, problem=error.said))
        return report
    if space is not None:
        if space.fallback_reason:
            report.warnings.append(said(
                "%(path)s: the d-DNNF compiler gave up (%(reason)s); answers come from "
                "incremental SAT instead: exact, slower per pick, and the count from Ganak can take a while",
                path=path, reason=space.fallback_reason,
            ))
        consistent, domains, _ = space.domains([], None, any_customer=True)
    else:
        consistent, possible = tree.domains({})
    report.stats = _stats(catalog, tree, time.perf_counter() - started)
    if not consistent:
        report.usable = False
        report.problems.append(said("%(path)s: %(problem)s", path=path, problem=_inconsistency(catalog)))
        return report
    if space is None:
        domains, _ = catalog._read_domains(possible)
    read_domains_findings(report, model, domains)
    counted = time.perf_counter()
    try:
        report.count = catalog.count()
    except CompileError as error:  # a CP-SAT catalog's count may outgrow every route's budget (linear_count.py)
        report.count = None
        report.warnings.append(said("%(path)s: the exact count could not be computed (%(reason)s); "
                                    "every other answer is exact", path=path, reason=error.said))
    report.stats["count_seconds"] = round(time.perf_counter() - counted, 3)
    if report.count == 0:
        report.warnings.append(said("%(path)s: a customer with no facts (a guest) cannot complete any configuration",
                                    path=path))
    if space is not None:
        cases = [i for i, c in enumerate(model.constraints) if c.kind in ("if", "forbid")]
        never = space.cases_never_arising(cases)
        report.unreachable_rules = [_unreachable_text(path, model.constraints[i]) for i in never]
    else:
        report.unreachable_rules = _unreachable_rules(catalog, report)
    report.stats["seconds"] = round(time.perf_counter() - started, 3)
    return report


def read_domains_findings(report: CheckReport, model, domains: dict[str, list[str]]) -> None:
    """The dead options, features never filled and defaults never chosen, from each feature's possible options."""
    for feature in model.features:
        possible = set(domains[feature.id])  # a set: features may have 10,000 options
        for option in feature.options:
            if option.id not in possible:
                report.dead_options.append((feature.id, option.id))
        if not domains[feature.id]:
            report.unfillable_features.append(feature.id)
        if feature.default and feature.default not in domains[feature.id]:
            report.warnings.append(
                said("%(path)s: feature '%(feature)s': default '%(default)s' can never be chosen",
                     path=report.path, feature=feature.id, default=feature.default))


def _stats(catalog, tree, seconds: float) -> dict:
    model = catalog.model
    return {
        "features": len(model.features),
        "options": sum(len(f.options) for f in model.features),
        "constraints": len(model.constraints),
        "independent_parts": len(independent_parts(model)),
        "prepare_seconds": round(seconds, 3),
        **tree.stats(),
        # the report's summary line names the backend when there is no tree width to give
        **({"backend": "CP-SAT", "backend_reason": catalog.backend_reason} if isinstance(tree, CpSatSpace) else {}),
    }


def _inconsistency(catalog) -> str:
    """Name a minimal set of rules that no configuration can satisfy together, for any customer."""
    if catalog.boolean is not None:
        names = catalog.boolean.minimal_reason([], None, None, any_customer=True)[1]
        return _inconsistency_text(names)
    if isinstance(catalog.tree, CpSatSpace):  # its compiled form has no totals: only CP-SAT sees the sums
        space = catalog.tree
        rule_of_lit = {lit: position for position, lit in space.rule_lits.items()}
        core = space.minimal_core({}, list(rule_of_lit)) or []
        return _inconsistency_text([catalog.model.constraints[rule_of_lit[lit]] for lit in core])
    sat = catalog.sat
    rule_of_lit = {lit: position for position, lit in sat.all_rules().items()}
    core = sat.minimal_core([], list(rule_of_lit)) or []
    names = [catalog.model.constraints[rule_of_lit[lit]] for lit in core]
    return _inconsistency_text(names)


def _inconsistency_text(names: list[Constraint]) -> str:
    if not names:
        return said("no configuration satisfies the features' choose counts")
    listed = "; ".join(f"{c.name} ({c.message or c.source})" for c in names)
    return said("no configuration satisfies every rule: these cannot hold together: %(rules)s", rules=listed)


def _unreachable_rules(catalog, report: CheckReport) -> list[str]:
    """`if` rules whose condition, and `forbid` rules whose case, never arise under the other rules.

    One SAT encoding of the compiled catalog, with a 0/1 indicator per rule
    for "its case holds", answers every rule with one solver call: every
    other rule switched on, this one off, the indicator assumed true, the
    customer facts left free. With price() rules lifted out of the tree
    (bounded.py), that encoding is the small lifted one (no running total of
    the price): "never" there is exact (it only drops the price bounds), and a
    "yes" is exact when the solver's configuration meets the price bounds;
    otherwise the full encoding, built only then, answers that rule.
    """
    model = catalog.model
    cases = {
        position: constraint.condition if constraint.kind == "if" else constraint.expr
        for position, constraint in enumerate(model.constraints)
        if constraint.kind in ("if", "forbid")
    }
    if not cases:
        return []
    if isinstance(catalog.tree, CpSatSpace):
        return _unreachable_by_cp_sat(catalog, report, cases)
    lifted = _lifted_problem(catalog, cases)
    solvers = [CaseSolver(lifted, cases)] if lifted is not None else []
    found = []
    for position, constraint in enumerate(model.constraints):
        if position not in cases:
            continue
        arises = solvers[0].arises(position) if solvers else None
        if arises is None:
            if len(solvers) < 2:
                solvers.append(CaseSolver(catalog.problem, cases))
            arises = solvers[-1].arises(position)
        if arises is None:
            report.warnings.append(_not_analysed(report.path, constraint))
        elif not arises:
            found.append(_unreachable_text(report.path, constraint))
    return found


def _unreachable_by_cp_sat(catalog, report: CheckReport, cases: dict) -> list[str]:
    """The same question on a CP-SAT catalog: its compiled form has no totals, the sums are linear constraints."""
    problem, indicators = with_case_indicators(catalog.problem, cases)
    space = CpSatSpace(problem)
    found = []
    for position, constraint in enumerate(catalog.model.constraints):
        if position not in cases:
            continue
        if position not in indicators:
            report.warnings.append(_not_analysed(report.path, constraint))
            continue
        others = [rule for rule in space.rule_lits if rule != position]
        if not space.satisfiable_with({indicators[position]: 1}, others):
            found.append(_unreachable_text(report.path, constraint))
    return found


def _lifted_problem(catalog, cases: dict):
    """The catalog's problem with price() bounds lifted out (bounded.py), when the cases never read the price."""
    space = catalog.tree
    if not isinstance(space, BoundedSpace) or any(reads_price(expr) for expr in cases.values()):
        return None
    return space.problem


def reads_price(expr) -> bool:
    return any(isinstance(atom, Compare) and atom.term == NumTerm("price") for atom in atoms(expr))


class CaseSolver:
    """One SAT encoding with an indicator per rule case; `arises(rule)` asks one solver call."""

    def __init__(self, problem, cases: dict):
        self.bounds = problem.bounds if problem.price_lifted else None
        problem, self.indicators = with_case_indicators(problem, cases)
        self.sat = SatEncoding(problem)
        self.selectors = self.sat.all_rules()
        if self.bounds is not None:
            # Prefer no price bound asked and the dearest value of every priced variable (in the
            # bounds' direction): the configurations the solver finds then tend to meet the price
            # bounds, so the full encoding is seldom needed. Only a preference: every answer is checked.
            self.sat.solver.set_phases(
                [self.sat.value_lits[var][0] for var in self.bounds.indicators]
                + [self.sat.value_lits[var][int(w.argmax())] for var, w in self.bounds.weights.items()]
            )

    def arises(self, position: int) -> bool | None:
        """Whether the rule's case holds in some configuration of the other rules; None: cannot say here."""
        if position not in self.indicators:
            return None
        others = [lit for rule, lit in self.selectors.items() if rule != position]
        return self.holds(others + [self.sat.value_lits[self.indicators[position]][1]])

    def holds(self, assumptions: list[int]) -> bool | None:
        """Whether some configuration meets these literals; None: cannot say here (a price bound in doubt).

        After True, the solver's last model is such a configuration.
        """
        if not self.sat.satisfiable(assumptions):
            return False
        if self.bounds is None or self._meets_bounds():
            return True
        # a configuration no rule asks a price bound of needs no price check
        unbounded = [self.sat.value_lits[var][0] for var in self.bounds.indicators]
        if self.sat.satisfiable(assumptions + unbounded):
            return True
        return True if self._dearest_meets_bounds(assumptions) else None

    def _dearest_meets_bounds(self, assumptions: list[int]) -> bool:
        """Whether a configuration with the dearest value of as many priced variables as the rules allow
        (added one at a time) meets its price bounds: a few fast solver calls that spare building the full
        encoding (0.2 s on the city bike) when the solver's first configuration was merely too cheap."""
        dearest = []
        for var, weights in self.bounds.weights.items():
            lit = self.sat.value_lits[var][int(weights.argmax())]
            if self.sat.satisfiable(assumptions + dearest + [lit]):
                dearest.append(lit)
        return self.sat.satisfiable(assumptions + dearest) and self._meets_bounds()

    def _meets_bounds(self) -> bool:
        """True when the solver's last configuration meets the price bound of its highest level asked."""
        true = {lit for lit in self.sat.solver.get_model() if lit > 0}

        def value(var: int) -> int:
            return next(v for v, lit in enumerate(self.sat.value_lits[var]) if lit in true)

        total = sum(int(weights[value(var)]) for var, weights in self.bounds.weights.items())
        asked = [level for level, var in zip(self.bounds.levels, self.bounds.indicators) if value(var) == 1]
        return not asked or total >= max(asked)


def _unreachable_text(path: str, constraint: Constraint) -> str:
    if constraint.kind == "if":
        return said("%(path)s: constraint %(rule)s: its condition can never arise under the other rules",
                    path=path, rule=constraint.name)
    return said("%(path)s: constraint %(rule)s: the case it forbids can never arise under the other rules",
                path=path, rule=constraint.name)


def _not_analysed(path: str, constraint: Constraint) -> str:
    return said("%(path)s: constraint %(rule)s: not analysed for reachability", path=path, rule=constraint.name)
