"""What every backend's tests ask of it: the brute force's answers, and the running-total chain's repairs.

The property tests of each backend (junction tree, bounded price rules, CP-SAT,
circuits of wide rules, d-DNNF and SAT) draw a random catalog, customer facts
and selections (`requests`), then hold the catalog's answers against
`bruteforce.Enumeration`: the count, domains, the cheapest completion, the
alternatives of each pick and minimal explanations; repairs against those of
the exact running-total chain (`chain_catalog`). The catalogs that several of
them build are here too: the instalments bike, numeric-heavy cut down, and the
deny catalogs whose rules `every_rule_a_circuit` compiles as circuits, with a
plain check that a row of a compiled problem is a solution (`is_solution`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any
from unittest.mock import patch

import yaml
from bruteforce import (
    Enumeration,
    assert_domains_match,
    config_price,
    contains,
    model_from_text,
    normalize_selection,
    valid,
)
from hypothesis import note
from hypothesis import strategies as st
from strategies import CatalogCase, customers, selections

from bench.numeric import numeric_heavy
from configurator.engine import Catalog, compile
from configurator.engine.layered import solution_space
from configurator.engine.results import Repair

Pair = tuple[str, str]
Request = tuple[CatalogCase, dict[str, str], list[dict[str, Any]]]

# A bike whose only price() rule makes instalments a matter of the total: carbon with disc brakes
# (600 EUR) is the one configuration that may pay so.
INSTALMENTS = """
catalog: instalments
name: Instalments
version: 1
currency: EUR
features:
  - {id: frame, name: Frame, dimension: product, choose: one,
     options: [{id: alu, name: Alu, price: 100}, {id: carbon, name: Carbon, price: 500}]}
  - {id: brakes, name: Brakes, dimension: product, choose: one,
     options: [{id: rim, name: Rim, price: 20}, {id: disc, name: Disc, price: 100}]}
  - {id: payment, name: Payment, dimension: billing, choose: one,
     options: [{id: card, name: Card}, {id: instalments, name: Instalments}]}
constraints:
  - {id: instalments-from-550, if: payment == instalments, then: price() >= 550}
