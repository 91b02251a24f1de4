"""Several global sums and price() thresholds in one catalog: the engine against brute force.

Each running total keeps only the partial sums the rules can tell apart, and a
total no rule can still read is forgotten (`compile.py`, `layered.py`): both
must leave every answer exact. The catalogs mix price() with two attributes
summed over everything and over one dimension, gated by picks.
"""

from __future__ import annotations

from agreement import assert_answers_like_brute_force, requests
from bruteforce import Enumeration, model_from_text
from hypothesis import HealthCheck, given, settings
from strategies import numeric_catalogs

from configurator.engine import Catalog
from configurator.engine.compile import compile_model
from configurator.engine.jtree import JunctionTree
from configurator.engine.layered import layered_problem

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(requests(numeric_catalogs()))
@SETTINGS
def test_domains_counts_and_cheapest_equal_brute_force(request: tuple) -> None:
    """Domains, counts and the cheapest completion's price are the brute-force ones."""
    case, customer, picked = request
    catalog = Catalog.from_text(case.text, path="numeric.json")
    assert_answers_like_brute_force(catalog, case.text, customer, picked)


@given(requests(numeric_catalogs()))
@SETTINGS
def test_the_layered_form_counts_like_the_tree(request: tuple) -> None:
    """The reachable-state layers (where totals are forgotten) count exactly what the tree counts."""
    case, customer, _ = request
    problem = compile_model(model_from_text(case.text))
    evidence = problem.customer_evidence(customer)
    layered = JunctionTree(layered_problem(problem))
    assert layered.count(evidence) == Enumeration(model_from_text(case.text), customer).count
