"""Exact counts of catalogs with linear (sum/price) comparisons (linear_count.py) against independent routes.

The counter keeps partial totals only while a comparison can still read them
and settles a comparison as soon as every completion decides it; random small
catalogs with several sums and price() comparisons (every operator) check that
this collapsing never changes a count, a catalog built so that every total
collapses checks that it happens, and a reduced numeric-heavy bench catalog is
counted by brute force and by the running-total tree.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from agreement import reduced_numeric_heavy
from bruteforce import Enumeration, model_from_text
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import catalog_text, customers, fine_unit_catalogs, mixed_catalogs

from configurator.engine import Catalog
from configurator.engine.compile import compile_model
from configurator.engine.layered import solution_space
from configurator.engine.linear_count import CountTooLarge, LinearCounter

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _linear_count(text: str, customer: dict | None = None, max_states: int | None = None) -> int:
    problem = compile_model(model_from_text(text), linear=True)
    return LinearCounter(problem, max_states).count(problem.customer_evidence(customer))


@given(data=st.data())
@SETTINGS
def test_counts_equal_brute_force(data) -> None:
    case = data.draw(mixed_catalogs())
    customer = data.draw(customers())
    note(f"catalog:\n{case.text}\ncustomer: {customer}")
    assert _linear_count(case.text, customer) == Enumeration(model_from_text(case.text), customer).count


def _many_priced_features(count: int, options: int) -> list[dict]:
    """Features whose partial price sums mostly differ (prices from 1 to 100 EUR in cents), weights 1..options."""
    rng = random.Random(count * options)
    return [{"id": f"f{i}", "name": "F", "dimension": "product", "choose": "one",
             "options": [{"id": f"o{j}", "name": "O", "price": f"{rng.randint(100, 10000) / 100:.2f}",
                          "attributes": {"w": j + 1}} for j in range(options)]}
            for i in range(count)]


def test_comparisons_every_completion_decides_keep_no_total() -> None:
    """24 features of 5 options: without collapsing, the partial prices alone would be millions of states."""
    features = _many_priced_features(24, 5)
    rules = [
        {"id": "never-violated", "require": "price() <= 100000", "message": "m"},
        {"id": "always-at-least", "if": "f3 == o2", "then": "price() >= 1.00", "message": "m"},
        {"id": "impossible", "if": "f0 == o1", "then": "price() > 99999", "message": "m"},
        {"id": "heavy-enough", "forbid": "f5 == o4 and sum(w) < 24", "message": "m"},
        {"id": "not-exactly", "require": "sum(w) != 1", "message": "m"},
    ]
    # f0 == o1 is impossible; every other rule holds in every configuration
    assert _linear_count(catalog_text(features, rules), max_states=200) == 4 * 5**23


def test_past_the_state_budget_the_count_meets_in_the_middle_and_past_the_suffix_budget_it_refuses() -> None:
    """An open price comparison keeps its partial totals: over 50 states the layers stop, the rest is
    enumerated and joined (meet_count.py); with the rest over the budgets of both joins (at the cut, and
    in two halves after the comparison), the count is refused."""
    from configurator.engine import linear_count

    features = _many_priced_features(10, 4)
    rules = [{"id": "middle", "if": "f0 == o0", "then": "price() <= 500", "message": "m"}]
    rest = np.zeros(1, np.int64)  # every price of f1..f9 in cents, one per choice (4**9 of them)
    for feature in features[1:]:
        cents = np.array([round(float(option["price"]) * 100) for option in feature["options"]])
        rest = (rest[:, None] + cents[None, :]).ravel()
    first = round(float(features[0]["options"][0]["price"]) * 100)
    expected = 4**10 - int((rest + first > 50000).sum())
    assert _linear_count(catalog_text(features, rules), max_states=50) == expected < 4**10
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(linear_count, "MAX_SUFFIX_ROWS", 1)
        assert _linear_count(catalog_text(features, rules), max_states=50) == expected  # in two halves
        patched.setattr(linear_count, "MAX_HALF_ROWS", 1)
        with pytest.raises(CountTooLarge, match="rows a half"):
            _linear_count(catalog_text(features, rules), max_states=50)


def test_reduced_numeric_heavy_count_equals_brute_force() -> None:
    text = reduced_numeric_heavy(3)
    assert _linear_count(text) == Enumeration(model_from_text(text), {}).count > 0


def test_reduced_numeric_heavy_count_equals_the_running_total_tree() -> None:
    text = reduced_numeric_heavy(7)
    model = model_from_text(text)
    tree = solution_space(compile_model(model))
    expected = tree.count(compile_model(model).customer_evidence(None))
    assert _linear_count(text) == expected > 0
    catalog = Catalog.from_text(text, path="heavy.json")
    assert catalog.uses_cp_sat and catalog.count() == expected


def test_the_count_is_kept_with_the_compiled_form_and_a_corrupt_file_is_counted_again(tmp_path, monkeypatch) -> None:
    from configurator.engine import linear_count
    from configurator.engine.compiled import CompiledStore

    text = reduced_numeric_heavy(4)
    store = CompiledStore(tmp_path)
    uploaded = Catalog.from_text(text, path="heavy.json")
    expected = uploaded.check().count  # as an upload does: checked first, then prepared with the store
    uploaded.prepare(store)
    assert store.load_count(uploaded.fingerprint) == expected > 0

    def refuse(self, evidence):
        raise AssertionError("counted again")

    with monkeypatch.context() as patched:
        patched.setattr(linear_count.LinearCounter, "count", refuse)
        assert Catalog.from_text(text, path="heavy.json").prepare(store).check().count == expected
    path = tmp_path / f"{uploaded.fingerprint}.count"
    path.write_bytes(path.read_bytes().replace(str(expected).encode(), str(expected + 1).encode()))
    assert store.load_count(uploaded.fingerprint) is None  # the checksum no longer holds
    assert Catalog.from_text(text, path="heavy.json").prepare(store).count() == expected
    assert store.load_count(uploaded.fingerprint) == expected


def test_a_refused_count_is_remembered_with_the_compiled_form(tmp_path, monkeypatch) -> None:
    """Every counting route over its budget: the check warns, and the next check of that version does not count."""
    from configurator.engine import jtree, layered, linear_count
    from configurator.engine.compiled import CompiledStore

    text = reduced_numeric_heavy(4)
    store = CompiledStore(tmp_path)
    with monkeypatch.context() as patched:
        patched.setattr(linear_count, "MAX_STATES", 1)
        patched.setattr(jtree, "MAX_BAG_TUPLES", 1)
        patched.setattr(layered, "MAX_LAYER_STATES", 1)
        report = Catalog.from_text(text, path="heavy.json").prepare(store).check()
        assert report.usable and report.count is None
        assert isinstance(store.load_count(Catalog.from_text(text, path="heavy.json").fingerprint), str)

    def refuse(self, evidence):
        raise AssertionError("counted again")

    with monkeypatch.context() as patched:
        patched.setattr(linear_count.LinearCounter, "count", refuse)
        again = Catalog.from_text(text, path="heavy.json").prepare(store).check()
    assert again.count is None
    assert any("could not be computed" in w and "remembered" in w for w in again.warnings)


@pytest.mark.parametrize("name", ["city-bike", "standing-desk", "coffee-subscription"])
def test_demo_catalogs_forced_to_cp_sat_count_what_their_own_backend_counts(name: str) -> None:
    """Medium-size catalogs: the DP over the linear form against the lifted junction tree (bounded.py)."""
    text = (Path(__file__).resolve().parents[2] / "catalog" / f"{name}.yaml").read_text(encoding="utf-8")
    own = Catalog.from_text(text, path=f"{name}.yaml")
    forced = Catalog.from_text(text, path=f"{name}.yaml", backend="CP-SAT")
    assert forced.uses_cp_sat and not own.uses_cp_sat
    assert forced.count() == own.count() > 0
    assert forced.count({"segment": "business"}) == own.count({"segment": "business"})


@pytest.mark.parametrize(("rule", "expected"), [("sum(w) < 0", 0), ("sum(w) <= 0", 2)])
def test_sums_over_no_priced_or_weighted_option_compared_in_separate_parts(rule: str, expected: int) -> None:
    """sum(w) and price() are 0 in every configuration: their comparisons share one (empty) sum yet sit in
    independent parts (found by hypothesis: it was a KeyError)."""
    features = [{"id": f"f{i}", "name": "F", "dimension": "product", "choose": "one",
                 "options": [{"id": "o0", "name": "O", "price": "0.00", "attributes": {"w": 0}},
                             {"id": "o1", "name": "O", "price": "0.00"}][: 2 - i]}
                for i in range(2)]
    rules = [{"require": rule, "message": "m"},
             {"id": "price-0", "if": "f0 == o0", "then": "price() >= 0.00", "message": "m"}]
    text = catalog_text(features, rules)
    assert _linear_count(text) == Enumeration(model_from_text(text), {}).count == expected


def _count_without_classes(text: str) -> int:
    from configurator.engine import linear_count

    saved = linear_count.MAX_SUFFIX_RANGE
    linear_count.MAX_SUFFIX_RANGE = 0  # every sum keeps its raw partial totals
    try:
        return _linear_count(text)
    finally:
        linear_count.MAX_SUFFIX_RANGE = saved


@given(text=fine_unit_catalogs())
@SETTINGS
def test_merging_equivalent_partial_totals_keeps_brute_force_counts(text: str) -> None:
    note(text)
    expected = Enumeration(model_from_text(text), {}).count
    assert _linear_count(text) == expected
    assert _count_without_classes(text) == expected


def _price_histogram(features: list[dict]) -> np.ndarray:
    """How many choices of one option per feature give each price in cents (a convolution, not the DP).

    In int64 (numpy convolves it in C; object arrays took minutes): at most 4**16 choices here."""
    histogram = np.array([1], dtype=np.int64)
    for feature in features:
        cents = [round(float(option["price"]) * 100) for option in feature["options"]]
        step = np.zeros(max(cents) + 1, dtype=np.int64)
        for value in cents:
            step[value] += 1
        histogram = np.convolve(histogram, step)
    return histogram


def test_a_price_in_cents_over_16_features_is_counted_within_a_small_budget() -> None:
    """Partial prices that no completion tells apart share a state: 19,955 states at most with classes,
    45,725 with raw totals (both after settling the comparisons every completion decides), which the
    layers alone refuse and meeting in the middle counts."""
    from configurator.engine import linear_count

    features = _many_priced_features(16, 4)
    rules = [{"id": "gated", "if": "f0 == o0", "then": "price() <= 800", "message": "m"},
             {"id": "floor", "require": "price() > 500.50", "message": "m"}]
    histogram = _price_histogram(features)
    cents = np.arange(len(histogram))
    gated = _price_histogram(features[1:])
    first = round(float(features[0]["options"][0]["price"]) * 100)
    # all choices over 500.50, minus those with f0 == o0 over 800.00
    expected = histogram[cents > 50050].sum() - gated[np.arange(len(gated)) + first > 80000].sum()
    text = catalog_text(features, rules)
    assert _linear_count(text, max_states=25_000) == expected > 0
    with pytest.MonkeyPatch.context() as patched:  # the layers alone, without meeting in the middle
        patched.setattr(linear_count, "MAX_SUFFIX_ROWS", 1)
        patched.setattr(linear_count, "MAX_HALF_ROWS", 1)
        assert _linear_count(text, max_states=25_000) == expected
        with pytest.raises(CountTooLarge):
            _count_without_classes_budget(text, 25_000)
    assert _count_without_classes_budget(text, 25_000) == expected  # raw totals: met in the middle


def _count_without_classes_budget(text: str, max_states: int) -> int:
    from configurator.engine import linear_count

    saved = linear_count.MAX_SUFFIX_RANGE
    linear_count.MAX_SUFFIX_RANGE = 0
    try:
        return _linear_count(text, max_states=max_states)
    finally:
        linear_count.MAX_SUFFIX_RANGE = saved


# ---------------------------------------------------------------- meeting in the middle (meet_count.py)
def _met_count(text: str, customer: dict | None = None) -> int:
    """The count joined at the cut (the layers up to it, the rest enumerated), whatever the budget."""
    problem = compile_model(model_from_text(text), linear=True)
    return LinearCounter(problem, meet=True).count(problem.customer_evidence(customer))


@given(data=st.data())
@SETTINGS
def test_counts_met_in_the_middle_equal_brute_force(data) -> None:
    """Several sums, price() both ways, gated comparisons, customer facts: the join against enumeration,
    once comparing all pairs and once by divide and conquer down to one total."""
    from configurator.engine import meet_count

    case = data.draw(mixed_catalogs())
    customer = data.draw(customers())
    note(f"catalog:\n{case.text}\ncustomer: {customer}")
    expected = Enumeration(model_from_text(case.text), customer).count
    assert _met_count(case.text, customer) == expected
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(meet_count, "BRUTE_PAIRS", 1)
        assert _met_count(case.text, customer) == expected


@given(text=fine_unit_catalogs())
@SETTINGS
def test_fine_unit_totals_met_in_the_middle_equal_brute_force(text: str) -> None:
    note(text)
    assert _met_count(text) == Enumeration(model_from_text(text), {}).count


def test_a_join_past_int64_counts_in_python_integers() -> None:
    """25 features of 5 options: 5**25 assignments pass 2**56, so the join adds Python integers."""
    features = _many_priced_features(25, 5)
    rules = [{"id": "never-violated", "require": "price() <= 100000", "message": "m"},
             {"id": "impossible", "if": "f0 == o1", "then": "price() > 99999", "message": "m"}]
    assert _met_count(catalog_text(features, rules)) == 4 * 5**24 > 2**56


def test_a_join_with_more_corners_than_its_budget_is_refused(monkeypatch) -> None:
    from configurator.engine import meet_count

    monkeypatch.setattr(meet_count, "MAX_CORNER_ROWS", 5)  # 59 states at the cut, open comparisons
    with pytest.raises(CountTooLarge, match="corners"):
        _met_count(reduced_numeric_heavy(9))


def test_reduced_numeric_heavy_counted_by_the_layers_and_by_meeting_in_the_middle() -> None:
    """Four sums and every service rule, parts-pair rules across the cut: both routes on 9 parts (59
    states at the cut, comparisons still open), and brute force on 3 (where every comparison is settled
    before the cut: one state)."""
    small = reduced_numeric_heavy(3)
    assert _met_count(small) == Enumeration(model_from_text(small), {}).count > 0
    text = reduced_numeric_heavy(9)
    assert _met_count(text) == _linear_count(text) > 0
