"""price() rules as gated bounds (bounded.py) against brute force and against the running-total chain.

"if G then price() >= T" (and its forbid/require shapes, customer facts as
gates, several levels, "at most" bounds) is compiled as its boolean part plus
nested level indicators; domains come from max-marginals, counts and cheapest
completions from a DP over totals. Mixed bounds on the same price fall back
to the running-total chain. Every answer must be the brute-force one.
"""

from __future__ import annotations

import numpy as np
import pytest
from agreement import (
    assert_alternatives_match,
    assert_answers_like_brute_force,
    assert_explanations_minimal,
    assert_repairs_like_the_chain,
    requests,
)
from bruteforce import Enumeration, assert_domains_match, model_from_text
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import catalog_text, customers, price_gate_catalogs, selections

from configurator.engine import Catalog
from configurator.engine.bounded import BoundedSpace
from configurator.engine.compile import compile_model
from configurator.engine.jtree import UpwardCache

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# (shrinking a failure of these tests can take minutes: the brute force runs at every step)
DIRECTIONS = ["at least", "at most", "both"]


def _draw(data, direction: str):
    return data.draw(requests(price_gate_catalogs(direction)))


@pytest.mark.parametrize("direction", DIRECTIONS)
@given(data=st.data())
@SETTINGS
def test_domains_alternatives_counts_and_cheapest_equal_brute_force(direction: str, data) -> None:
    case, customer, picked = _draw(data, direction)
    catalog = Catalog.from_text(case.text, path="price.json")
    assert_answers_like_brute_force(catalog, case.text, customer, picked, alternatives=True)
    assert catalog.count() == Enumeration(model_from_text(case.text), {}).count


@pytest.mark.parametrize("direction", ["at least", "at most"])
@given(data=st.data())
@SETTINGS
def test_bounds_in_one_direction_are_lifted_out_of_the_tree(direction: str, data) -> None:
    """Price rules that only gate bounds one way never build a running total of the price."""
    case, _, _ = _draw(data, direction)
    model = model_from_text(case.text)
    for constraint in case.data["constraints"]:
        text = " ".join(str(constraint.get(key, "")) for key in ("if", "then", "require", "forbid"))
        if "price()" in text and (text.count("price()") > 1 or "sum(" in text or "count(" in text):
            return  # a gate that is itself numeric: two comparisons in one rule keep the chain
        if "price()" in text and not str(constraint.get("id", "")).startswith("price-"):
            return  # a drawn rule of another shape (price() == T, say) keeps the chain
    lifted = compile_model(model, lift_price=True)
    assert lifted.price_lifted
    assert not any(v.name.startswith("price()#") or v.name == "price()" for v in lifted.variables)
    tree = Catalog.from_text(case.text, path="p.json").tree
    assert isinstance(tree, BoundedSpace) == (lifted.bounds is not None)  # no bounds: no gate can ever hold


@pytest.mark.parametrize("direction", ["at least", "at most"])
@given(data=st.data())
@settings(SETTINGS, max_examples=30)
def test_repairs_cost_what_the_running_total_chain_finds(direction: str, data) -> None:
    """Repairs (cheapest completion under pick penalties) agree with the exact chain: same changes count, same price."""
    case, customer, picked = _draw(data, direction)
    lifted = Catalog.from_text(case.text, path="price.json")
    assert_repairs_like_the_chain(case, lifted, picked, customer)


@pytest.mark.parametrize("direction", DIRECTIONS)
@given(data=st.data())
@SETTINGS
def test_explanations_stay_minimal(direction: str, data) -> None:
    case, customer, picked = _draw(data, direction)
    catalog = Catalog.from_text(case.text, path="price.json")
    assert_explanations_minimal(case, catalog, picked[1:], customer)