"""


@st.composite
def requests(draw: st.DrawFn, cases: st.SearchStrategy[CatalogCase]) -> Request:
    """A catalog drawn from `cases`, customer facts, and three selections (the first one empty)."""
    case = draw(cases)
    customer = draw(customers())
    picked = [{}] + [draw(selections(case)) for _ in range(2)]
    note(f"catalog:\n{case.text}\ncustomer: {customer}\nselections: {picked}")
    return case, customer, picked


def assert_answers_like_brute_force(
    catalog: Catalog, text: str, customer: dict, picked: list[dict], *, alternatives: bool = False
) -> Enumeration:
    """The count, and for each selection the domains and the cheapest completion (and, when asked,
    each pick's alternatives), are exactly brute force's; returns that brute force."""
    reference = Enumeration(model_from_text(text), customer)
    assert catalog.count(customer) == reference.count
    for selection in picked:
        assert_domains_match(catalog, reference, selection, customer)
        assert_cheapest_completion(catalog, reference, selection)
        if alternatives:
            assert_alternatives_match(
                catalog.domains(selection, customer, alternatives=True), reference, selection
            )
    return reference


def assert_cheapest_completion(catalog: Catalog, reference: Enumeration, selection: dict) -> None:
    """complete() gives a valid configuration holding the selection at the brute force's lowest price."""
    model, customer = reference.model, reference.customer
    expected = reference.reference(selection)
    completion = catalog.complete(selection, customer)
    where = f"selection {selection}, customer {customer}"
    assert completion.consistent == expected.consistent, where
    if not expected.consistent:
        return
    config = {f.id: frozenset() for f in model.features} | normalize_selection(
        completion.selections
    )
    assert valid(model, config, customer), f"{where}: invalid completion {completion.selections}"
    assert contains(config, normalize_selection(selection)), where
    assert completion.price == expected.cheapest == config_price(model, config), where


def assert_alternatives_match(state: Any, reference: Enumeration, selection: dict) -> None:
    """Each pick's alternatives in `state` (the catalog's answer for `selection`, asked with
    alternatives) are the brute force's domain of its feature with that pick left out."""
    if not state.consistent:
        return
    for feature in state.alternatives:
        others = {f: o for f, o in selection.items() if f != feature}
        assert state.alternatives[feature] == reference.reference(others).domains[feature], (
            feature,
            selection,
        )


def assert_explanations_minimal(
    case: CatalogCase,
    catalog: Catalog,
    picked: list[dict],
    customer: dict,
    *,
    most: int = 3,
    conflicts_named: bool = False,
) -> None:
    """The first `most` disabled options of each consistent selection have minimal explanations; with
    `conflicts_named`, an inconsistent selection names the picks or rules that clash."""
    for selection in picked:
        state = catalog.domains(selection, customer)
        if not state.consistent:
            if conflicts_named:
                assert state.conflict is not None and (
                    state.conflict.selections or state.conflict.constraints
                )
            continue
        for target in disabled_options(case, state, selection)[:most]:
            assert_minimal_explanation(case, catalog, selection, customer, target)


def disabled_options(case: CatalogCase, state: Any, selection: dict[str, Any]) -> list[Pair]:
    """Options outside their domain that the selection does not already settle."""
    disabled = []
    for feature, options in case.options.items():
        if feature in selection and case.kinds[feature] != "multi":
            continue
        picked = normalize_selection(selection).get(feature, frozenset())
        disabled += [
            (feature, o) for o in options if o not in state.domains[feature] and o not in picked
        ]
    return disabled


def assert_minimal_explanation(
    case: CatalogCase, catalog: Catalog, selection: dict, customer: dict, target: Pair
) -> None:
    """The explanation of `target` rules it out on its own, and without any one member it does not."""
    explanation = catalog.explain(target[0], target[1], selection, customer)
    where = f"explain {target} under {selection}, customer {customer}"
    assert not explanation.possible, where
    pairs = {tuple(pair) for pair in explanation.selections}
    assert pairs <= _pairs(selection), f"{where}: {pairs} are not all the customer's picks"
    keep = {constraint.index for constraint in explanation.constraints}
    note(f"{where}: selections {sorted(pairs)}, constraints {sorted(keep)}")
    assert _ruled_out(case, keep, pairs, customer, target), f"{where}: members do not rule it out"
    for index in keep:
        assert not _ruled_out(case, keep - {index}, pairs, customer, target), (
            f"{where}: #{index} not needed"
        )
    for pair in pairs:
        assert not _ruled_out(case, keep, pairs - {pair}, customer, target), (
            f"{where}: {pair} not needed"
        )


def _ruled_out(
    case: CatalogCase, keep: set[int], pairs: set[Pair], customer: dict, target: Pair
) -> bool:
    """True when no configuration of the catalog cut down to `keep` holds `pairs` and `target`."""
    model = model_from_text(case.restricted(keep))
    selection = _selection_of(pairs | {target}, case.kinds)
    return not Enumeration(model, customer).matching(selection)


def _pairs(selection: dict[str, Any]) -> set[Pair]:
    return {(f, o) for f, chosen in normalize_selection(selection).items() for o in chosen}


def _selection_of(pairs: Iterable[Pair], kinds: dict[str, str]) -> dict[str, Any]:
    """Back from (feature, option) pairs to a selection; a list for multi-select features."""
    selection: dict[str, Any] = {}
    for feature, option in sorted(pairs):
        if kinds[feature] == "multi":
            selection.setdefault(feature, []).append(option)
        elif feature in selection:  # two options of a one/optional feature: keep both
            previous = selection[feature]
            selection[feature] = (previous if isinstance(previous, list) else [previous]) + [option]
        else:
            selection[feature] = option
    return selection


def chain_catalog(text: str) -> Catalog:
    """The same catalog answered by the running-total chain (price rules not lifted, never CP-SAT)."""
    catalog = Catalog.from_text(text, path="chain.json", backend="junction-tree")
    catalog._tree = solution_space(catalog.problem)
    return catalog


def assert_same_repair(
    mine: Catalog, theirs: Catalog, feature: str, option: str, selection: dict, customer: dict
) -> Repair | None:
    """Both catalogs repair the same way: both or neither find one, with as many changes, at one price;
    returns `mine`'s repair."""
    a = mine.repair(feature, option, selection, customer)
    b = theirs.repair(feature, option, selection, customer)
    assert (a is None) == (b is None), (feature, option, selection)
    if a is not None:
        assert len(a.changes) == len(b.changes), (feature, option, selection)
        assert a.price_after == b.price_after, (feature, option, selection)
    return a


def assert_repairs_like_the_chain(
    case: CatalogCase, catalog: Catalog, picked: list[dict], customer: dict
) -> None:
    """Every option's repair under each selection costs what the running-total chain's does."""
    chain = chain_catalog(case.text)
    for selection in picked:
        for feature, options in case.options.items():
            for option in options:
                assert_same_repair(catalog, chain, feature, option, selection, customer)


# ---------------------------------------------------------------- builders the counting and circuit tests share


def reduced_numeric_heavy(parts: int) -> str:
    """bench/models/numeric-heavy.yaml's catalog with only its first `parts` parts (and every service rule)."""
    data = numeric_heavy()
    kept = {f"part{i}" for i in range(parts)}
    data["features"] = [
        f for f in data["features"] if not f["id"].startswith("part") or f["id"] in kept
    ]
    data["constraints"] = [
        c for c in data["constraints"] if not any(f"part{i} " in str(c) for i in range(parts, 20))
    ]
    return json.dumps(data)


def every_rule_a_circuit() -> AbstractContextManager:
    """Every rule with more than one tuple becomes a circuit, split down to its atoms."""
    return patch.multiple(compile, WIDE_RULE_TUPLES=1, PIECE_TUPLES=1)


def deny_catalog(
    features: int, options: int, rows: list[tuple[int, ...]], cap: int | None, as_rules: bool
) -> str:
    """`features` features f0.. of `options` options o0.. (option v costs v EUR), the `rows` denied
    as forbid rules (`as_rules`) or as one deny table, and with a `cap` the rule price() <= cap."""
    constraints: list[dict] = []
    if as_rules:
        for k, row in enumerate(rows):
            cells = " and ".join(f"f{i} == o{v}" for i, v in enumerate(row))
            constraints.append({"id": f"deny-{k}", "message": "no", "forbid": cells})
    else:
        table = {
            "features": [f"f{i}" for i in range(features)],
            "deny": [[f"o{v}" for v in row] for row in rows],
        }
        constraints.append({"id": "big-deny", "message": "no", "table": table})
    if cap is not None:
        constraints.append({"id": "cap", "message": "cap", "require": f"price() <= {cap}"})
    return yaml.safe_dump(
        {
            "catalog": "denybig",
            "name": "Deny big",
            "version": 1,
            "currency": "EUR",
            "constraints": constraints,
            "features": [
                {
                    "id": f"f{i}",
                    "name": f"F{i}",
                    "choose": "one",
                    "dimension": "product",
                    "options": [
                        {"id": f"o{v}", "name": f"O{v}", "price": v} for v in range(options)
                    ],
                }
                for i in range(features)
            ],
        }
    )


def denied_rows(features: int, options: int, count: int, seed: int) -> list[tuple[int, ...]]:
    """`count` distinct rows of option indexes, drawn from `seed`."""
    rng = random.Random(seed)
    rows: set[tuple[int, ...]] = set()
    while len(rows) < count:
        rows.add(tuple(rng.randrange(options) for _ in range(features)))
    return sorted(rows)


def with_sums(problem, row: list[int]) -> list[int]:
    """The row with every comparison variable set from its sum (Fractions, as the catalog states it)."""
    row = list(row)
    for linear in problem.linear:
        total = sum(weights[row[var]] for var, weights in linear.terms)
        holds = {
            "<": total < linear.threshold,
            "<=": total <= linear.threshold,
            "==": total == linear.threshold,
            "!=": total != linear.threshold,
            ">=": total >= linear.threshold,
            ">": total > linear.threshold,
        }[linear.op]
        row[linear.var] = int(holds)
    return row


def is_solution(problem, row: list[int]) -> bool:
    """True when the row of values (one per variable of the compiled problem) is in every factor."""
    allowed = ({tuple(r) for r in factor.rows.tolist()} for factor in problem.factors)
    return all(
        tuple(row[v] for v in factor.scope) in rows
        for factor, rows in zip(problem.factors, allowed)
    )
