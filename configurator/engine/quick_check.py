"""`catalog check`'s findings without the count, in a fraction of a second.

The check (check.py) builds the catalog's answering form first (the junction
tree, a d-DNNF or CP-SAT) and reads the dead options, the features never
filled and the rules that never fire from it; the exact count comes from the
same form. Building it is what takes seconds (the city bike's tree: 2-6 s).
Everything but the count is a yes/no question, which a SAT solver answers on
the compiled catalog without building any of it, exactly:

- dead options: an option is dead when no configuration of all the rules, for
  any customer, chooses it (one solver call per option no earlier answer chose);
- features never filled: those with every option dead;
- inconsistency: no configuration at all, with a minimal set of clashing rules;
- rules that never fire: an `if` whose condition (a `forbid` whose case)
  holds in no configuration of the other rules, as check.py asks it.

The draft editor shows these at once and the count when the full check has
it. A catalog that CP-SAT answers (cpsat.py) gets the full check's own
findings without its count: its space is built in about a second (no running
totals) and kept on the catalog for the full check, while the count can take
minutes (linear_count.py). One whose compiled form is refused here gets None:
only the full check can judge it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .boolean import BooleanSpace
from .catalog import _mentions_price
from .check import (
    CaseSolver,
    _inconsistency,
    _inconsistency_text,
    _not_analysed,
    _unreachable_by_cp_sat,
    _unreachable_text,
    read_domains_findings,
    reads_price,
)
from .cnf import is_boolean
from .compile import CompileError, compile_model
from .graph import independent_parts
from .problems import said
from .results import CheckReport
from .translations import missing_translations


def check_without_count(catalog) -> CheckReport | None:
    """The check's findings with `count` left None; None when only the full check can judge this catalog."""
    model = catalog.model
    path = model.path or model.id
    report = CheckReport(path=path, catalog=model.id, usable=True)
    report.missing_translations = missing_translations(model)
    started = time.perf_counter()
    try:
        if is_boolean(model):
            answered = _boolean_findings(catalog, report)
        elif catalog.uses_cp_sat:
            answered = _cp_sat_findings(catalog, report)
        else:
            answered = _sat_findings(catalog, report)
    except CompileError:  # the full check compiles its own form, which may take what this one refuses
        return None
    if not answered:
        return None
    report.stats = {
        "features": len(model.features),
        "options": sum(len(f.options) for f in model.features),
        "constraints": len(model.constraints),
        "independent_parts": len(independent_parts(model)),
        "findings_seconds": round(time.perf_counter() - started, 3),
    }
    return report


def _cases(model) -> dict[int, object]:
    """The case of each `if` (its condition) and `forbid` (what it forbids), by rule position."""
    return {
        position: constraint.condition if constraint.kind == "if" else constraint.expr
        for position, constraint in enumerate(model.constraints)
        if constraint.kind in ("if", "forbid")
    }


def _boolean_findings(catalog, report: CheckReport) -> bool:
    """A boolean catalog: the SAT twin of its d-DNNF answers (boolean.py), without compiling the circuit."""
    space = BooleanSpace(catalog.model, compiled=False)
    consistent, domains, _ = space.domains([], None, any_customer=True)
    if not consistent:
        report.usable = False
        names = space.minimal_reason([], None, None, any_customer=True)[1]
        report.problems.append(said("%(path)s: %(problem)s", path=report.path, problem=_inconsistency_text(names)))
        return True
    read_domains_findings(report, catalog.model, domains)
    cases = list(_cases(catalog.model))
    never = space.cases_never_arising(cases)
    report.unreachable_rules = [_unreachable_text(report.path, catalog.model.constraints[i]) for i in never]
    return True


def _cp_sat_findings(catalog, report: CheckReport) -> bool:
    """A catalog CP-SAT answers: the full check's questions on its space (check.py), all but the count."""
    space = catalog.tree
    consistent, possible = space.domains({})
    if not consistent:
        report.usable = False
        report.problems.append(said("%(path)s: %(problem)s", path=report.path, problem=_inconsistency(catalog)))
        return True
    domains, _ = catalog._read_domains(possible)
    read_domains_findings(report, catalog.model, domains)
    cases = _cases(catalog.model)
    report.unreachable_rules = _unreachable_by_cp_sat(catalog, report, cases) if cases else []
    return True