def test_alternatives_of_a_pick_that_feeds_its_own_level() -> None:
    """Found by hypothesis: leaving out a pick whose own bag rules tuples out must bring them back."""
    features = [
        {"id": f"f{i}", "name": "F", "dimension": "product", "choose": "one",
         "options": [{"id": f"o{j}", "name": "O", "price": "0.00"} for j in range(n)]}
        for i, n in enumerate([4, 4, 4, 1, 2])
    ]
    features[0]["options"][0]["attributes"] = {"v": 0}
    features[2]["options"][0]["attributes"] = {"v": 6}
    rules = [{"id": f"price-{i}", "if": "f0 == o0", "then": "price() >= 0.00", "message": "m"} for i in range(3)]
    rules.append({"id": "sum-0", "if": "f0 == o0", "then": "sum(v) < 1", "message": "m"})
    text = catalog_text(features, rules, catalog="r")
    catalog = Catalog.from_text(text, path="r.json")
    assert isinstance(catalog.tree, BoundedSpace)
    state = catalog.domains({"f0": "o0"}, alternatives=True)
    assert state.alternatives == {"f0": ["o0", "o1", "o2", "o3"]}
    assert state.domains["f2"] == ["o1", "o2", "o3"]


@pytest.mark.parametrize("direction", ["at least", "at most"])
@given(data=st.data())
@settings(SETTINGS, max_examples=40)
def test_passes_reused_between_picks_give_brute_force_answers(direction: str, data) -> None:
    """One catalog answers a walk of picks (and steps back, and a second customer) from its cached passes.

    The upward passes of subtrees whose picks did not change are reused
    (`jtree.UpwardCache`); every answer along the way must still be the
    brute-force one, whatever was asked before it.
    """
    case = data.draw(price_gate_catalogs(direction))
    customers_drawn = [data.draw(customers()) for _ in range(2)]
    walk = [data.draw(selections(case)) for _ in range(4)]
    order = walk + walk[::-1] + [{}]
    note(f"catalog:\n{case.text}\ncustomers: {customers_drawn}\nwalk: {order}")
    catalog = Catalog.from_text(case.text, path="price.json")
    model = model_from_text(case.text)
    references = [Enumeration(model, customer) for customer in customers_drawn]
    for selection in order:
        for customer, reference in zip(customers_drawn, references):
            assert_domains_match(catalog, reference, selection, customer)
            assert_alternatives_match(catalog.domains(selection, customer, alternatives=True), reference, selection)
    if isinstance(catalog.tree, BoundedSpace):
        assert catalog.tree._upward_cache()._entries  # the walk went through the cache


def test_the_pass_cache_keeps_the_most_recently_used_within_its_bytes_and_per_bag():
    arrays = {name: (np.zeros(1000, dtype=np.int64),) for name in "abcd"}  # 8,064 bytes each, counted
    cache = UpwardCache(per_bag=2, max_bytes=3 * 8064)
    cache.put(0, ("a",), arrays["a"])
    cache.put(0, ("b",), arrays["b"])
    assert cache.get(0, ("a",)) is arrays["a"]  # a is now the more recently used of bag 0
    cache.put(0, ("c",), arrays["c"])  # bag 0 holds two: b goes
    assert cache.get(0, ("b",)) is None and cache.get(0, ("a",)) is arrays["a"]
    cache.put(1, ("d",), arrays["d"])
    assert cache.bytes == 3 * 8064
    cache.put(2, ("e",), arrays["a"])  # over the bytes: the least recently used of all (c) goes
    assert cache.get(0, ("c",)) is None
    assert cache.get(0, ("a",)) is arrays["a"] and cache.get(1, ("d",)) is arrays["d"]
    assert cache.bytes <= cache.max_bytes


@given(data=st.data())
@settings(SETTINGS, max_examples=15)
def test_a_pass_cache_too_small_to_keep_a_walk_still_gives_brute_force_answers(data) -> None:
    """With room for one bag's passes only, nearly every pass is recomputed: the answers must not change."""
    case = data.draw(price_gate_catalogs("at least"))
    customer = data.draw(customers())
    walk = [data.draw(selections(case)) for _ in range(3)]
    catalog = Catalog.from_text(case.text, path="price.json")
    if isinstance(catalog.tree, BoundedSpace):
        catalog.tree.__dict__["_passes"] = UpwardCache(max_bytes=1)
    reference = Enumeration(model_from_text(case.text), customer)
    for selection in walk + walk[::-1]:
        assert_domains_match(catalog, reference, selection, customer)
    if isinstance(catalog.tree, BoundedSpace):
        assert len(catalog.tree._upward_cache()._entries) <= 1
