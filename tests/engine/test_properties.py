"""Property tests: the engine against brute force on random small catalogs.

Each example draws a catalog (2-6 features of every `choose` kind, tables with
allow/deny and null, if/require/forbid rules with `not`, `in`, bare features,
customer facts and numeric terms), customer facts and partial selections.
`bruteforce.Enumeration` lists every valid configuration through the rule
evaluator alone, and the engine must agree with it exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from bruteforce import (
    Enumeration,
    assert_domains_match,
    config_price,
    contains,
    model_from_text,
    normalize_selection,
    valid,
)
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import CatalogCase, catalogs, customers, selections

from configurator.engine import Catalog

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Pair = tuple[str, str]


@st.composite
def requests(draw: st.DrawFn) -> tuple[CatalogCase, dict[str, str], list[dict[str, Any]]]:
    """A catalog, customer facts, and three selections (the first one empty)."""
    case = draw(catalogs())
    customer = draw(customers())
    picked = [{}] + [draw(selections(case)) for _ in range(2)]
    note(f"catalog:\n{case.text}\ncustomer: {customer}\nselections: {picked}")
    return case, customer, picked


TINY = (Path(__file__).parent / "data" / "tiny.yaml").read_text(encoding="utf-8")


def test_reference_on_a_hand_made_catalog() -> None:
    """The brute force itself, on a catalog whose answers are worked out by hand.

    frame x brakes x bell: 4 with alu, 1 with carbon (disc, no bell); extras: the
    7 sets of at most two, less {rack, bag} (weight 5): 6. Without facts the
    bag rule never fires (a missing fact makes `!=` false); for a private
    customer it removes the 2 sets with the bag.
    """
    model = model_from_text(TINY)
    anyone = Enumeration(model)
    assert anyone.count == 5 * 6
    assert Enumeration(model, {"segment": "private"}).count == 5 * 4
    assert Enumeration(model, {"segment": "business"}).count == 5 * 6
    carbon = anyone.reference({"frame": "carbon"})
    assert carbon.consistent and not carbon.complete
    assert carbon.domains == {
        "frame": ["carbon"],
        "brakes": ["disc"],
        "bell": [],
        "extras": ["rack", "light", "bag"],
    }
    assert carbon.may_be_empty == ["bell", "extras"]
    assert carbon.cheapest == Decimal(580)
    assert not anyone.reference({"frame": "carbon", "brakes": "rim"}).consistent
    assert not anyone.reference({"extras": ["rack", "bag"]}).consistent
    plain = anyone.reference({"frame": "alu", "brakes": "rim"})
    assert plain.complete and plain.cheapest == Decimal(120)
    for selection in (
        {"frame": "carbon"},
        {"extras": ["light"]},
        {"frame": "carbon", "brakes": "rim"},
    ):
        part = Enumeration(model, within=selection)
        assert part.reference(selection) == anyone.reference(selection)


def _engine(case: CatalogCase) -> Catalog:
    return Catalog.from_text(case.text, path="random.yaml")


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


@given(requests())
@FAST
def test_domains_equal_brute_force(request: tuple) -> None:
    """consistent, complete, domains and may_be_empty are exactly the brute-force ones."""
    case, customer, picked = request
    catalog = _engine(case)
    reference = Enumeration(model_from_text(case.text), customer)
    for selection in picked:
        assert_domains_match(catalog, reference, selection, customer)


@given(requests())
@FAST
def test_cheapest_completion_is_exact(request: tuple) -> None:
    """complete() returns a valid configuration containing the selection at the minimum price."""
    case, customer, picked = request
    catalog = _engine(case)
    model = model_from_text(case.text)
    reference = Enumeration(model, customer)
    for selection in picked:
        expected = reference.reference(selection)
        completion = catalog.complete(selection, customer)
        where = f"selection {selection}, customer {customer}"
        assert completion.consistent == expected.consistent, where
        if not expected.consistent:
            continue
        config = {f.id: frozenset() for f in model.features} | normalize_selection(
            completion.selections
        )
        assert valid(model, config, customer), (
            f"{where}: invalid completion {completion.selections}"
        )
        assert contains(config, normalize_selection(selection)), where
        assert completion.price == expected.cheapest, where
        assert config_price(model, config) == completion.price, where


@given(catalogs(), customers())
@FAST
def test_count_equals_brute_force(case: CatalogCase, customer: dict[str, str]) -> None:
    """count() is the number of complete valid configurations, with and without facts."""
    note(f"catalog:\n{case.text}\ncustomer: {customer}")
    catalog = _engine(case)
    model = model_from_text(case.text)
    assert catalog.count() == Enumeration(model, {}).count
    assert catalog.count(customer) == Enumeration(model, customer).count


def _ruled_out(
    case: CatalogCase, keep: set[int], pairs: set[Pair], customer: dict, target: Pair
) -> bool:
    """True when no configuration of the catalog cut down to `keep` holds `pairs` and `target`."""
    model = model_from_text(case.restricted(keep))
    selection = _selection_of(pairs | {target}, case.kinds)
    return not Enumeration(model, customer).matching(selection)


def _disabled_options(case: CatalogCase, state: Any, selection: dict[str, Any]) -> list[Pair]:
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


def _assert_minimal_explanation(
    case: CatalogCase, catalog: Catalog, selection: dict, customer: dict, target: Pair
) -> None:
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


@given(requests())
@SLOWER
def test_explanations_are_minimal(request: tuple) -> None:
    """For a disabled option, the explanation rules it out on its own and every member is needed."""
    case, customer, picked = request
    catalog = _engine(case)
    for selection in picked:
        state = catalog.domains(selection, customer)
        disabled = _disabled_options(case, state, selection)
        for target in disabled[:2]:
            _assert_minimal_explanation(case, catalog, selection, customer, target)
        possible = [(f, o) for f, options in state.domains.items() for o in options]
        for feature, option in possible[:2]:
            assert catalog.explain(feature, option, selection, customer).possible
