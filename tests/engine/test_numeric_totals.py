"""Several global sums and price() thresholds in one catalog: the engine against brute force.

Each running total keeps only the partial sums the rules can tell apart, and a
total no rule can still read is forgotten (`compile.py`, `layered.py`): both
must leave every answer exact. The catalogs mix price() with two attributes
summed over everything and over one dimension, gated by picks.
"""

from __future__ import annotations

from bruteforce import Enumeration, assert_domains_match, model_from_text
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import CatalogCase, customers, numeric_catalogs, selections

from configurator.engine import Catalog
from configurator.engine.compile import compile_model
from configurator.engine.jtree import JunctionTree
from configurator.engine.layered import layered_problem

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _draw_request(data) -> tuple[CatalogCase, dict[str, str], list[dict]]:
    case = data.draw(numeric_catalogs())
    customer = data.draw(customers())
    picked = [{}] + [data.draw(selections(case)) for _ in range(2)]
    note(f"catalog:\n{case.text}\ncustomer: {customer}\nselections: {picked}")
    return case, customer, picked


@given(data=st.data())
@SETTINGS
def test_domains_counts_and_cheapest_equal_brute_force(data) -> None:
    """Domains, counts and the cheapest completion's price are the brute-force ones."""
    case, customer, picked = _draw_request(data)
    catalog = Catalog.from_text(case.text, path="numeric.json")
    reference = Enumeration(model_from_text(case.text), customer)
    assert catalog.count(customer) == reference.count
    for selection in picked:
        assert_domains_match(catalog, reference, selection, customer)
        expected = reference.reference(selection)
        completion = catalog.complete(selection, customer)
        assert completion.consistent == expected.consistent
        if expected.consistent:
            assert completion.price == expected.cheapest


@given(data=st.data())
@SETTINGS
def test_the_layered_form_counts_like_the_tree(data) -> None:
    """The reachable-state layers (where totals are forgotten) count exactly what the tree counts."""
    case, customer, _ = _draw_request(data)
    problem = compile_model(model_from_text(case.text))
    evidence = problem.customer_evidence(customer)
    layered = JunctionTree(layered_problem(problem))
    assert layered.count(evidence) == Enumeration(model_from_text(case.text), customer).count
