"""Exact counts by the dense grid of totals (grid_count.py) against independent routes.

Random small catalogs (several sums and price() with every comparison, gated
by picks and customer facts, multi-select and optional features, some weights
negative) are counted by brute force; the residues route (counts past 2**62) is
forced with small primes; medium catalogs are counted by the linear counter
too; the 40-add-on knapsack's grid is only its two totals (the multi-select's
running count is summed out), and a cut-down knapsack matches every subset
enumerated. Through `Catalog.count`, the grid takes the count when the
counters before it refuse.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml
from bruteforce import Enumeration, model_from_text
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from strategies import customers, mixed_catalogs

from bench.numeric import addons_knapsack, deny_forbid
from configurator.engine import Catalog, CompiledStore, bounded, grid_count, linear_count
from configurator.engine.bounded import BoundedSpace
from configurator.engine.compile import CompileError, compile_model
from configurator.engine.cpsat import CpSatSpace
from configurator.engine.grid_count import GridPlan, GridTooLarge
from configurator.engine.linear_count import LinearCounter

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def grid_catalogs(draw: st.DrawFn) -> str:
    """numeric or price-gate catalogs with prices in half euros (a dense grid in cents would be large for
    brute-force sizes) and, sometimes, negative volumes."""
    case = draw(mixed_catalogs())
    negative = draw(st.booleans())
    for feature in case.data["features"]:
        for option in feature["options"]:
            option["price"] = f"{round(float(option['price']) * 2) / 2:.2f}"
            attributes = option.get("attributes", {})
            if negative and "v" in attributes and draw(st.booleans()):
                attributes["v"] = -attributes["v"]
    return case.text


# Random catalogs with four or five totals can need millions of cells even at brute-force sizes (one needed
# 24,006,528, past the budget): those are the sparse counters' catalogs, left out here to keep tests fast.
TEST_CELLS = 1_000_000


def _fits(text: str, customer: dict | None = None) -> bool:
    problem = compile_model(model_from_text(text), linear=True)
    return GridPlan(problem, problem.customer_evidence(customer)).cells <= TEST_CELLS


def _grid(text: str, customer: dict | None = None, max_cells: int | None = None) -> int:
    problem = compile_model(model_from_text(text), linear=True)
    return grid_count.grid_count(problem, problem.customer_evidence(customer), max_cells)


@given(data=st.data())
@SETTINGS
def test_counts_equal_brute_force(data) -> None:
    text = data.draw(grid_catalogs())
    customer = data.draw(customers())
    note(f"catalog:\n{text}\ncustomer: {customer}")
    assume(_fits(text, customer))
    assert _grid(text, customer) == Enumeration(model_from_text(text), customer).count


@given(data=st.data())
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_counts_by_residues_equal_brute_force(monkeypatch, data) -> None:
    """Past 2**62 assignments the grid runs modulo primes: forced here with primes below 64."""
    text = data.draw(grid_catalogs())
    note(f"catalog:\n{text}")
    assume(_fits(text))
    monkeypatch.setattr(grid_count, "_INT64_SAFE", 1)
    monkeypatch.setattr(grid_count, "PRIME_LIMIT", 64)
    assert _grid(text) == Enumeration(model_from_text(text), {}).count


def test_the_chinese_remainder_rebuilds_a_count_past_int64() -> None:
    primes = grid_count._primes_past(3**60)
    assert math.prod(primes) > 3**60 and all(grid_count._is_prime(p) and p < 2**31 for p in primes)
    assert grid_count._chinese_remainder([3**60 % p for p in primes], primes) == 3**60


def test_rules_over_every_feature_count_as_the_linear_counter_does() -> None:
    """20 forbid rules, each over all 5 features: the features are axes of the grid while a later rule
    reads them (variable elimination), and a price() cap is the one total."""
    text = yaml.safe_dump(deny_forbid(features=5, options=6, rows=20, cap=20))
    problem = compile_model(model_from_text(text), linear=True)
    expected = LinearCounter(problem).count(problem.customer_evidence(None))
    assert _grid(text) == expected > 0


def _knapsack(addons: int) -> dict:
    data = addons_knapsack()
    data["features"][0]["options"] = data["features"][0]["options"][:addons]
    data["features"][0]["choose"] = {"min": 0, "max": addons}
    return data


def _knapsack_with_more_rules(addons: int) -> str:
    """The knapsack cut down, with a payment gated by the price, a crate for heavy boxes only, and gift
    wrap for at most five add-ons: price, weight and count totals, bounded both ways, switched by picks.
    Weights in steps of 50 g keep the grid small enough for a test."""
    data = _knapsack(addons)
    for option in data["features"][0]["options"]:
        option["attributes"]["weight_g"] = round(option["attributes"]["weight_g"] / 50) * 50
    data["features"] += [
        {"id": "payment", "name": "Payment", "dimension": "billing", "choose": "one",
         "options": [{"id": "card", "name": "Card"}, {"id": "instalments", "name": "Instalments"}]},
        {"id": "packing", "name": "Packing", "dimension": "packaging", "choose": "one",
         "options": [{"id": "box", "name": "Box", "attributes": {"weight_g": 300}},
                     {"id": "crate", "name": "Crate", "price": "12.50", "attributes": {"weight_g": 2500}}]},
        {"id": "wrap", "name": "Gift wrap", "dimension": "packaging", "choose": "optional",
         "options": [{"id": "paper", "name": "Paper", "price": "4.00", "attributes": {"weight_g": 100}}]},
    ]
    data["constraints"] += [
        {"id": "instalments-from", "if": "payment == instalments", "then": "price() >= 300", "message": "m"},
        {"id": "crate-heavy", "if": "packing == crate", "then": "sum(weight_g) >= 6000", "message": "m"},
        {"id": "wrap-few", "if": "wrap", "then": "count(addons) <= 5", "message": "m"},
        {"id": "no-crate-express", "forbid": "packing == crate and delivery == express", "message": "m"},
    ]
    return json.dumps(data)


@pytest.mark.parametrize("addons", [10, 16])
def test_counts_equal_the_linear_counter_on_medium_catalogs(addons: int) -> None:
    text = _knapsack_with_more_rules(addons)
    problem = compile_model(model_from_text(text), linear=True)
    expected = LinearCounter(problem).count(problem.customer_evidence(None))
    assert _grid(text) == expected > 0


def test_a_knapsack_counts_as_every_subset_enumerated() -> None:
    """20 add-ons, weights in tens of grams (the limits too), so the grid stays small for a test."""
    data = _knapsack(20)
    for option in data["features"][0]["options"]:
        option["attributes"]["weight_g"] //= 10
    for rule in data["constraints"]:
        rule.update({key: value.replace("000", "00") for key, value in rule.items() if key in ("require", "then")})
    options = data["features"][0]["options"]
    prices = np.array([round(float(o["price"]) * 100) for o in options])
    weights = np.array([o["attributes"]["weight_g"] for o in options])
    chosen = (np.arange(2**20)[:, None] >> np.arange(20)) & 1  # every subset, one row each
    price, weight = chosen @ prices, chosen @ weights
    standard = int(((price <= 120000) & (weight <= 900)).sum())
    express = int(((price + 1900 <= 120000) & (weight <= 500)).sum())
    assert _grid(json.dumps(data)) == standard + express


def test_the_knapsack_grid_is_its_two_totals_alone() -> None:
    """The multi-select's running count is summed out; both deliveries read one grid (the express limit
    is one more threshold on the weight axis): half euros up to 1,200 EUR and grams up to 9,000."""
    problem = compile_model(model_from_text(json.dumps(addons_knapsack())), linear=True)
    plan = GridPlan(problem, {})
    assert len(plan.groups) == 1 and len(plan.groups[0].members) == 2
    assert sorted(plan.groups[0].lengths) == [1200 * 2 + 2, 9000 + 2]
    assert plan.cells == math.prod(plan.groups[0].lengths)


def test_past_its_budget_the_grid_refuses_before_any_work() -> None:
    with pytest.raises(GridTooLarge, match=r"needs [\d,]+ cells .* past its budget of 1,000"):
        _grid(json.dumps(_knapsack(20)), max_cells=1_000)


@given(data=st.data())
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_catalog_count_takes_the_grid_when_the_counters_before_it_refuse(monkeypatch, data) -> None:
    text = data.draw(grid_catalogs())
    customer = data.draw(customers())
    note(f"catalog:\n{text}\ncustomer: {customer}")
    assume(_fits(text, customer))
    catalog = Catalog.from_text(text, path="grid.json")
    if not isinstance(catalog.tree, BoundedSpace | CpSatSpace):
        return  # counted by the junction tree: no count route to exhaust
    monkeypatch.setattr(grid_count, "GRID_FIRST_WORK", 0)  # (see the next test)
    monkeypatch.setattr(bounded, "MAX_DP_ENTRIES", 0)
    monkeypatch.setattr(linear_count, "MAX_STATES", 0)
    monkeypatch.setattr(linear_count, "MAX_SUFFIX_ROWS", 0)
    monkeypatch.setattr(linear_count, "MAX_HALF_ROWS", 0)
    monkeypatch.setattr(catalog, "_count_by_running_totals", _no_running_totals)
    assert catalog.count(customer) == Enumeration(model_from_text(text), customer).count


def _subsets_within(data: dict) -> int:
    """The knapsack's count from every subset of its add-ons (both deliveries)."""
    options = data["features"][0]["options"]
    prices = np.array([round(float(o["price"]) * 100) for o in options])
    weights = np.array([o["attributes"]["weight_g"] for o in options])
    chosen = (np.arange(2 ** len(options))[:, None] >> np.arange(len(options))) & 1
    price, weight = chosen @ prices, chosen @ weights
    return int(((price <= 120000) & (weight <= 9000)).sum() + ((price + 1900 <= 120000) & (weight <= 5000)).sum())


