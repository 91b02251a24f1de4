"""Property tests: the engine against brute force on random small catalogs.

Each example draws a catalog (2-6 features of every `choose` kind, tables with
allow/deny and null, if/require/forbid rules with `not`, `in`, bare features,
customer facts and numeric terms), customer facts and partial selections.
`bruteforce.Enumeration` lists every valid configuration through the rule
evaluator alone, and the engine must agree with it exactly.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from agreement import (
    assert_cheapest_completion,
    assert_minimal_explanation,
    disabled_options,
    requests,
)
from bruteforce import Enumeration, assert_domains_match, model_from_text
from hypothesis import HealthCheck, given, note, settings
from strategies import CatalogCase, catalogs, customers

from configurator.engine import Catalog

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


@given(requests(catalogs()))
@FAST
def test_domains_equal_brute_force(request: tuple) -> None:
    """consistent, complete, domains and may_be_empty are exactly the brute-force ones."""
    case, customer, picked = request
    catalog = _engine(case)
    reference = Enumeration(model_from_text(case.text), customer)
    for selection in picked:
        assert_domains_match(catalog, reference, selection, customer)


@given(requests(catalogs()))
@FAST
def test_cheapest_completion_is_exact(request: tuple) -> None:
    """complete() returns a valid configuration containing the selection at the minimum price."""
    case, customer, picked = request
    catalog = _engine(case)
    reference = Enumeration(model_from_text(case.text), customer)
    for selection in picked:
        assert_cheapest_completion(catalog, reference, selection)


@given(catalogs(), customers())
@FAST
def test_count_equals_brute_force(case: CatalogCase, customer: dict[str, str]) -> None:
    """count() is the number of complete valid configurations, with and without facts."""
    note(f"catalog:\n{case.text}\ncustomer: {customer}")
    catalog = _engine(case)
    model = model_from_text(case.text)
    assert catalog.count() == Enumeration(model, {}).count
    assert catalog.count(customer) == Enumeration(model, customer).count


@given(requests(catalogs()))
@SLOWER
def test_explanations_are_minimal(request: tuple) -> None:
    """For a disabled option, the explanation rules it out on its own and every member is needed."""
    case, customer, picked = request
    catalog = _engine(case)
    for selection in picked:
        state = catalog.domains(selection, customer)
        disabled = disabled_options(case, state, selection)
        for target in disabled[:2]:
            assert_minimal_explanation(case, catalog, selection, customer, target)
        possible = [(f, o) for f, options in state.domains.items() for o in options]
        for feature, option in possible[:2]:
            assert catalog.explain(feature, option, selection, customer).possible
