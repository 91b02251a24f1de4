"""What the engine does when a compiled form outgrows its budget: it answers another
exact way, never by refusing the catalog or exhausting the machine.

- Numeric rules whose running totals neither the junction tree nor its layers can
  hold (sum() totals too dense: 2.7M states on a 24-feature catalog without any
  price() rule) go to CP-SAT, one linear constraint per comparison.
- The DP over price levels (bounded.py) stops at its entry budget (40 priced
  add-ons under a weight total grew it to 22 GB) and the count is taken by the
  linear counter (linear_count.py) instead (past its budget, by the dense grid:
  test_grid_count.py).
Budgets are lowered here so that small catalogs take those paths; every answer is
checked against brute force.
"""

from __future__ import annotations

import pytest
from bruteforce import Enumeration, assert_domains_match, model_from_text
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from strategies import customers, numeric_catalogs, price_gate_catalogs, selections

from configurator.engine import Catalog, bounded, grid_count
from configurator.engine import catalog as catalog_module
from configurator.engine.bounded import BoundedSpace
from configurator.engine.compile import CompileError, OutgrewBudget
from configurator.engine.compiled import CompiledStore
from configurator.engine.cpsat import CpSatSpace

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _no_tree_fits(problem, *args, **kwargs):
    raise OutgrewBudget(None, "the rules combine into too many cases to compile exactly (test budget)")


@given(data=st.data())
@SETTINGS
def test_numeric_rules_no_tree_can_hold_are_answered_by_cp_sat(monkeypatch, data) -> None:
    case = data.draw(numeric_catalogs())
    customer = data.draw(customers())
    picked = [{}] + [data.draw(selections(case)) for _ in range(2)]
    note(f"catalog:\n{case.text}\ncustomer: {customer}\nselections: {picked}")
    monkeypatch.setattr(catalog_module, "solution_space", _no_tree_fits)
    catalog = Catalog.from_text(case.text, path="dense.json")
    assume(catalog_module._mentions_numbers(catalog.model))
    assert isinstance(catalog.tree, CpSatSpace)
    reference = Enumeration(model_from_text(case.text), customer)
    assert catalog.count(customer) == reference.count
    for selection in picked:
        assert_domains_match(catalog, reference, selection, customer)


def test_a_catalog_without_numeric_rules_still_reports_why_no_tree_fits(monkeypatch) -> None:
    text = """{"catalog": "plain", "name": "Plain", "version": 1, "currency": "EUR",
      "features": [{"id": "a", "name": "A", "dimension": "product", "choose": "one",
                    "options": [{"id": "x", "name": "X"}, {"id": "y", "name": "Y"}]}],
      "constraints": []}"""
    monkeypatch.setattr(catalog_module, "solution_space", _no_tree_fits)
    catalog = Catalog.from_text(text, path="plain.json", backend="junction-tree")
    with pytest.raises(CompileError, match="test budget"):
        catalog.tree  # noqa: B018 - a forced backend is not switched


@given(data=st.data())
@SETTINGS
def test_a_count_past_the_price_level_budget_is_taken_by_the_linear_counter(monkeypatch, data) -> None:
    case = data.draw(price_gate_catalogs("both"))
    customer = data.draw(customers())
    note(f"catalog:\n{case.text}\ncustomer: {customer}")
    catalog = Catalog.from_text(case.text, path="gated.json")
    assume(isinstance(catalog.tree, BoundedSpace))
    monkeypatch.setattr(bounded, "MAX_DP_ENTRIES", 0)
    reference = Enumeration(model_from_text(case.text), customer)
    assert catalog.count(customer) == reference.count
    assert catalog.count() == Enumeration(model_from_text(case.text), None).count


@given(data=st.data())
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_preparing_a_catalog_whose_count_is_refused_keeps_the_catalog_and_the_refusal(
        monkeypatch, tmp_path_factory, data) -> None:
    case = data.draw(price_gate_catalogs("both"))
    catalog = Catalog.from_text(case.text, path="gated.json")
    assume(isinstance(catalog.tree, BoundedSpace))
    monkeypatch.setattr(BoundedSpace, "count", _refused_dp)
    monkeypatch.setattr(catalog_module.LinearCounter, "count", _refused_count)
    monkeypatch.setattr(catalog_module, "quick_count", lambda problem, evidence: None)
    monkeypatch.setattr(grid_count, "grid_count", _refused_grid)
    store = CompiledStore(tmp_path_factory.mktemp("compiled"))
    fresh = Catalog.from_text(case.text, path="gated.json")
    fresh.prepare(store)  # no exception: the catalog is usable without its count
    assert store.holds(fresh.fingerprint)
    assert "test states" in store.load_count(fresh.fingerprint)
    with pytest.raises(CompileError, match="test states"):
        fresh.count()


def _refused_dp(self, evidence):
    raise CompileError(None, "the count over price levels needs more than 0 partial totals (test)")


def _refused_count(self, evidence):
    raise catalog_module.CountTooLarge("9,999,999 test states after x")


def _refused_grid(problem, evidence, max_cells=None):
    raise grid_count.GridTooLarge("the grid of totals needs 99,999,999 test cells")