def _sat_findings(catalog, report: CheckReport) -> bool:
    """A catalog with numeric rules: SAT on its compiled problem, with an indicator per rule's case.

    With price() bounds the solver first works without them (the lifted
    problem, bounded.py: a tenth of the clauses) and checks each configuration
    it finds against them; only a question it cannot settle that way goes to
    the full problem, built then (check.py's `CaseSolver` does both).
    """
    model = catalog.model
    cases = _cases(model)
    solvers = _Solvers(catalog, cases)
    consistent = solvers.ask(lambda solver: solver.holds(_rules(solver)))
    if not consistent:
        report.usable = False
        report.problems.append(said("%(path)s: %(problem)s", path=report.path,
                                    problem=_inconsistency_text(solvers.clash())))
        return True
    read_domains_findings(report, model, _possible_options(solvers, model))
    for position in cases:
        constraint = model.constraints[position]
        arises = solvers.ask(lambda solver: solver.arises(position), cases=True)
        if arises is None:
            report.warnings.append(_not_analysed(report.path, constraint))
        elif not arises:
            report.unreachable_rules.append(_unreachable_text(report.path, constraint))
    return True


class _Solvers:
    """The lifted problem's solver when there are price() bounds to lift, and the full problem's when needed."""

    def __init__(self, catalog, cases: dict):
        self.catalog, self.cases = catalog, cases
        self.lifted: CaseSolver | None = None
        self.full: CaseSolver | None = None
        if _mentions_price(catalog.model):
            lifted = compile_model(catalog.model, lift_price=True)
            if lifted.price_lifted and lifted.bounds is not None:
                self.lifted_cases = not any(reads_price(expr) for expr in cases.values())
                self.lifted = CaseSolver(lifted, cases if self.lifted_cases else {})
        if self.lifted is None:
            self.full = CaseSolver(catalog.problem, cases)

    def ask(self, question: Callable[[CaseSolver], bool | None], cases: bool = False) -> bool | None:
        """The lifted solver's answer when it has one, else the full problem's (None: neither can say)."""
        if self.lifted is not None and (not cases or self.lifted_cases):
            answer = question(self.lifted)
            if answer is not None:
                self.last = self.lifted
                return answer
        if self.full is None:
            self.full = CaseSolver(self.catalog.problem, self.cases)
        self.last = self.full
        return question(self.full)

    def clash(self) -> list:
        """A minimal set of rules no configuration meets together (after `ask` said there is none)."""
        solver = self.last
        rule_of_lit = {lit: position for position, lit in solver.selectors.items()}
        core = solver.sat.minimal_core([], list(rule_of_lit)) or []
        return [self.catalog.model.constraints[rule_of_lit[lit]] for lit in sorted(core, key=rule_of_lit.get)]


def _possible_options(solvers: _Solvers, model) -> dict[str, list[str]]:
    """Feature -> the options some configuration chooses (any customer: the facts are left free).

    Every configuration the solver finds proves all the options it chooses, so
    only options no configuration has chosen yet cost a question of their own.
    """
    lits = _LitsOf()
    possible: dict[str, list[str]] = {feature.id: [] for feature in model.features}
    proved: set[tuple[str, str]] = set()
    for feature in model.features:
        for option in feature.options:
            pick = (feature.id, option.id)
            if pick not in proved and solvers.ask(lambda solver: solver.holds(_rules(solver) + [lits[solver][pick]])):
                true = {lit for lit in solvers.last.sat.solver.get_model() if lit > 0}
                proved |= {chosen for chosen, lit in lits[solvers.last].items() if lit in true}
            if pick in proved:
                possible[feature.id].append(option.id)
    return possible


def _rules(solver: CaseSolver) -> list[int]:
    """Every rule switched on."""
    return list(solver.selectors.values())


def _lits(solver: CaseSolver) -> dict[tuple[str, str], int]:
    """(feature, option) -> the literal "this option is chosen" in the solver's encoding."""
    problem, value_lits = solver.sat.problem, solver.sat.value_lits
    lits = {}
    for feature in problem.model.features:
        for position, option in enumerate(feature.options):
            if feature.multi:
                lits[(feature.id, option.id)] = value_lits[problem.option_var[(feature.id, option.id)]][1]
            else:
                lits[(feature.id, option.id)] = value_lits[problem.feature_var[feature.id]][position]
    return lits


class _LitsOf(dict):
    """Solver -> its option literals, made on first use."""

    def __missing__(self, solver: CaseSolver) -> dict[tuple[str, str], int]:
        self[solver] = _lits(solver)
        return self[solver]
