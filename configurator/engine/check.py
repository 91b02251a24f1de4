"""`configurator catalog check`: everything that can be wrong with a loaded catalog.

Dead options and unfillable features are judged for *any* customer (the
customer facts are left free), so an option offered only to business accounts
is not dead. The count is for a customer with no facts, as a guest sees it.
"""

from __future__ import annotations

import time

from .compile import CompileError, with_case_indicators
from .cpsat import CpSatSpace
from .graph import independent_parts
from .model import Constraint
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
        report.problems.append(f"{path}: {error}")
        return report
    if space is not None:
        if space.fallback_reason:
            report.warnings.append(
                f"{path}: the d-DNNF compiler gave up ({space.fallback_reason}); answers come from "
                "incremental SAT instead: exact, slower per pick, and the count from Ganak can take a while"
            )
        consistent, domains, _ = space.domains([], None, any_customer=True)
    else:
        consistent, possible = tree.domains({})
    report.stats = _stats(catalog, tree, time.perf_counter() - started)
    if not consistent:
        report.usable = False
        report.problems.append(f"{path}: {_inconsistency(catalog)}")
        return report
    if space is None:
        domains, _ = catalog._read_domains(possible)
    for feature in model.features:
        possible = set(domains[feature.id])  # a set: features may have 10,000 options
        for option in feature.options:
            if option.id not in possible:
                report.dead_options.append((feature.id, option.id))
        if not domains[feature.id]:
            report.unfillable_features.append(feature.id)
        if feature.default and feature.default not in domains[feature.id]:
            report.warnings.append(f"{path}: feature '{feature.id}': default '{feature.default}' can never be chosen")
    counted = time.perf_counter()
    report.count = catalog.count()
    report.stats["count_seconds"] = round(time.perf_counter() - counted, 3)
    if report.count == 0:
        report.warnings.append(f"{path}: a customer with no facts (a guest) cannot complete any configuration")
    if space is not None:
        cases = [i for i, c in enumerate(model.constraints) if c.kind in ("if", "forbid")]
        never = space.cases_never_arising(cases)
        report.unreachable_rules = [_unreachable_text(path, model.constraints[i]) for i in never]
    else:
        report.unreachable_rules = _unreachable_rules(catalog, report)
    report.stats["seconds"] = round(time.perf_counter() - started, 3)
    return report


def _stats(catalog, tree, seconds: float) -> dict:
    model = catalog.model
    return {
        "features": len(model.features),
        "options": sum(len(f.options) for f in model.features),
        "constraints": len(model.constraints),
        "independent_parts": len(independent_parts(model)),
        "prepare_seconds": round(seconds, 3),
        **tree.stats(),
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
        return "no configuration satisfies the features' choose counts"
    listed = "; ".join(f"{c.name} ({c.message or c.source})" for c in names)
    return f"no configuration satisfies every rule: these cannot hold together: {listed}"


def _unreachable_rules(catalog, report: CheckReport) -> list[str]:
    """`if` rules whose condition, and `forbid` rules whose case, never arise under the other rules.

    One SAT encoding of the compiled catalog, with a 0/1 indicator per rule
    for "its case holds", answers every rule with one solver call: every
    other rule switched on, this one off, the indicator assumed true, the
    customer facts left free.
    """
    model = catalog.model
    cases = {
        position: constraint.condition if constraint.kind == "if" else constraint.expr
        for position, constraint in enumerate(model.constraints)
        if constraint.kind in ("if", "forbid")
    }
    if not cases:
        return []
    problem, indicators = with_case_indicators(catalog.problem, cases)
    if isinstance(catalog.tree, CpSatSpace):  # the same question, with the sums as linear constraints
        space = CpSatSpace(problem)

        def arises(position: int) -> bool:
            others = [rule for rule in space.rule_lits if rule != position]
            return space.satisfiable({indicators[position]: 1}, others)
    else:
        sat = SatEncoding(problem)
        selectors = sat.all_rules()

        def arises(position: int) -> bool:
            others = [lit for rule, lit in selectors.items() if rule != position]
            return sat.satisfiable(others + [sat.value_lits[indicators[position]][1]])
    found = []
    for position, constraint in enumerate(model.constraints):
        if position not in cases:
            continue
        if position not in indicators:
            report.warnings.append(f"{report.path}: constraint {constraint.name}: not analysed for reachability")
            continue
        if not arises(position):
            found.append(_unreachable_text(report.path, constraint))
    return found


def _unreachable_text(path: str, constraint: Constraint) -> str:
    what = "its condition" if constraint.kind == "if" else "the case it forbids"
    return f"{path}: constraint {constraint.name}: {what} can never arise under the other rules"