def test_a_small_grid_counts_before_the_price_level_dp(monkeypatch) -> None:
    """Its size and work are known in advance; the DP over price levels is only bounded per step (it took
    14 s and 1.9 GB to refuse the 40-add-on knapsack). Past `GRID_FIRST_WORK` that DP goes first again."""
    data = _knapsack(12)
    asked = []

    def spied(self, evidence):
        asked.append(evidence)
        return counted(self, evidence)

    counted = BoundedSpace.count
    monkeypatch.setattr(BoundedSpace, "count", spied)
    catalog = Catalog.from_text(json.dumps(data), path="knapsack.json")
    assert isinstance(catalog.tree, BoundedSpace)
    assert catalog.count() == _subsets_within(data) and asked == []
    monkeypatch.setattr(grid_count, "GRID_FIRST_WORK", 0)
    fresh = Catalog.from_text(json.dumps(data), path="knapsack.json")
    assert fresh.count() == _subsets_within(data) and len(asked) == 1


def test_a_grid_with_too_many_switch_combinations_leaves_the_count_to_the_price_level_dp(monkeypatch) -> None:
    monkeypatch.setattr(grid_count, "MAX_SWITCH_STATES", 1)  # delivery has two values
    catalog = Catalog.from_text(json.dumps(_knapsack(12)), path="knapsack.json")
    assert isinstance(catalog.tree, BoundedSpace)
    assert catalog.count() == _subsets_within(_knapsack(12))


