"""The reference semantics of a full configuration (spec sections 1 to 3).

Deliberately direct: it checks one given configuration, feature by feature and
constraint by constraint, with no compilation or search. Tests compare the
solver with it and the web app uses it to check an order before accepting it.

A configuration maps a feature id to the set of chosen option ids; an absent
feature has nothing chosen. Customer facts map a key to its text value.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterator, Mapping
from decimal import Decimal

from configurator.engine.model import (
    And,
    CatalogModel,
    Compare,
    Const,
    Constraint,
    CustomerAtom,
    Expr,
    Feature,
    FilledAtom,
    Not,
    NumTerm,
    Option,
    OptionAtom,
    Or,
)

Assignment = Mapping[str, Collection[str]]
Customer = Mapping[str, str]

_COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}


def is_valid(model: CatalogModel, config: Assignment,
             customer: Customer | None = None) -> bool:
    """True when `config` is a complete valid configuration of `model`.

    Every chosen feature and option must exist, every feature must satisfy its
    `choose`, and every constraint must hold.
    """
    return fits_choose(model, config) and not violated(model, config, customer)


def fits_choose(model: CatalogModel, config: Assignment) -> bool:
    """True when only known options are chosen and every feature has an allowed count."""
    for feature_id in config:
        feature = model.feature(feature_id)
        if feature is None or not _chosen(config, feature_id) <= set(feature.option_ids()):
            return False
    return all(
        feature.min <= len(_chosen(config, feature.id)) <= feature.max
        for feature in model.features
    )


def violated(model: CatalogModel, config: Assignment,
             customer: Customer | None = None) -> list[Constraint]:
    """The constraints of `model` that `config` breaks, in catalog order."""
    facts = customer or {}
    return [
        constraint
        for constraint in model.constraints
        if not constraint_holds(model, constraint, config, facts)
    ]


def constraint_holds(model: CatalogModel, constraint: Constraint, config: Assignment,
                     customer: Customer | None = None) -> bool:
    """True when `config` satisfies one constraint."""
    facts = customer or {}
    if constraint.kind == "table":
        return _table_holds(constraint, config)
    assert constraint.expr is not None, "every non-table constraint has an expression"
    holds = evaluate_expr(model, constraint.expr, config, facts)
    if constraint.kind == "if":
        assert constraint.condition is not None, "an if constraint has a condition"
        return holds or not evaluate_expr(model, constraint.condition, config, facts)
    if constraint.kind == "forbid":
        return not holds
    return holds


def evaluate_expr(model: CatalogModel, expr: Expr, config: Assignment,
                  customer: Customer | None = None) -> bool:
    """The truth value of a rule for one configuration and customer."""
    facts = customer or {}
    if isinstance(expr, Or):
        return any(evaluate_expr(model, item, config, facts) for item in expr.items)
    if isinstance(expr, And):
        return all(evaluate_expr(model, item, config, facts) for item in expr.items)
    if isinstance(expr, Not):
        return not evaluate_expr(model, expr.item, config, facts)
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, OptionAtom):
        # On a multi-select feature `F == o` means o is among the chosen ones
        # and `F in [..]` that at least one listed option is.
        hit = any(option in _chosen(config, expr.feature) for option in expr.options)
        return not hit if expr.negated else hit
    if isinstance(expr, FilledAtom):
        return bool(_chosen(config, expr.feature))
    if isinstance(expr, CustomerAtom):
        value = facts.get(expr.key)
        if value is None:
            return False  # a missing fact makes every comparison false, != included
        hit = value in expr.values
        return not hit if expr.negated else hit
    if isinstance(expr, Compare):
        return _COMPARISONS[expr.op](term_value(model, expr.term, config), expr.value)
    raise TypeError(f"not a rule expression: {type(expr).__name__}")


def term_value(model: CatalogModel, term: NumTerm, config: Assignment) -> Decimal:
    """The number `sum(..)`, `count(..)` or `price()` stands for in `config`."""
    if term.kind == "price":
        return sum(
            (option.price for feature, option in _chosen_options(model, config)), Decimal(0)
        )
    if term.kind == "count":
        # A feature named like a dimension wins: the loader resolves names the same way.
        if model.feature(str(term.arg)) is not None:
            return Decimal(len(_chosen(config, str(term.arg))))
        return Decimal(sum(1 for feature, _ in _chosen_options(model, config)
                           if feature.dimension == term.arg))
    if term.kind == "sum":
        total = Decimal(0)
        for feature, option in _chosen_options(model, config):
            if term.dimension is not None and feature.dimension != term.dimension:
                continue
            value = option.attributes.get(str(term.arg))
            if value is not None and not isinstance(value, str):
                total += Decimal(str(value))  # via str: 0.1 stays 0.1, not a binary float
        return total
    raise ValueError(f"unknown numeric term {term.kind!r}")


def _table_holds(constraint: Constraint, config: Assignment) -> bool:
    row: list[str | None] = []
    for feature_id in constraint.table_features:
        chosen = _chosen(config, feature_id)
        if len(chosen) > 1:
            return False  # two picks of a one/optional feature match no row
        row.append(next(iter(chosen)) if chosen else None)
    listed = tuple(row) in constraint.rows
    return not listed if constraint.deny else listed


def _chosen(config: Assignment, feature_id: str) -> frozenset[str]:
    chosen = config.get(feature_id, ())
    # A lone option id is taken as a one-element choice rather than as letters.
    return frozenset((chosen,) if isinstance(chosen, str) else chosen)


def _chosen_options(model: CatalogModel,
                    config: Assignment) -> Iterator[tuple[Feature, Option]]:
    """(feature, option) for every chosen option that exists in the catalog."""
    for feature in model.features:
        for option_id in _chosen(config, feature.id):
            option = feature.option(option_id)
            if option is not None:
                yield feature, option