def test_a_count_by_the_grid_is_kept_with_the_compiled_form(monkeypatch, tmp_path) -> None:
    text = json.dumps(_knapsack(12))
    store = CompiledStore(tmp_path / "compiled")
    Catalog.from_text(text, path="knapsack.json").prepare(store)
    monkeypatch.setattr(GridPlan, "count", _no_grid)
    assert Catalog.from_text(text, path="knapsack.json").prepare(store).count() == _subsets_within(_knapsack(12))


def test_a_count_every_route_refuses_says_why_each_did(monkeypatch) -> None:
    monkeypatch.setattr(linear_count, "MAX_STATES", 10)
    monkeypatch.setattr(linear_count, "MAX_SUFFIX_ROWS", 0)
    monkeypatch.setattr(linear_count, "MAX_HALF_ROWS", 0)  # (the halves would count it)
    monkeypatch.setattr(bounded, "MAX_DP_ENTRIES", 10)
    monkeypatch.setattr(grid_count, "MAX_CELLS", 10)
    catalog = Catalog.from_text(json.dumps(_knapsack(12)), path="knapsack.json")
    assert isinstance(catalog.tree, BoundedSpace)
    with pytest.raises(CompileError, match=r"states .*; the grid of totals needs [\d,]+ cells"):
        catalog.count()


def _no_grid(self):
    raise AssertionError("the count kept with the compiled form should have been read back")


def _no_running_totals(linear, counters, evidence):
    raise AssertionError("the grid should have counted before the running-total tree")
